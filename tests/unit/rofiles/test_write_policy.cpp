#include "rofiles/write_policy.hpp"

#include <catch2/catch.hpp>

using ot::rofiles::judge_write;
using ot::rofiles::SharedFiles;
using ot::rofiles::Verdict;

namespace {

struct statx attrs(mode_t type, unsigned nlink) {
  struct statx st{};
  st.stx_mode = type | 0644;
  st.stx_nlink = nlink;
  return st;
}

}  // namespace

TEST_CASE("a regular file with one link is private", "[write_policy]") {
  CHECK(judge_write(attrs(S_IFREG, 1), SharedFiles::refuse) == Verdict::allow);
  CHECK(judge_write(attrs(S_IFREG, 1), SharedFiles::copy_up) == Verdict::allow);
}

TEST_CASE("hardlinked regular files and symlinks are shared", "[write_policy]") {
  for (mode_t type : {S_IFREG, S_IFLNK}) {
    CHECK(judge_write(attrs(type, 2), SharedFiles::refuse) == Verdict::refuse);
    CHECK(judge_write(attrs(type, 7), SharedFiles::copy_up) == Verdict::copy_up);
  }
}

TEST_CASE("directories and special files are never shared", "[write_policy]") {
  // A directory's link count counts its subdirectories, not sharing.
  for (mode_t type : {S_IFDIR, S_IFIFO, S_IFSOCK, S_IFCHR}) {
    CHECK(judge_write(attrs(type, 3), SharedFiles::refuse) == Verdict::allow);
  }
}

#ifdef STATX_ATTR_VERITY
TEST_CASE("an fs-verity file is shared even with a single link", "[write_policy]") {
  auto st = attrs(S_IFREG, 1);
  st.stx_attributes_mask = STATX_ATTR_VERITY;
  st.stx_attributes = STATX_ATTR_VERITY;
  CHECK(judge_write(st, SharedFiles::refuse) == Verdict::refuse);
  CHECK(judge_write(st, SharedFiles::copy_up) == Verdict::copy_up);
  // The attribute only counts when the kernel says it knows it.
  st.stx_attributes_mask = 0;
  CHECK(judge_write(st, SharedFiles::refuse) == Verdict::allow);
}
#endif
