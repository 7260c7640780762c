#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string>

using namespace ot;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

struct Scratch {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-sys-"};
  int fd() const { return dir.fd(); }

  void write(const std::string& path, std::string_view data, mode_t mode = 0644) {
    auto f = sys::open_at(fd(), path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    sys::write_all(f.get(), data);
  }
};

// The errno an ot::Error carries, or 0 if fn did not throw one.
template <typename Fn>
int errnum_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.errnum();
  }
  return 0;
}

bool user_xattrs_supported(int dfd) {
  auto f = sys::open_at(dfd, ".xattr-probe", O_WRONLY | O_CREAT, 0644);
  bool ok = ::fsetxattr(f.get(), "user.probe", "1", 1, 0) == 0;
  sys::unlink_at(dfd, ".xattr-probe");
  return ok;
}

std::set<std::string> names_in(int dfd) {
  std::set<std::string> out;
  for (auto& e : sys::list_dir(dfd)) out.insert(e.name);
  return out;
}

}  // namespace

TEST_CASE("sys: errors name the call and path and keep errno", "[base][sys]") {
  Scratch s;
  try {
    sys::open_at(s.fd(), "missing/file", O_RDONLY);
    FAIL("opening a missing file succeeded");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Equals("openat(missing/file): No such file or directory"));
    CHECK(e.errnum() == ENOENT);
    // Context added on the way up keeps the errno of the root cause.
    auto outer = e.with_context("checkout of main");
    CHECK_THAT(outer.what(), Equals("checkout of main: openat(missing/file): No such file or directory"));
    CHECK(outer.errnum() == ENOENT);
  }
  s.write("file", "x");
  CHECK(errnum_of([&] { sys::mkdir_at(s.fd(), "file", 0755); }) == EEXIST);
  CHECK(errnum_of([&] { sys::open_dir(s.fd(), "file"); }) == ENOTDIR);
  CHECK(errnum_of([&] { sys::readlink_at(s.fd(), "file"); }) == EINVAL);
  CHECK_THROWS_WITH(sys::unlink_at(s.fd(), "nothing"), Equals("unlinkat(nothing): No such file or directory"));
}

TEST_CASE("sys: the _opt variants return nothing for the expected errno only", "[base][sys]") {
  Scratch s;
  CHECK_FALSE(sys::open_at_opt(s.fd(), "missing", O_RDONLY));
  CHECK_FALSE(sys::open_dir_opt(s.fd(), "missing"));
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "missing"));
  CHECK_FALSE(sys::read_file_at_opt(s.fd(), "missing"));
  CHECK_FALSE(sys::unlink_at_opt(s.fd(), "missing"));
  s.write("file", "content");
  // Other errors still throw: a file used as a directory is ENOTDIR, not absent.
  CHECK(errnum_of([&] { sys::open_at_opt(s.fd(), "file/inside", O_RDONLY); }) == ENOTDIR);
  CHECK(errnum_of([&] { sys::stat_at_opt(s.fd(), "file/inside"); }) == ENOTDIR);
  auto fd = sys::open_at_opt(s.fd(), "file", O_RDONLY);
  REQUIRE(fd);
  CHECK(sys::read_all(fd->get()) == "content");
  CHECK(sys::read_file_at_opt(s.fd(), "file") == "content");
  CHECK(sys::mkdir_at_opt(s.fd(), "d", 0755));
  CHECK_FALSE(sys::mkdir_at_opt(s.fd(), "d", 0755));
  CHECK(sys::link_at_opt(s.fd(), "file", s.fd(), "hardlink"));
  CHECK_FALSE(sys::link_at_opt(s.fd(), "file", s.fd(), "hardlink"));
  CHECK(sys::stat_at(s.fd(), "file").st_nlink == 2);
  CHECK(sys::unlink_at_opt(s.fd(), "hardlink"));
}

TEST_CASE("sys: file descriptors are close-on-exec", "[base][sys]") {
  Scratch s;
  s.write("f", "");
  auto fd = sys::open_at(s.fd(), "f", O_RDONLY);
  CHECK((::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(s.fd(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("sys: open_dir does not follow a symlink when told not to", "[base][sys]") {
  Scratch s;
  sys::mkdir_at(s.fd(), "real", 0755);
  sys::symlink_at("real", s.fd(), "link");
  CHECK(sys::open_dir(s.fd(), "link", sys::FollowLinks::yes));
  // Linux reports ENOTDIR for O_DIRECTORY|O_NOFOLLOW on a symlink (ELOOP
  // without O_DIRECTORY); either way it refuses.
  int err = errnum_of([&] { sys::open_dir(s.fd(), "link", sys::FollowLinks::no); });
  CHECK((err == ENOTDIR || err == ELOOP));
  CHECK_FALSE(sys::open_dir_opt(s.fd(), "missing", sys::FollowLinks::no));
}

TEST_CASE("sys: mkdirs_at creates missing parents and accepts existing ones", "[base][sys]") {
  Scratch s;
  auto old = ::umask(022);
  sys::mkdirs_at(s.fd(), "a/b/c/d", 0750);
  ::umask(old);
  auto st = sys::stat_at(s.fd(), "a/b/c/d");
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0750);
  CHECK((sys::stat_at(s.fd(), "a").st_mode & 07777) == 0750);
  sys::mkdirs_at(s.fd(), "a/b/c/d", 0750);  // again: no error
  sys::mkdirs_at(s.fd(), "a/b/", 0750);
  sys::mkdirs_at(s.fd(), "", 0750);
  // Through a symlink to a directory is fine; through or onto a file is not.
  sys::symlink_at("a/b", s.fd(), "link");
  sys::mkdirs_at(s.fd(), "link/c/e", 0755);
  CHECK(S_ISDIR(sys::stat_at(s.fd(), "a/b/c/e").st_mode));
  s.write("a/file", "");
  CHECK(errnum_of([&] { sys::mkdirs_at(s.fd(), "a/file", 0755); }) == EEXIST);
  CHECK(errnum_of([&] { sys::mkdirs_at(s.fd(), "a/file/sub/dir", 0755); }) == ENOTDIR);
}

TEST_CASE("sys: readlink_at returns targets of any length", "[base][sys]") {
  Scratch s;
  std::string target(3000, 'x');
  target += "/end";
  sys::symlink_at(target, s.fd(), "long");
  CHECK(sys::readlink_at(s.fd(), "long") == target);
  sys::symlink_at("exactly-256-" + std::string(244, 'y'), s.fd(), "at-buffer-size");
  CHECK(sys::readlink_at(s.fd(), "at-buffer-size").size() == 256);
}

TEST_CASE("sys: reads and writes move every byte", "[base][sys]") {
  Scratch s;
  std::string big;
  for (int i = 0; big.size() < 3 * 65536 + 17; i++) big += std::to_string(i) + ",";
  s.write("big", big);
  CHECK(sys::read_file_at(s.fd(), "big") == big);
  auto fd = sys::open_at(s.fd(), "big", O_RDONLY);
  char buf[10];
  CHECK(sys::pread_full(fd.get(), buf, sizeof buf, 100) == sizeof buf);
  CHECK(std::string(buf, sizeof buf) == big.substr(100, 10));
  // At the end, a short count rather than an error.
  CHECK(sys::pread_full(fd.get(), buf, sizeof buf, big.size() - 3) == 3);
  CHECK(sys::read_full(fd.get(), buf, 0) == 0);
  // read_file_at says which file failed, even for errors without a path.
  sys::mkdir_at(s.fd(), "dir", 0755);
  CHECK_THROWS_WITH(sys::read_file_at(s.fd(), "dir"), Contains("dir: read: Is a directory"));
}

TEST_CASE("sys: list_dir returns every entry but . and .., also past one getdents buffer",
          "[base][sys]") {
  Scratch s;
  std::set<std::string> expected;
  // Long names so the listing spans several 32 KiB getdents64 calls.
  for (int i = 0; i < 600; i++) {
    auto name = "entry-" + std::to_string(i) + "-" + std::string(100, 'n');
    s.write(name, "");
    expected.insert(name);
  }
  sys::mkdir_at(s.fd(), "subdir", 0755);
  expected.insert("subdir");
  auto entries = sys::list_dir(s.fd());
  CHECK(entries.size() == expected.size());
  CHECK(names_in(s.fd()) == expected);
  auto sub = std::find_if(entries.begin(), entries.end(), [](auto& e) { return e.name == "subdir"; });
  REQUIRE(sub != entries.end());
  CHECK((sub->type == DT_DIR || sub->type == DT_UNKNOWN));
  // The same fd can be listed again.
  CHECK(sys::list_dir(s.fd()).size() == expected.size());
}

TEST_CASE("sys: list_xattrs_at reads a symlink's own xattrs, not its target's", "[base][sys]") {
  Scratch s;
  if (!user_xattrs_supported(s.fd())) {
    WARN("no user.* xattrs on /tmp: not checked");
    return;
  }
  s.write("file", "");
  sys::set_xattr_at(s.fd(), "file", "user.b", "two");
  sys::set_xattr_at(s.fd(), "file", "user.a", std::string("bin\0ary", 7));
  sys::symlink_at("file", s.fd(), "link");

  auto on_file = sys::list_xattrs_at(s.fd(), "file");
  REQUIRE(on_file.size() == 2);
  CHECK(on_file[0] == std::pair<std::string, std::string>{"user.a", std::string("bin\0ary", 7)});
  CHECK(on_file[1] == std::pair<std::string, std::string>{"user.b", "two"});
  CHECK(sys::list_xattrs_fd(sys::open_at(s.fd(), "file", O_RDONLY).get()) == on_file);
  CHECK(sys::get_xattr_fd(sys::open_at(s.fd(), "file", O_RDONLY).get(), "user.b") == "two");
  CHECK_FALSE(sys::get_xattr_fd(sys::open_at(s.fd(), "file", O_RDONLY).get(), "user.none"));

  CHECK(sys::list_xattrs_at(s.fd(), "link").empty());
  if (::geteuid() == 0) {
    // Only trusted.* (and security.*) names fit on a symlink.
    sys::set_xattr_at(s.fd(), "link", "trusted.on-link", "L");
    CHECK(sys::list_xattrs_at(s.fd(), "link") ==
          sys::Xattrs{{"trusted.on-link", "L"}});
    CHECK(sys::list_xattrs_at(s.fd(), "file") == on_file);
  }
  // Set on a symlink, user.* is refused rather than landing on the target.
  CHECK(errnum_of([&] { sys::set_xattr_at(s.fd(), "link", "user.c", "x"); }) == EPERM);
  CHECK(sys::list_xattrs_at(s.fd(), "file").size() == 2);
  // An empty value is a value.
  sys::set_xattr_at(s.fd(), "file", "user.empty", "");
  CHECK(sys::list_xattrs_at(s.fd(), "file")[2] == std::pair<std::string, std::string>{"user.empty", ""});
}

TEST_CASE("sys: list_xattrs_at on a directory fd itself, and on a missing path", "[base][sys]") {
  Scratch s;
  if (!user_xattrs_supported(s.fd())) {
    WARN("no user.* xattrs on /tmp: not checked");
    return;
  }
  sys::mkdir_at(s.fd(), "d", 0755);
  sys::set_xattr_at(s.fd(), "d", "user.dir", "yes");
  auto d = sys::open_dir(s.fd(), "d");
  CHECK(sys::list_xattrs_fd(d.get()) == sys::Xattrs{{"user.dir", "yes"}});
  CHECK(errnum_of([&] { sys::list_xattrs_at(s.fd(), "missing"); }) == ENOENT);
}

TEST_CASE("sys: remove_tree_at removes everything, read-only or not, and nothing outside",
          "[base][sys]") {
  Scratch s;
  sys::mkdirs_at(s.fd(), "outside/keep", 0755);
  s.write("outside/keep/file", "precious");
  sys::mkdirs_at(s.fd(), "tree/a/b/c", 0755);
  s.write("tree/a/file", "x");
  s.write("tree/a/b/c/file", "x", 0000);
  sys::symlink_at("../../outside/keep", s.fd(), "tree/a/link-to-outside-dir");
  sys::symlink_at("/", s.fd(), "tree/link-to-root");
  sys::symlink_at("dangling", s.fd(), "tree/dangling");
  ::chmod(("/proc/self/fd/" + std::to_string(s.fd()) + "/tree/a/b/c").c_str(), 0500);
  ::chmod(("/proc/self/fd/" + std::to_string(s.fd()) + "/tree/a/b").c_str(), 0000);
  ::chmod(("/proc/self/fd/" + std::to_string(s.fd()) + "/tree/a").c_str(), 0555);

  sys::remove_tree_at(s.fd(), "tree");
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "tree"));
  CHECK(sys::read_file_at(s.fd(), "outside/keep/file") == "precious");

  sys::remove_tree_at(s.fd(), "tree");  // absent: no error
  s.write("plain", "");
  sys::remove_tree_at(s.fd(), "plain");  // a file: removed
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "plain"));
  sys::symlink_at("outside", s.fd(), "dirlink");
  sys::remove_tree_at(s.fd(), "dirlink");  // a symlink to a dir: the link only
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "dirlink"));
  CHECK(sys::read_file_at(s.fd(), "outside/keep/file") == "precious");
}
