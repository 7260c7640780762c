#pragma once
// Copies of files, symlinks and directory trees that keep what OSTree keeps:
// type, mode, ownership, xattrs and symlink targets. File content moves the
// cheapest way the filesystem allows (reflink, then copy_file_range, then
// read/write), so a copied /etc shares its blocks on btrfs and xfs. Nothing
// here follows a symlink.
#include "base/fd.hpp"
#include "base/reflink_copy.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ot::deploy {

// How file content was copied, for callers and tests that care about cost.
struct CopyStats {
  uint64_t reflinked = 0;        // files whose extents are shared
  uint64_t kernel_copied = 0;    // files copied by copy_file_range
  uint64_t buffer_copied = 0;    // files copied through read/write
  uint64_t bytes = 0;            // content bytes of copied regular files
  void count(CopyMethod m, uint64_t size);
};

// Upstream keeps a copied file's atime/mtime when carrying over a changed
// config file, and gives fresh copies of the defaults the current time.
enum class Times { keep, now };

// Copies the regular file or symlink src_dfd/src_name (described by st) to
// dst_dfd/dst_name, which must not exist. Content, owner, mode and xattrs
// (and times with Times::keep, regular files only) are copied. The file is
// created with O_EXCL and never written through a symlink.
void copy_leaf(int src_dfd, const std::string& src_name, const struct stat& st, int dst_dfd,
               const std::string& dst_name, Times times, CopyStats& stats);

// Sets dst_fd's owner, mode and xattrs to those of the directory src_fd.
// Existing xattrs of dst that src lacks are kept, as upstream does.
void copy_dir_metadata(int src_fd, int dst_fd);

// Copies the directory src_parent/src_name to dst_parent/dst_name (which must
// not exist) recursively; each directory gets its metadata once it is filled.
// Entries other than directories, regular files and symlinks (fifos, sockets,
// devices) are skipped, as upstream's /etc merge does.
void copy_tree(int src_parent, const std::string& src_name, int dst_parent, const std::string& dst_name,
               Times times, CopyStats& stats);

// Opens the directory at `path` (one or more components, relative to root_dfd).
// In-tree symlinks on the way are followed as upstream follows them, but a
// path that would leave root_dfd's tree (an absolute symlink, ".." above the
// root) throws ot::Error with EXDEV. nullopt when a component is missing.
std::optional<UniqueFd> open_dir_beneath_opt(int root_dfd, const std::string& path);
// The same, refusing every symlink on the way (ELOOP): for trees that the
// caller walked itself and found to be plain directories.
UniqueFd open_dir_no_symlinks(int root_dfd, const std::string& path);

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"}.
std::pair<std::string, std::string> split_parent(const std::string& path);

}  // namespace ot::deploy
