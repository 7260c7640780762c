#pragma once
// Shared by the boot tests: trees with a kernel in each layout upstream
// knows, and scratch sysroots deployed by the reference binary (upstream
// 2022.7) so our output can be compared with what it wrote.
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace ot::test::boot {

// $REF_OSTREE, else Debian's /usr/bin/ostree.
inline std::string ref_ostree() {
  const char* env = std::getenv("REF_OSTREE");
  return env && *env ? env : "/usr/bin/ostree";
}

// Deploying with the reference needs root (it sets the immutable flag).
inline bool can_run_reference() { return ::geteuid() == 0 && ::access(ref_ostree().c_str(), X_OK) == 0; }

// Runs cmd with sh; the test fails (naming cmd) unless it exits 0.
inline void sh(const std::string& cmd) {
  INFO("command: " << cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

inline std::string sh_out(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  REQUIRE(p);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  INFO("command: " << cmd);
  REQUIRE(::pclose(p.release()) == 0);
  return out;
}

inline void write_file(int dfd, const std::string& path, const std::string& content) {
  const auto slash = path.rfind('/');
  if (slash != std::string::npos) ot::sys::mkdirs_at(dfd, path.substr(0, slash), 0755);
  auto fd = ot::sys::open_at(dfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ot::sys::write_all(fd.get(), content);
}

// A scratch directory; deployment directories the reference made immutable
// are released before it is removed.
struct Scratch {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-boot-"};
  int fd() const { return dir.fd(); }
  std::string operator/(const std::string& name) const { return dir.name() + "/" + name; }
  ~Scratch() { release_immutable(dir.fd()); }

  static void release_immutable(int dfd) {
    for (const auto& e : ot::sys::list_dir(dfd)) {
      if (e.type != DT_DIR) continue;
      auto sub = ot::sys::open_dir_opt(dfd, e.name, ot::sys::FollowLinks::no);
      if (!sub) continue;
      int flags = 0;
      if (::ioctl(sub->get(), FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL)) {
        flags &= ~FS_IMMUTABLE_FL;
        ::ioctl(sub->get(), FS_IOC_SETFLAGS, &flags);
      }
      release_immutable(sub->get());
    }
  }

  // tree/ with the kernel and initramfs of the brief's example and an
  // os-release; its bootcsum is sha256("kernel\ninitrd\n").
  void make_tree(const std::string& tree) const {
    write_file(fd(), tree + "/usr/lib/modules/5.10.0-test/vmlinuz", "kernel\n");
    write_file(fd(), tree + "/usr/lib/modules/5.10.0-test/initramfs.img", "initrd\n");
    write_file(fd(), tree + "/usr/lib/os-release", "NAME=Test\nPRETTY_NAME=\"Test OS 1\"\n");
    ot::sys::mkdirs_at(fd(), tree + "/usr/etc", 0755);
  }

  // sysroot/ initialised by the reference with stateroot testos and the
  // commit of tree/ as os/main in its repo (fsync off for speed).
  void ref_sysroot(const std::string& tree, const std::string& sysroot) const {
    const std::string o = ref_ostree();
    sh(o + " --repo=" + (*this / "repo") + " init --mode=archive 2>/dev/null || true");
    sh(o + " --repo=" + (*this / "repo") + " commit -b os/" + tree + " --tree=dir=" + (*this / tree) +
       " -s v1 --add-metadata-string=version=1.0 >/dev/null");
    ot::sys::mkdirs_at(fd(), sysroot, 0755);
    sh(o + " admin init-fs " + (*this / sysroot) + " >/dev/null");
    sh(o + " admin os-init --sysroot=" + (*this / sysroot) + " testos >/dev/null");
    sh(o + " --repo=" + (*this / sysroot) + "/ostree/repo config set core.fsync false");
    sh(o + " --repo=" + (*this / sysroot) + "/ostree/repo pull-local " + (*this / "repo") + " os/" + tree +
       " >/dev/null");
  }

  // `ostree admin deploy` of os/<tree> with the reference.
  void ref_deploy(const std::string& sysroot, const std::string& tree, const std::string& args) const {
    sh(ref_ostree() + " admin deploy --sysroot=" + (*this / sysroot) + " --os=testos os/" + tree + " " + args +
       " >/dev/null 2>&1");
  }
};

}  // namespace ot::test::boot
