// /boot/loader.N written from scratch, made live by one symlink swap, and
// read back (ours and upstream's) in upstream's order.
#include "boot/loader_write.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "boot/boot_version.hpp"
#include "upstream_sysroot.hpp"

#include <catch2/catch.hpp>

using ot::boot::BootEntry;
using ot::boot::BootloaderKind;
using ot::boot::LoaderEntry;
namespace tb = ot::test::boot;

namespace {

LoaderEntry make(const std::string& file, const std::string& title, const std::string& version) {
  BootEntry e;
  e.set("title", title);
  e.set("version", version);
  e.set("options", "root=/dev/vda1 ostree=/ostree/boot.1/os/abc/" + version);
  e.set("linux", "/ostree/os-abc/vmlinuz");
  e.set("initrd", "/ostree/os-abc/initramfs.img");
  return {file, e};
}

std::vector<std::string> titles(const std::vector<BootEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.get("title").value_or("-"));
  return out;
}

}  // namespace

TEST_CASE("write_loader builds loader.N beside the live one; swap_loader makes it live", "[boot][loader]") {
  tb::Scratch s;
  ot::sys::mkdirs_at(s.fd(), "boot", 0755);
  ot::sys::mkdirs_at(s.fd(), "ostree/repo", 0755);
  auto boot = ot::sys::open_dir(s.fd(), "boot");
  const std::vector<LoaderEntry> set1 = {make("ostree-1-os.conf", "OS (ostree:1)", "1"),
                                         make("ostree-2-os.conf", "OS (ostree:0)", "2")};
  ot::boot::write_loader(s.fd(), 1, set1, BootloaderKind::none);
  CHECK_FALSE(ot::sys::stat_at_opt(boot.get(), "loader"));  // not live yet
  CHECK(ot::sys::read_file_at(boot.get(), "loader.1/entries/ostree-2-os.conf") == set1[1].entry.serialize());
  CHECK(ot::sys::list_dir(ot::sys::open_dir(boot.get(), "loader.1").get()).size() == 1);  // entries/ only

  ot::boot::swap_loader(boot.get(), 1);
  CHECK(ot::sys::readlink_at(boot.get(), "loader") == "loader.1");
  CHECK(ot::boot::read_boot_version(boot.get()) == 1);
  CHECK(titles(ot::boot::read_loader_entries(boot.get(), 1)) == std::vector<std::string>{"OS (ostree:0)", "OS (ostree:1)"});

  // A stale loader.0 (an interrupted earlier run) is replaced wholesale.
  tb::write_file(boot.get(), "loader.0/entries/ostree-9-stale.conf", "title stale\nversion 9\nlinux /x\n");
  const std::vector<LoaderEntry> set2 = {make("ostree-1-os.conf", "New", "1")};
  ot::boot::write_loader(s.fd(), 0, set2, BootloaderKind::none);
  CHECK(titles(ot::boot::read_loader_entries(boot.get(), 0)) == std::vector<std::string>{"New"});
  CHECK(ot::boot::read_boot_version(boot.get()) == 1);
  ot::boot::swap_loader(boot.get(), 0);
  CHECK(ot::boot::read_boot_version(boot.get()) == 0);
  // Nothing temporary is left in /boot.
  std::vector<std::string> names;
  for (const auto& e : ot::sys::list_dir(boot.get())) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"loader", "loader.0", "loader.1"});
}

TEST_CASE("a bad entry file name leaves /boot as it was", "[boot][loader]") {
  tb::Scratch s;
  ot::sys::mkdirs_at(s.fd(), "boot", 0755);
  for (const char* bad : {"../escape.conf", "", ".hidden.conf"}) {
    CHECK_THROWS_WITH(ot::boot::write_loader(s.fd(), 1, {make(bad, "t", "1")}, BootloaderKind::none),
                      Catch::Contains("invalid entry file name"));
  }
  CHECK(ot::sys::list_dir(ot::sys::open_dir(s.fd(), "boot").get()).empty());
}

TEST_CASE("read_loader_entries: sorted by version, whatever the file names", "[boot][loader]") {
  tb::Scratch s;
  tb::write_file(s.fd(), "loader.1/entries/ostree-1.conf", "title one\nversion 1\nlinux /k\n");  // current upstream
  tb::write_file(s.fd(), "loader.1/entries/ostree-3-os.conf", "title three\nversion 3\nlinux /k\n");  // 2022.7
  tb::write_file(s.fd(), "loader.1/entries/ostree-x.conf", "title noversion\nlinux /k\n");
  tb::write_file(s.fd(), "loader.1/entries/ostree-10-a.conf", "title ten\nversion 10\nlinux /k\n");
  tb::write_file(s.fd(), "loader.1/entries/other.conf", "title not ours\nversion 99\nlinux /k\n");
  tb::write_file(s.fd(), "loader.1/entries/ostree-5.conf.bak", "title backup\nversion 5\nlinux /k\n");
  tb::write_file(s.fd(), "elsewhere.conf", "title linked\nversion 2\nlinux /k\n");
  ot::sys::symlink_at("../../elsewhere.conf", s.fd(), "loader.1/entries/ostree-2-link.conf");
  ot::sys::mkdirs_at(s.fd(), "loader.1/entries/ostree-dir.conf", 0755);
  CHECK(titles(ot::boot::read_loader_entries(s.fd(), 1)) ==
        std::vector<std::string>{"ten", "three", "linked", "one", "noversion"});
  CHECK(ot::boot::read_loader_entries(s.fd(), 0).empty());
}

TEST_CASE("bootloader configs land in loader.N with their stable links", "[boot][loader]") {
  tb::Scratch s;
  ot::sys::mkdirs_at(s.fd(), "boot", 0755);
  ot::sys::mkdirs_at(s.fd(), "ostree/repo", 0755);
  auto boot = ot::sys::open_dir(s.fd(), "boot");
  const std::vector<LoaderEntry> entries = {make("ostree-1-os.conf", "OS (ostree:0)", "1")};

  ot::boot::write_loader(s.fd(), 1, entries, BootloaderKind::syslinux);
  CHECK(ot::sys::readlink_at(boot.get(), "syslinux/syslinux.cfg") == "../loader/syslinux.cfg");
  CHECK(ot::sys::read_file_at(boot.get(), "loader.1/syslinux.cfg").starts_with("DEFAULT OS (ostree:0)\n"));
  ot::boot::swap_loader(boot.get(), 1);
  // The next config keeps what the user added to the live one.
  const std::string live = ot::sys::read_file_at(boot.get(), "syslinux/syslinux.cfg");
  ot::sys::unlink_at(boot.get(), "loader.1/syslinux.cfg");
  tb::write_file(boot.get(), "loader.1/syslinux.cfg", "LABEL mine\n\tKERNEL /vmlinuz-mine\n" + live);
  ot::boot::write_loader(s.fd(), 0, entries, BootloaderKind::syslinux);
  const std::string next = ot::sys::read_file_at(boot.get(), "loader.0/syslinux.cfg");
  CHECK(next.starts_with("LABEL mine\n\tKERNEL /vmlinuz-mine\n"));
  CHECK(next.find("LABEL OS (ostree:0)\n") == next.rfind("LABEL OS (ostree:0)\n"));  // regenerated once

  ot::boot::write_loader(s.fd(), 0, entries, BootloaderKind::uboot);
  CHECK(ot::sys::readlink_at(boot.get(), "uEnv.txt") == "loader/uEnv.txt");
  CHECK(ot::sys::read_file_at(boot.get(), "loader.0/uEnv.txt").starts_with("kernel_image=/boot/ostree/os-abc/vmlinuz\n"));

  ot::boot::write_loader(s.fd(), 0, entries, BootloaderKind::grub2);
  CHECK(ot::sys::readlink_at(boot.get(), "grub2/grub.cfg") == "../loader/grub.cfg");
  CHECK(ot::sys::read_file_at(boot.get(), "loader.0/grub.cfg").find("\t linux /boot/ostree/os-abc/vmlinuz ") !=
        std::string::npos);
  // An existing /boot/grub2/grub.cfg (a distribution's) is not replaced.
  ot::sys::unlink_at(boot.get(), "grub2/grub.cfg");
  tb::write_file(boot.get(), "grub2/grub.cfg", "distro\n");
  ot::boot::write_loader(s.fd(), 1, entries, BootloaderKind::grub2);
  CHECK(ot::sys::read_file_at(boot.get(), "grub2/grub.cfg") == "distro\n");
}

TEST_CASE("upstream reads a loader we rewrote from its own entries", "[boot][loader][upstream]") {
  if (!tb::can_run_reference()) {
    WARN("reference ostree not runnable as root here; skipped");
    return;
  }
  tb::Scratch s;
  s.make_tree("tree");
  s.ref_sysroot("tree", "sysroot");
  s.ref_deploy("sysroot", "tree", "--karg=root=/dev/vda1");
  s.ref_deploy("sysroot", "tree", "--karg-append=quiet");
  const std::string status_cmd = tb::ref_ostree() + " admin status --sysroot=" + (s / "sysroot");
  const std::string before = tb::sh_out(status_cmd);

  auto sysroot = ot::sys::open_dir(s.fd(), "sysroot");
  auto boot = ot::sys::open_dir(sysroot.get(), "boot");
  const int live = ot::boot::read_boot_version(boot.get());
  std::vector<LoaderEntry> entries;
  auto dir = ot::sys::open_dir(boot.get(), "loader/entries");
  for (const auto& f : ot::sys::list_dir(dir.get()))
    entries.push_back({f.name, BootEntry::parse(ot::sys::read_file_at(dir.get(), f.name))});
  REQUIRE(entries.size() == 2);
  ot::boot::write_loader(sysroot.get(), 1 - live, entries, BootloaderKind::none);
  for (const auto& e : entries)
    CHECK(ot::sys::read_file_at(boot.get(), "loader." + std::to_string(1 - live) + "/entries/" + e.filename) ==
          ot::sys::read_file_at(dir.get(), e.filename));
  ot::boot::swap_loader(boot.get(), 1 - live);
  CHECK(tb::sh_out(status_cmd) == before);
}
