#pragma once
// The one rule rofiles-fuse exists for. Every operation that would change an
// existing file in place (open for writing, truncate, chmod, chown, setting
// or removing xattrs) asks judge_write() about the inode it is about to
// touch, using attributes read from an fd on that very inode.
#include <sys/stat.h>

namespace ot::rofiles {

// What --copyup selects: refuse in-place changes, or break the link first.
enum class SharedFiles { refuse, copy_up };

enum class Verdict {
  allow,    // private to this checkout: change it in place
  refuse,   // shared with the repository: fail with EROFS
  copy_up,  // shared: replace it with a private copy, then change the copy
};

// A regular file or symlink with more than one link is (potentially) a
// repository object, and an fs-verity file cannot change at all: both are
// shared. Directories, devices and single-link files are private.
Verdict judge_write(const struct statx& st, SharedFiles mode) noexcept;

// True if st describes content that must not change in place.
bool is_shared(const struct statx& st) noexcept;

}  // namespace ot::rofiles
