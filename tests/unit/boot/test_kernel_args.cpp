// Kernel argument editing, checked against upstream's documented behaviour
// (tests/test-admin-deploy-karg.sh, ostree-kernel-args.c) and, for the
// --karg/--karg-append/--karg-delete combinations, against the entry that
// /usr/bin/ostree admin deploy writes.
#include "boot/kernel_args.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "upstream_sysroot.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>

using ot::boot::KernelArgs;

TEST_CASE("kernel args parse and print in order", "[boot][kargs]") {
  auto k = KernelArgs::parse("root=/dev/vda1  quiet\trw console=tty0 console=ttyS0,115200n8 ");
  CHECK(k.to_string() == "root=/dev/vda1 quiet rw console=tty0 console=ttyS0,115200n8");
  CHECK(k.contains("quiet"));
  CHECK(k.contains("console=whatever"));
  CHECK_FALSE(k.contains("splash"));
  CHECK(k.get_last_value("console") == "ttyS0,115200n8");
  CHECK(k.get_last_value("quiet") == std::nullopt);
  CHECK(k.get_last_value("nosuch") == std::nullopt);
  CHECK(KernelArgs::parse("").to_string().empty());
  CHECK(KernelArgs::parse("   ").empty());
}

TEST_CASE("kernel args keep double-quoted spaces in one argument", "[boot][kargs]") {
  auto k = KernelArgs::parse(R"(a=1 dyndbg="file drivers/usb/* +p" b)");
  CHECK(k.to_list() == std::vector<std::string>{"a=1", R"(dyndbg="file drivers/usb/* +p")", "b"});
  CHECK(k.get_last_value("dyndbg") == R"("file drivers/usb/* +p")");
}

TEST_CASE("KEY, KEY= and KEY=VALUE are different arguments", "[boot][kargs]") {
  auto k = KernelArgs::parse("x x= x=1");
  CHECK(k.to_string() == "x x= x=1");
  CHECK(k.get_last_value("x") == "1");
  k.remove("x=");
  CHECK(k.to_string() == "x x=1");
  k.remove("x");
  CHECK(k.to_string() == "x=1");
}

TEST_CASE("append keeps every value, interleaved where it was added", "[boot][kargs]") {
  // test-admin-deploy-karg.sh: APPENDARG=VALAPPEND APPENDARG=2NDAPPEND
  // FOO=TESTORDERED APPENDARG=3RDAPPEND stay in that order.
  auto k = KernelArgs::parse("FOO=BAR");
  for (auto a : {"APPENDARG=VALAPPEND", "APPENDARG=2NDAPPEND", "FOO=TESTORDERED", "APPENDARG=3RDAPPEND"})
    k.append(a);
  CHECK(k.to_string() ==
        "FOO=BAR APPENDARG=VALAPPEND APPENDARG=2NDAPPEND FOO=TESTORDERED APPENDARG=3RDAPPEND");
  k.append_if_missing("FOO=other");
  k.append_if_missing("NEW");
  CHECK(k.to_string() ==
        "FOO=BAR APPENDARG=VALAPPEND APPENDARG=2NDAPPEND FOO=TESTORDERED APPENDARG=3RDAPPEND NEW");
}

TEST_CASE("replace collapses a key to one argument at its first place", "[boot][kargs]") {
  auto k = KernelArgs::parse("root=LABEL=MOO console=a quiet console=b rw");
  k.replace("console=ttyS0");
  CHECK(k.to_string() == "root=LABEL=MOO console=ttyS0 quiet rw");
  k.replace("root=/dev/sda1");  // the value itself may hold '='
  CHECK(k.to_string() == "root=/dev/sda1 console=ttyS0 quiet rw");
  k.replace("FOO=BAR");
  CHECK(k.to_string() == "root=/dev/sda1 console=ttyS0 quiet rw FOO=BAR");
  k.replace("quiet=1");
  CHECK(k.to_string() == "root=/dev/sda1 console=ttyS0 quiet=1 rw FOO=BAR");
}

TEST_CASE("replace_value edits one value in place", "[boot][kargs]") {
  auto k = KernelArgs::parse("a=1 b=2 a=3 c");
  k.replace_value("b=20");
  k.replace_value("a=3=30");
  k.replace_value("c=on");
  CHECK(k.to_string() == "a=1 b=20 a=30 c=on");
  CHECK_THROWS_WITH(k.replace_value("a=5"), "Multiple values for key 'a' found");
  CHECK_THROWS_WITH(k.replace_value("a=9=10"), "No karg 'a=9' found");
  CHECK_THROWS_WITH(k.replace_value("zz=1"), "No key 'zz' found");
  CHECK(k.to_string() == "a=1 b=20 a=30 c=on");
}

TEST_CASE("remove takes a key or an exact argument and names what is absent", "[boot][kargs]") {
  auto k = KernelArgs::parse("console=a quiet console=b root=x");
  k.remove("quiet");
  k.remove("root");  // one value: the bare key is enough
  CHECK(k.to_string() == "console=a console=b");
  CHECK_THROWS_WITH(k.remove("console"), "Multiple values for key 'console' found");
  CHECK_THROWS_WITH(k.remove("console=c"), "No karg 'console=c' found");
  CHECK_THROWS_WITH(k.remove("splash"), "No key 'splash' found");
  k.remove("console=b");
  CHECK_THROWS_WITH(k.remove("console=z"), "No karg 'console=z' found");
  CHECK(k.to_string() == "console=a");
  k.remove_if_present("splash");
  k.remove_if_present("console");
  CHECK(k.empty());
}

TEST_CASE("proc cmdline drops the bootloader's own arguments", "[boot][kargs]") {
  ot::TempDir dir{AT_FDCWD, "/tmp/ot-unit-kargs-"};
  ot::sys::write_all(ot::sys::open_at(dir.fd(), "cmdline", O_WRONLY | O_CREAT, 0644).get(),
                     "BOOT_IMAGE=(hd0,msdos1)/vmlinuz-5.10 root=UUID=abc ro initrd=\\initrd.img quiet "
                     "ostree=/ostree/boot.1/os/c/0\n");
  auto k = ot::boot::kernel_args_from_proc_cmdline("/proc/self/fd/" + std::to_string(dir.fd()) + "/cmdline");
  CHECK(k.to_string() == "root=UUID=abc ro quiet ostree=/ostree/boot.1/os/c/0");
  CHECK_THROWS_AS(ot::boot::kernel_args_from_proc_cmdline("/nonexistent/cmdline"), ot::Error);
}

TEST_CASE("karg options (--karg, --karg-append, --karg-delete) edit as upstream's deploy does", "[boot][kargs][upstream]") {
  namespace tb = ot::test::boot;
  if (!tb::can_run_reference()) {
    WARN("reference ostree not runnable as root here; skipped");
    return;
  }
  tb::Scratch s;
  s.make_tree("tree");
  s.ref_sysroot("tree", "sysroot");
  s.ref_deploy("sysroot", "tree",
               "--karg=root=/dev/vda1 --karg-append=a=1 --karg-append=b=2 --karg-append=a=3 --karg-append=quiet");
  s.ref_deploy("sysroot", "tree", "--karg=a=9 --karg-append=c --karg-append=a=10 --karg-delete=quiet");
  auto options_of = [&](const std::string& index) {
    const std::string out = tb::sh_out("grep -h -B3 '^options' " + (s / "sysroot/boot/loader/entries/") +
                                       "* | grep -A2 '(ostree:" + index + ")' | sed -n 's/^options //p'");
    auto k = KernelArgs::parse(out);
    k.remove("ostree");  // deploy's own argument, not the user's
    return k;
  };
  KernelArgs ours = options_of("1");
  CHECK(ours.to_string() == "root=/dev/vda1 a=1 b=2 a=3 quiet");
  ours.replace("a=9");
  ours.append("c");
  ours.append("a=10");
  ours.remove_if_present("quiet");
  CHECK(ours.to_string() == options_of("0").to_string());
}
