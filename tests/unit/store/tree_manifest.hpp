#pragma once
// Test helper: one line per entry of a directory tree with what OSTree
// preserves (type, mode, owner, content or link target, xattrs), sorted by
// path, so two checkouts can be compared with one CHECK.
#include "base/hex.hpp"
#include "base/sys.hpp"
#include "store/checksum.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace ot::test {

inline void manifest_walk(int dfd, const std::string& rel, std::vector<std::string>& out) {
  for (auto& e : sys::list_dir(dfd)) {
    auto st = sys::stat_at(dfd, e.name);
    std::string path = rel + "/" + e.name;
    char head[96];
    std::snprintf(head, sizeof head, "\t%c %04o %u:%u ", S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f',
                  unsigned(st.st_mode & 07777), unsigned(st.st_uid), unsigned(st.st_gid));
    std::string line = path + head;
    if (S_ISREG(st.st_mode)) {
      auto fd = sys::open_at(dfd, e.name, O_RDONLY | O_NOFOLLOW);
      line += store::digest_hex(store::sha256(sys::read_all(fd.get())));
    } else if (S_ISLNK(st.st_mode)) {
      line += "->" + sys::readlink_at(dfd, e.name);
    } else {
      line += "-";
    }
    line += " {";
    for (auto& [k, v] : sys::list_xattrs_at(dfd, e.name)) line += k + "=" + to_hex(v) + ",";
    line += "}";
    out.push_back(line);
    if (S_ISDIR(st.st_mode)) {
      // Read-only directories (0000 even) are listable by root only; the
      // tests run as root, as the edge tree's owners require.
      auto sub = sys::open_dir(dfd, e.name, sys::FollowLinks::no);
      manifest_walk(sub.get(), path, out);
    }
  }
}

// Manifest of the tree at dfd/path, the root itself as ".".
inline std::vector<std::string> tree_manifest(int dfd, const std::string& path) {
  std::vector<std::string> out;
  auto root = sys::open_dir(dfd, path, sys::FollowLinks::no);
  auto st = sys::fstat(root.get());
  char head[64];
  std::snprintf(head, sizeof head, ".\td %04o %u:%u", unsigned(st.st_mode & 07777), unsigned(st.st_uid),
                unsigned(st.st_gid));
  out.push_back(head);
  manifest_walk(root.get(), "", out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ot::test
