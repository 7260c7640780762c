// Which bootloader a sysroot uses, probed as upstream 2022.7 probes it.
#include "boot/bootloader.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "upstream_sysroot.hpp"

#include <catch2/catch.hpp>

using ot::boot::BootloaderKind;
using ot::boot::detect_bootloader;
namespace tb = ot::test::boot;

TEST_CASE("an explicit sysroot.bootloader wins over probing", "[boot][bootloader]") {
  tb::Scratch s;
  ot::sys::mkdirs_at(s.fd(), "boot/syslinux", 0755);
  ot::sys::symlink_at("../loader/syslinux.cfg", s.fd(), "boot/syslinux/syslinux.cfg");
  CHECK(detect_bootloader(s.fd(), "none") == BootloaderKind::none);
  CHECK(detect_bootloader(s.fd(), "grub2") == BootloaderKind::grub2);
  CHECK(detect_bootloader(s.fd(), "uboot") == BootloaderKind::uboot);
  CHECK(detect_bootloader(s.fd(), "syslinux") == BootloaderKind::syslinux);
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::syslinux);
  CHECK(detect_bootloader(s.fd(), "") == BootloaderKind::syslinux);
  CHECK_THROWS_WITH(detect_bootloader(s.fd(), "lilo"), "Invalid bootloader configuration: 'lilo'");
}

TEST_CASE("auto-detection: syslinux, then grub2, then U-Boot, else none", "[boot][bootloader]") {
  tb::Scratch s;
  ot::sys::mkdirs_at(s.fd(), "boot/loader.0", 0755);
  ot::sys::symlink_at("loader.0", s.fd(), "boot/loader");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::none);

  // U-Boot: uEnv.txt inside the live loader directory.
  tb::write_file(s.fd(), "boot/loader.0/uEnv.txt", "");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::uboot);

  // GRUB on EFI: a vendor directory with grub.cfg (the BOOT fallback does not count).
  tb::write_file(s.fd(), "boot/efi/EFI/BOOT/grub.cfg", "");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::uboot);
  tb::write_file(s.fd(), "boot/efi/EFI/debian/grub.cfg", "");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::grub2);
  ot::sys::remove_tree_at(s.fd(), "boot/efi");

  // GRUB on BIOS: Debian's /boot/grub or Fedora's /boot/grub2.
  tb::write_file(s.fd(), "boot/grub/grub.cfg", "");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::grub2);
  ot::sys::remove_tree_at(s.fd(), "boot/grub");
  ot::sys::mkdirs_at(s.fd(), "boot/grub2", 0755);
  ot::sys::symlink_at("../loader/grub.cfg", s.fd(), "boot/grub2/grub.cfg");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::uboot);  // dangling link: no grub.cfg
  tb::write_file(s.fd(), "boot/loader.0/grub.cfg", "");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::grub2);

  // syslinux: the stable path exists, even as a dangling link.
  ot::sys::mkdirs_at(s.fd(), "boot/syslinux", 0755);
  ot::sys::symlink_at("../loader/syslinux.cfg", s.fd(), "boot/syslinux/syslinux.cfg");
  CHECK(detect_bootloader(s.fd(), "auto") == BootloaderKind::syslinux);
}

TEST_CASE("bootloader names", "[boot][bootloader]") {
  CHECK(ot::boot::bootloader_name(BootloaderKind::none) == "none");
  CHECK(ot::boot::bootloader_name(BootloaderKind::grub2) == "grub2");
  CHECK(ot::boot::bootloader_name(BootloaderKind::syslinux) == "syslinux");
  CHECK(ot::boot::bootloader_name(BootloaderKind::uboot) == "uboot");
}
