// Kernel discovery in every tree layout upstream knows, and the one-time
// install into /boot/ostree/, compared with what upstream installs.
#include "boot/kernel_layout.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "upstream_sysroot.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using ot::boot::find_kernel;
using ot::boot::install_kernel;
namespace tb = ot::test::boot;

namespace {

std::string sha256_hex(const std::string& data) {
  return tb::sh_out("printf '%s' '" + data + "' | sha256sum | cut -c1-64").substr(0, 64);
}

// "name type size" for everything under dir, sorted: what a user sees in /boot.
std::string listing(const std::string& dir) {
  return tb::sh_out("cd " + dir + " && find . -mindepth 1 -printf '%p %y %s\\n' | sort");
}

}  // namespace

TEST_CASE("find_kernel: usr/lib/modules with kernel and initramfs", "[boot][layout]") {
  tb::Scratch s;
  s.make_tree("tree");
  auto tree = ot::sys::open_dir(s.fd(), "tree");
  auto l = find_kernel(tree.get());
  REQUIRE(l);
  CHECK(l->kernel_srcpath == "usr/lib/modules/5.10.0-test/vmlinuz");
  CHECK(l->kernel_name == "vmlinuz-5.10.0-test");
  CHECK(l->initramfs_srcpath == "usr/lib/modules/5.10.0-test/initramfs.img");
  CHECK(l->initramfs_name == "initramfs-5.10.0-test.img");
  CHECK_FALSE(l->devicetree_srcpath);
  CHECK(l->bootcsum == sha256_hex("kernel\ninitrd\n"));
  CHECK(l->bootcsum == "ff6d610a0f0d84602d9e2878eb3a16a850f2d31faa2f14108006723892a17899");
}

TEST_CASE("find_kernel: devicetree file, dtb directory, hmac, no initramfs", "[boot][layout]") {
  tb::Scratch s;
  tb::write_file(s.fd(), "dt/usr/lib/modules/5.1/vmlinuz", "K\n");
  tb::write_file(s.fd(), "dt/usr/lib/modules/5.1/initramfs.img", "I\n");
  tb::write_file(s.fd(), "dt/usr/lib/modules/5.1/devicetree", "D\n");
  tb::write_file(s.fd(), "dt/usr/lib/modules/5.1/.vmlinuz.hmac", "H\n");
  auto dt = find_kernel(ot::sys::open_dir(s.fd(), "dt").get());
  REQUIRE(dt);
  CHECK(dt->devicetree_srcpath == "usr/lib/modules/5.1/devicetree");
  CHECK(dt->devicetree_name == "devicetree-5.1");
  CHECK_FALSE(dt->devicetree_is_dir);
  CHECK(dt->hmac_name == ".vmlinuz-5.1.hmac");
  CHECK(dt->bootcsum == sha256_hex("K\nI\nD\n"));  // the hmac is not part of it

  tb::write_file(s.fd(), "dtb/usr/lib/modules/5.1/vmlinuz", "K\n");
  tb::write_file(s.fd(), "dtb/usr/lib/modules/5.1/dtb/vendor/b.dtb", "B\n");
  tb::write_file(s.fd(), "dtb/usr/lib/modules/5.1/dtb/vendor/a.dtb", "A\n");
  auto dtb = find_kernel(ot::sys::open_dir(s.fd(), "dtb").get());
  REQUIRE(dtb);
  CHECK_FALSE(dtb->initramfs_srcpath);
  CHECK(dtb->devicetree_is_dir);
  CHECK(dtb->devicetree_name == "dtb");
  CHECK(dtb->bootcsum == sha256_hex("K\nA\nB\n"));
}

TEST_CASE("find_kernel: legacy layouts name the checksum in the file names", "[boot][layout]") {
  tb::Scratch s;
  const std::string c = sha256_hex("anything");
  tb::write_file(s.fd(), "a/usr/lib/ostree-boot/vmlinuz-3.0-" + c, "K\n");
  tb::write_file(s.fd(), "a/usr/lib/ostree-boot/initramfs-3.0-" + c, "I\n");
  tb::write_file(s.fd(), "a/usr/lib/ostree-boot/devicetree-3.0-" + c, "D\n");
  tb::write_file(s.fd(), "a/boot/vmlinuz-" + sha256_hex("other"), "ignored: usr/lib/ostree-boot comes first\n");
  auto a = find_kernel(ot::sys::open_dir(s.fd(), "a").get());
  REQUIRE(a);
  CHECK(a->kernel_srcpath == "usr/lib/ostree-boot/vmlinuz-3.0-" + c);
  CHECK(a->kernel_name == "vmlinuz-3.0");
  CHECK(a->initramfs_name == "initramfs-3.0");
  CHECK(a->devicetree_name == "devicetree-3.0");
  CHECK(a->bootcsum == c);

  tb::write_file(s.fd(), "b/boot/vmlinuz-" + c, "K\n");
  auto b = find_kernel(ot::sys::open_dir(s.fd(), "b").get());
  REQUIRE(b);
  CHECK(b->kernel_srcpath == "boot/vmlinuz-" + c);
  CHECK(b->kernel_name == "vmlinuz");
  CHECK_FALSE(b->initramfs_srcpath);

  tb::write_file(s.fd(), "c/boot/vmlinuz-" + c, "K\n");
  tb::write_file(s.fd(), "c/boot/initramfs-" + sha256_hex("x"), "I\n");
  CHECK_THROWS_WITH(find_kernel(ot::sys::open_dir(s.fd(), "c").get()),
                    Catch::Contains("Mismatched kernel checksum vs initrd"));

  // usr/lib/modules wins over the legacy directories.
  tb::write_file(s.fd(), "a/usr/lib/modules/6.0/vmlinuz", "new\n");
  CHECK(find_kernel(ot::sys::open_dir(s.fd(), "a").get())->kernel_name == "vmlinuz-6.0");
}

TEST_CASE("find_kernel: a tree without a kernel", "[boot][layout]") {
  tb::Scratch s;
  ot::sys::mkdirs_at(s.fd(), "empty/usr/etc", 0755);
  CHECK_FALSE(find_kernel(ot::sys::open_dir(s.fd(), "empty").get()));
  tb::write_file(s.fd(), "mods/usr/lib/modules/5.1/modules.dep", "");
  tb::write_file(s.fd(), "mods/usr/lib/modules/5.1/initramfs.img", "I\n");
  tb::write_file(s.fd(), "mods/boot/config-5.1", "");
  CHECK_FALSE(find_kernel(ot::sys::open_dir(s.fd(), "mods").get()));
}

TEST_CASE("install_kernel installs once and fills in what is missing", "[boot][layout]") {
  tb::Scratch s;
  s.make_tree("tree");
  tb::write_file(s.fd(), "tree/usr/lib/modules/5.10.0-test/dtb/v/board.dtb", "B\n");
  auto tree = ot::sys::open_dir(s.fd(), "tree");
  ot::sys::mkdirs_at(s.fd(), "boot", 0755);
  auto boot = ot::sys::open_dir(s.fd(), "boot");
  auto layout = find_kernel(tree.get());
  REQUIRE(layout);
  const std::string dir = "testos-" + layout->bootcsum;
  install_kernel(tree.get(), *layout, boot.get(), dir);
  CHECK(ot::sys::read_file_at(boot.get(), "ostree/" + dir + "/vmlinuz-5.10.0-test") == "kernel\n");
  CHECK(ot::sys::read_file_at(boot.get(), "ostree/" + dir + "/initramfs-5.10.0-test.img") == "initrd\n");
  CHECK(ot::sys::read_file_at(boot.get(), "ostree/" + dir + "/dtb/v/board.dtb") == "B\n");
  // No temporary directory is left beside it.
  CHECK(ot::sys::list_dir(ot::sys::open_dir(boot.get(), "ostree").get()).size() == 1);

  // A second install leaves the directory untouched...
  const auto before = ot::sys::stat_at(boot.get(), "ostree/" + dir + "/vmlinuz-5.10.0-test");
  install_kernel(tree.get(), *layout, boot.get(), dir);
  const auto after = ot::sys::stat_at(boot.get(), "ostree/" + dir + "/vmlinuz-5.10.0-test");
  CHECK(before.st_ino == after.st_ino);
  CHECK(before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
  // ...except for a file a crashed older tool did not get to.
  ot::sys::unlink_at(boot.get(), "ostree/" + dir + "/initramfs-5.10.0-test.img");
  install_kernel(tree.get(), *layout, boot.get(), dir);
  CHECK(ot::sys::read_file_at(boot.get(), "ostree/" + dir + "/initramfs-5.10.0-test.img") == "initrd\n");
}

TEST_CASE("find_kernel + install_kernel match what upstream installs", "[boot][layout][upstream]") {
  if (!tb::can_run_reference()) {
    WARN("reference ostree not runnable as root here; skipped");
    return;
  }
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> files;
  };
  const std::string c = sha256_hex("K\n");
  const std::vector<Case> cases = {
      {"modules", {{"usr/lib/modules/5.1/vmlinuz", "K\n"}, {"usr/lib/modules/5.1/initramfs.img", "I\n"}}},
      {"devicetree",
       {{"usr/lib/modules/5.1/vmlinuz", "K\n"},
        {"usr/lib/modules/5.1/initramfs.img", "I\n"},
        {"usr/lib/modules/5.1/devicetree", "D\n"},
        {"usr/lib/modules/5.1/.vmlinuz.hmac", "H\n"}}},
      {"dtbdir", {{"usr/lib/modules/5.1/vmlinuz", "K\n"}, {"usr/lib/modules/5.1/dtb/v/b.dtb", "B\n"},
                  {"usr/lib/modules/5.1/dtb/v/a.dtb", "A\n"}, {"usr/lib/modules/5.1/dtb/top.dtb", "T\n"}}},
      {"legacy", {{"usr/lib/ostree-boot/vmlinuz-3.0-" + c, "K\n"}, {"usr/lib/ostree-boot/initramfs-3.0-" + c, "I\n"}}},
      {"legacyboot", {{"boot/vmlinuz-" + c, "K\n"}, {"boot/initramfs-" + c, "I\n"}}},
  };
  for (const auto& tc : cases) {
    SECTION(tc.name) {
      tb::Scratch s;
      const std::string tree = tc.name;
      for (const auto& [path, content] : tc.files) tb::write_file(s.fd(), tree + "/" + path, content);
      tb::write_file(s.fd(), tree + "/usr/lib/os-release", "NAME=Test\nID=test\n");
      ot::sys::mkdirs_at(s.fd(), tree + "/usr/etc", 0755);
      s.ref_sysroot(tree, "sysroot");
      s.ref_deploy("sysroot", tree, "--karg=root=/dev/vda1");

      auto layout = find_kernel(ot::sys::open_dir(s.fd(), tree).get());
      REQUIRE(layout);
      ot::sys::mkdirs_at(s.fd(), "ours", 0755);
      install_kernel(ot::sys::open_dir(s.fd(), tree).get(), *layout, ot::sys::open_dir(s.fd(), "ours").get(),
                     "testos-" + layout->bootcsum);
      CHECK(listing(s / "ours/ostree") == listing(s / "sysroot/boot/ostree"));
    }
  }
}
