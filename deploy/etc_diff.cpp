#include "deploy/etc_diff.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

namespace ot::deploy {
namespace {

struct Entry {
  std::string name;
  struct stat st;
};

// Entries of dfd in the order upstream walks them: GLib's enumerator reads
// 1000 names at a time and sorts each batch by inode number before stat-ing.
std::vector<Entry> list_in_walk_order(int dfd) {
  std::vector<Entry> out;
  for (auto& e : sys::list_dir(dfd)) out.push_back({e.name, sys::stat_at(dfd, e.name)});
  constexpr size_t batch = 1000;
  for (size_t b = 0; b < out.size(); b += batch) {
    auto end = out.begin() + static_cast<std::ptrdiff_t>(std::min(out.size(), b + batch));
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(b), end,
                     [](const Entry& x, const Entry& y) { return x.st.st_ino < y.st.st_ino; });
  }
  return out;
}

bool same_content(int a_dfd, const Entry& a, int b_dfd, const Entry& b) {
  if (a.st.st_size != b.st.st_size) return false;
  auto fa = sys::open_at(a_dfd, a.name, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
  auto fb = sys::open_at(b_dfd, b.name, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
  constexpr size_t chunk = 256 * 1024;
  auto buf = std::make_unique<char[]>(2 * chunk);
  for (off_t at = 0;; at += static_cast<off_t>(chunk)) {
    size_t na = sys::pread_full(fa.get(), buf.get(), chunk, at);
    size_t nb = sys::pread_full(fb.get(), buf.get() + chunk, chunk, at);
    if (na != nb || std::memcmp(buf.get(), buf.get() + chunk, na) != 0) return false;
    if (na < chunk) return true;
  }
}

sys::Xattrs xattrs_of(int dfd, const Entry& e) {
  if (S_ISDIR(e.st.st_mode)) {
    auto fd = sys::open_dir(dfd, e.name, sys::FollowLinks::no);
    return sys::list_xattrs_fd(fd.get());
  }
  return sys::list_xattrs_at(dfd, e.name);
}

// Whether upstream's checksums of the two entries (both of one type) differ:
// a directory's covers owner, mode (and xattrs); anything else's adds the
// symlink target or the content.
bool differs(int a_dfd, const Entry& a, int b_dfd, const Entry& b, XattrDiff xattrs) {
  if (a.st.st_mode != b.st.st_mode || a.st.st_uid != b.st.st_uid || a.st.st_gid != b.st.st_gid) return true;
  if (S_ISLNK(a.st.st_mode) && sys::readlink_at(a_dfd, a.name) != sys::readlink_at(b_dfd, b.name)) return true;
  if (S_ISREG(a.st.st_mode) && !same_content(a_dfd, a, b_dfd, b)) return true;
  return xattrs == XattrDiff::compare && xattrs_of(a_dfd, a) != xattrs_of(b_dfd, b);
}

// The GFileType upstream compares: a regular file that became a symlink is
// a modification either way, but only a change to or from a directory stops
// the walk below it.
bool same_type(const struct stat& a, const struct stat& b) {
  return (a.st_mode & S_IFMT) == (b.st_mode & S_IFMT);
}

class Walker {
public:
  Walker(XattrDiff xattrs, EtcChanges& out) : xattrs_(xattrs), out_(out) {}

  void dirs(int a_dfd, int b_dfd, const std::string& prefix) {
    for (auto& ea : list_in_walk_order(a_dfd)) {
      const std::string path = prefix + ea.name;
      auto st_b = sys::stat_at_opt(b_dfd, ea.name);
      if (!st_b) {
        out_.removed.push_back(path);
        continue;
      }
      Entry eb{ea.name, *st_b};
      if (!same_type(ea.st, eb.st)) {
        out_.modified.push_back(path);
        continue;
      }
      if (differs(a_dfd, ea, b_dfd, eb, xattrs_)) out_.modified.push_back(path);
      if (S_ISDIR(ea.st.st_mode)) {
        auto sub_a = sys::open_dir(a_dfd, ea.name, sys::FollowLinks::no);
        auto sub_b = sys::open_dir(b_dfd, ea.name, sys::FollowLinks::no);
        dirs(sub_a.get(), sub_b.get(), path + "/");
      }
    }
    for (auto& eb : list_in_walk_order(b_dfd)) {
      if (sys::stat_at_opt(a_dfd, eb.name)) continue;
      const std::string path = prefix + eb.name;
      out_.added.push_back(path);
      if (S_ISDIR(eb.st.st_mode)) add_all(b_dfd, eb.name, path + "/");
    }
  }

private:
  void add_all(int parent_dfd, const std::string& name, const std::string& prefix) {
    auto dfd = sys::open_dir(parent_dfd, name, sys::FollowLinks::no);
    for (auto& e : list_in_walk_order(dfd.get())) {
      out_.added.push_back(prefix + e.name);
      if (S_ISDIR(e.st.st_mode)) add_all(dfd.get(), e.name, prefix + e.name + "/");
    }
  }

  XattrDiff xattrs_;
  EtcChanges& out_;
};

}  // namespace

EtcChanges diff_dirs(int orig_dfd, int modified_dfd, DiffOrder order, XattrDiff xattrs) {
  EtcChanges out;
  Walker(xattrs, out).dirs(orig_dfd, modified_dfd, "");
  if (order == DiffOrder::sorted) {
    // Bytewise order keeps every directory ahead of its contents ("a" <
    // "a-b" < "a/b"), which the merge relies on.
    std::sort(out.modified.begin(), out.modified.end());
    std::sort(out.removed.begin(), out.removed.end());
    std::sort(out.added.begin(), out.added.end());
  }
  return out;
}

EtcChanges diff_etc(int deployment_dfd, DiffOrder order, XattrDiff xattrs) {
  return with_context("While computing configuration diff", [&] {
    auto orig = sys::open_dir(deployment_dfd, "usr/etc", sys::FollowLinks::no);
    auto modified = sys::open_dir(deployment_dfd, "etc", sys::FollowLinks::no);
    return diff_dirs(orig.get(), modified.get(), order, xattrs);
  });
}

EtcChanges diff_etc(int deployment_dfd) { return diff_etc(deployment_dfd, DiffOrder::sorted); }

std::vector<std::string> config_diff_lines(int deployment_dfd) {
  auto changes = diff_etc(deployment_dfd, DiffOrder::walk);
  std::vector<std::string> lines;
  auto emit = [&](char tag, const std::vector<std::string>& paths) {
    for (auto& p : paths) lines.push_back(std::string(1, tag) + "    " + p + "\n");
  };
  emit('M', changes.modified);
  emit('D', changes.removed);
  emit('A', changes.added);
  return lines;
}

}  // namespace ot::deploy
