#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <set>
#include <string>

using namespace ot;

namespace {

struct Scratch {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-atomic-"};
  int fd() const { return dir.fd(); }
};

std::set<std::string> names_in(int dfd) {
  std::set<std::string> out;
  for (auto& e : sys::list_dir(dfd)) out.insert(e.name);
  return out;
}

// Sets the umask for a scope, so modes "before umask" are checked exactly.
struct UmaskScope {
  explicit UmaskScope(mode_t m) : old(::umask(m)) {}
  ~UmaskScope() { ::umask(old); }
  mode_t old;
};

}  // namespace

TEST_CASE("atomic_file: creates a file with the content and mode", "[base][atomic_file]") {
  Scratch s;
  UmaskScope u(022);
  write_file_atomic(s.fd(), "config", "[core]\nmode=bare\n", 0640);
  CHECK(sys::read_file_at(s.fd(), "config") == "[core]\nmode=bare\n");
  CHECK((sys::stat_at(s.fd(), "config").st_mode & 07777) == 0640);
  CHECK(names_in(s.fd()) == std::set<std::string>{"config"});
  write_file_atomic(s.fd(), "default-mode", "x");
  CHECK((sys::stat_at(s.fd(), "default-mode").st_mode & 07777) == 0644);
  write_file_atomic(s.fd(), "empty", "", 0600, Durability::nosync);
  CHECK(sys::stat_at(s.fd(), "empty").st_size == 0);
}

TEST_CASE("atomic_file: replacing swaps in a new inode, never rewrites the old one",
          "[base][atomic_file]") {
  Scratch s;
  write_file_atomic(s.fd(), "ref", "old-checksum\n");
  // A reader holding the old file, and a hardlink to it (as a checkout
  // hardlinked to the object store would be), keep seeing the old content.
  auto reader = sys::open_at(s.fd(), "ref", O_RDONLY);
  sys::link_at(s.fd(), "ref", s.fd(), "hardlink");
  auto old_ino = sys::stat_at(s.fd(), "ref").st_ino;

  write_file_atomic(s.fd(), "ref", "new-checksum\n", 0600);
  CHECK(sys::read_file_at(s.fd(), "ref") == "new-checksum\n");
  CHECK(sys::stat_at(s.fd(), "ref").st_ino != old_ino);
  CHECK((sys::stat_at(s.fd(), "ref").st_mode & 07777) == 0600);
  CHECK(sys::read_all(reader.get()) == "old-checksum\n");
  CHECK(sys::read_file_at(s.fd(), "hardlink") == "old-checksum\n");
  CHECK(names_in(s.fd()) == std::set<std::string>{"ref", "hardlink"});
}

TEST_CASE("atomic_file: a path with directories, and a replace of a longer file",
          "[base][atomic_file]") {
  Scratch s;
  sys::mkdirs_at(s.fd(), "refs/heads", 0755);
  write_file_atomic(s.fd(), "refs/heads/main", std::string(10000, 'a'));
  write_file_atomic(s.fd(), "refs/heads/main", "short\n");
  CHECK(sys::read_file_at(s.fd(), "refs/heads/main") == "short\n");
  CHECK(names_in(sys::open_dir(s.fd(), "refs/heads").get()) == std::set<std::string>{"main"});
}

TEST_CASE("atomic_file: a failed replace leaves the old state and no temp files",
          "[base][atomic_file]") {
  Scratch s;
  // The target is a non-empty directory: the rename fails.
  sys::mkdirs_at(s.fd(), "target/child", 0755);
  CHECK_THROWS_AS(write_file_atomic(s.fd(), "target", "data"), Error);
  CHECK(names_in(s.fd()) == std::set<std::string>{"target"});
  CHECK(S_ISDIR(sys::stat_at(s.fd(), "target").st_mode));
  // The directory does not exist: nothing is created anywhere.
  CHECK_THROWS_AS(write_file_atomic(s.fd(), "missing/file", "data"), Error);
  CHECK(names_in(s.fd()) == std::set<std::string>{"target"});
  CHECK_THROWS_AS(symlink_atomic("x", s.fd(), "target"), Error);
  CHECK(names_in(s.fd()) == std::set<std::string>{"target"});
}

TEST_CASE("atomic_file: symlink_atomic creates and retargets a symlink", "[base][atomic_file]") {
  Scratch s;
  symlink_atomic("loader.0", s.fd(), "loader");
  CHECK(sys::readlink_at(s.fd(), "loader") == "loader.0");
  symlink_atomic("loader.1", s.fd(), "loader");
  CHECK(sys::readlink_at(s.fd(), "loader") == "loader.1");
  // It also replaces a regular file.
  write_file_atomic(s.fd(), "was-a-file", "x");
  symlink_atomic("target", s.fd(), "was-a-file");
  CHECK(S_ISLNK(sys::stat_at(s.fd(), "was-a-file").st_mode));
  CHECK(names_in(s.fd()) == std::set<std::string>{"loader", "was-a-file"});
}
