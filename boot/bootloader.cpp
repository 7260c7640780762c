#include "boot/bootloader.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <string>

namespace ot::boot {
namespace {

bool exists(int dfd, const std::string& path, int flags) { return sys::stat_at_opt(dfd, path, flags).has_value(); }

// A grub.cfg under some boot/efi/EFI/<vendor>/ other than the fallback BOOT.
bool has_efi_grub(int sysroot_dfd) {
  auto efi = sys::open_dir_opt(sysroot_dfd, "boot/efi/EFI");
  if (!efi) return false;
  for (const auto& e : sys::list_dir(efi->get())) {
    if (e.name == "BOOT") continue;
    auto st = sys::stat_at_opt(efi->get(), e.name, AT_SYMLINK_NOFOLLOW);
    if (!st || !S_ISDIR(st->st_mode)) continue;
    if (exists(efi->get(), e.name + "/grub.cfg", 0)) return true;
  }
  return false;
}

bool grub2_active(int sysroot_dfd) {
  return exists(sysroot_dfd, "boot/grub2/grub.cfg", 0) || exists(sysroot_dfd, "boot/grub/grub.cfg", 0) ||
         has_efi_grub(sysroot_dfd);
}

}  // namespace

BootloaderKind detect_bootloader(int sysroot_dfd, std::string_view configured) {
  if (configured == "none") return BootloaderKind::none;
  if (configured == "syslinux") return BootloaderKind::syslinux;
  if (configured == "grub2") return BootloaderKind::grub2;
  if (configured == "uboot") return BootloaderKind::uboot;
  if (!configured.empty() && configured != "auto")
    throw Error("Invalid bootloader configuration: '" + std::string(configured) + "'");

  if (exists(sysroot_dfd, "boot/syslinux/syslinux.cfg", AT_SYMLINK_NOFOLLOW)) return BootloaderKind::syslinux;
  if (grub2_active(sysroot_dfd)) return BootloaderKind::grub2;
  // uEnv.txt is read through the /boot/loader symlink, as U-Boot does.
  auto uenv = sys::stat_at_opt(sysroot_dfd, "boot/loader/uEnv.txt", AT_SYMLINK_NOFOLLOW);
  if (uenv && S_ISREG(uenv->st_mode)) return BootloaderKind::uboot;
  return BootloaderKind::none;
}

std::string_view bootloader_name(BootloaderKind kind) {
  switch (kind) {
    case BootloaderKind::syslinux: return "syslinux";
    case BootloaderKind::grub2: return "grub2";
    case BootloaderKind::uboot: return "uboot";
    case BootloaderKind::none: break;
  }
  return "none";
}

}  // namespace ot::boot
