#pragma once
// Which bootloader's configuration a sysroot needs besides the BLS entries.
#include <string_view>

namespace ot::boot {

enum class BootloaderKind { none, syslinux, grub2, uboot };

// `configured` is the repo config key sysroot.bootloader: "auto" (or empty)
// probes the sysroot as upstream 2022.7 does, first match wins:
//   syslinux  boot/syslinux/syslinux.cfg exists (a symlink, usually);
//   grub2     boot/grub2/grub.cfg or boot/grub/grub.cfg exists, or some
//             boot/efi/EFI/<vendor>/grub.cfg (vendor not BOOT);
//   uboot     boot/loader/uEnv.txt is a regular file.
// "none", "grub2", "syslinux", "uboot" force a kind; anything else throws
// ot::Error "Invalid bootloader configuration: '<value>'".
BootloaderKind detect_bootloader(int sysroot_dfd, std::string_view configured);

// "none", "syslinux", "grub2", "uboot".
std::string_view bootloader_name(BootloaderKind kind);

}  // namespace ot::boot
