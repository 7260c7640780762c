#pragma once
// Which of the two boot configurations is live. /boot/loader is a symlink to
// loader.0 or loader.1; flipping it is the single atomic step that switches
// every bootloader to a new set of entries.

namespace ot::boot {

// 0 or 1: the N of the loader.N that /boot/loader points at; 0 when there is
// no /boot/loader yet (a fresh sysroot). Throws on any other target.
int read_boot_version(int boot_dfd);

}  // namespace ot::boot
