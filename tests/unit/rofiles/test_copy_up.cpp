#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "rofiles/copy_up.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using ot::rofiles::copy_up;
using ot::rofiles::CopyContent;
namespace sys = ot::sys;

namespace {

// A directory holding "repo" (the object) hardlinked as "file".
struct Checkout {
  ot::UniqueFd tmp = sys::open_dir(AT_FDCWD, "/var/tmp");
  ot::TempDir dir{tmp.get(), "copy-up-test-"};

  struct statx attrs(const std::string& name) {
    struct statx st;
    REQUIRE(::statx(dir.fd(), name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) == 0);
    return st;
  }
  ot::UniqueFd path_fd(const std::string& name) {
    return sys::open_at(dir.fd(), name, O_PATH | O_NOFOLLOW);
  }
  std::vector<std::string> names() {
    std::vector<std::string> out;
    for (auto& e : sys::list_dir(dir.fd())) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace

TEST_CASE("copy_up gives the name a private copy and leaves the object alone", "[copy_up]") {
  Checkout c;
  {
    auto fd = sys::open_at(c.dir.fd(), "repo", O_WRONLY | O_CREAT | O_EXCL, 0640);
    sys::write_all(fd.get(), "object content");
    sys::set_xattr_fd(fd.get(), "user.ostree-test", "kept");
    const struct timespec times[2] = {{1000, 5}, {2000, 7}};
    REQUIRE(::futimens(fd.get(), times) == 0);
  }
  sys::link_at(c.dir.fd(), "repo", c.dir.fd(), "file");
  auto before = c.attrs("file");
  REQUIRE(before.stx_nlink == 2);

  auto shared = c.path_fd("file");
  auto fd = copy_up(c.dir.fd(), "file", shared.get(), before, CopyContent::all);

  auto after = c.attrs("file");
  CHECK(after.stx_ino != before.stx_ino);
  CHECK(after.stx_nlink == 1);
  CHECK((after.stx_mode & 07777) == 0640);
  CHECK(after.stx_mtime.tv_sec == 2000);
  CHECK(after.stx_mtime.tv_nsec == 7);
  CHECK(sys::read_file_at(c.dir.fd(), "file") == "object content");
  CHECK(sys::list_xattrs_at(c.dir.fd(), "file") == sys::list_xattrs_at(c.dir.fd(), "repo"));
  // The returned fd writes to the copy, never to the object.
  sys::write_all(fd.get(), "NEW");
  CHECK(sys::read_file_at(c.dir.fd(), "file") == "NEWect content");
  CHECK(sys::read_file_at(c.dir.fd(), "repo") == "object content");
  CHECK(c.attrs("repo").stx_nlink == 1);
  CHECK(c.names() == std::vector<std::string>{"file", "repo"});  // no temporary left
}

TEST_CASE("copy_up for truncation skips the data", "[copy_up]") {
  Checkout c;
  {
    auto fd = sys::open_at(c.dir.fd(), "repo", O_WRONLY | O_CREAT | O_EXCL, 0755);
    sys::write_all(fd.get(), "big object");
  }
  sys::link_at(c.dir.fd(), "repo", c.dir.fd(), "file");
  auto shared = c.path_fd("file");
  copy_up(c.dir.fd(), "file", shared.get(), c.attrs("file"), CopyContent::none);
  CHECK(sys::read_file_at(c.dir.fd(), "file").empty());
  CHECK((c.attrs("file").stx_mode & 07777) == 0755);
  CHECK(sys::read_file_at(c.dir.fd(), "repo") == "big object");
}

TEST_CASE("copy_up of a hardlinked symlink makes a new symlink to the same target", "[copy_up]") {
  Checkout c;
  sys::symlink_at("../some/target", c.dir.fd(), "repo");
  sys::link_at(c.dir.fd(), "repo", c.dir.fd(), "link");
  auto before = c.attrs("link");
  REQUIRE(before.stx_nlink == 2);
  auto shared = c.path_fd("link");
  copy_up(c.dir.fd(), "link", shared.get(), before, CopyContent::all);
  auto after = c.attrs("link");
  CHECK(S_ISLNK(after.stx_mode));
  CHECK(after.stx_ino != before.stx_ino);
  CHECK(sys::readlink_at(c.dir.fd(), "link") == "../some/target");
  CHECK(c.attrs("repo").stx_nlink == 1);
  CHECK(c.names() == std::vector<std::string>{"link", "repo"});
}

TEST_CASE("copy_up refuses what is neither a file nor a symlink, leaving nothing", "[copy_up]") {
  Checkout c;
  sys::mkdir_at(c.dir.fd(), "d", 0755);
  auto shared = c.path_fd("d");
  try {
    copy_up(c.dir.fd(), "d", shared.get(), c.attrs("d"), CopyContent::all);
    FAIL("a directory was copied up");
  } catch (const ot::Error& e) {
    CHECK(e.errnum() == EINVAL);
  }
  CHECK(c.names() == std::vector<std::string>{"d"});
}
