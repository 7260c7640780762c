#pragma once
// A complete boot configuration is /boot/loader.N: entries/*.conf plus the
// bootloader's own file. It is written beside the live one and made live by
// one symlink rename, so a crash leaves either the old or the new set.
#include "boot/boot_entry.hpp"
#include "boot/bootloader.hpp"

#include <string>
#include <vector>

namespace ot::boot {

struct LoaderEntry {
  std::string filename;  // e.g. "ostree-1-testos.conf"
  BootEntry entry;
};

// Builds sysroot/boot/loader.N (N = new_bootversion) from scratch: any old
// loader.N is removed first, then entries/ with one file per entry and the
// configuration for `kind` (loader.N/syslinux.cfg, uEnv.txt or grub.cfg),
// every file and directory fsynced. The stable path the bootloader reads
// (/boot/syslinux/syslinux.cfg, /boot/grub2/grub.cfg -> ../loader/...) is
// created as a symlink when absent. Does not make loader.N live.
void write_loader(int sysroot_dfd, int new_bootversion, const std::vector<LoaderEntry>& entries,
                  BootloaderKind kind);

// The single atomic step: /boot/loader -> loader.N through a temporary
// symlink renamed over it, then fsync of /boot.
void swap_loader(int boot_dfd, int new_bootversion);

// The entries of boot/loader.N/entries/ostree-*.conf, highest `version`
// first (strverscmp, entries without one last), whatever the file names
// (ostree-$N-$stateroot.conf from 2022.7, ostree-$N.conf from later
// releases). Empty when the directory does not exist.
std::vector<BootEntry> read_loader_entries(int boot_dfd, int bootversion);

}  // namespace ot::boot
