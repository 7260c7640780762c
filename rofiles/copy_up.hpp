#pragma once
// Breaking a hardlink the way overlayfs "copies up": a private copy of a
// shared file is built beside it and renamed over its name, so the
// repository object (and every other checkout linking it) is never touched,
// and readers of the name see either the old inode or the complete copy.
#include "base/fd.hpp"

#include <sys/stat.h>

#include <string>

namespace ot::rofiles {

enum class CopyContent {
  all,   // the copy starts with the original bytes
  none,  // the caller is about to truncate to zero: skip copying data
};

// Replaces dirfd/name, whose current inode is `shared` (any fd on it, O_PATH
// is enough) with attributes `st`, by a private copy with the same content,
// mode, owner, xattrs and (regular files) timestamps. Regular files are
// copied with FICLONE when the filesystem can share extents. Returns an
// O_RDWR fd on the new regular file, or an O_PATH fd on the new symlink.
// Throws ot::Error carrying the errno of the step that failed.
UniqueFd copy_up(int dirfd, const std::string& name, int shared, const struct statx& st,
                 CopyContent content);

}  // namespace ot::rofiles
