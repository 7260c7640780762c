#pragma once
// Replace a file so that a crash leaves either the old or the new content:
// write a temporary file beside it, fsync, then rename over the target.
#include <sys/types.h>

#include <string>
#include <string_view>

namespace ot {

enum class Durability {
  fsync,   // data synced before the rename; the directory after it
  nosync,  // for scratch state that a crash may lose (tests, caches)
};

// Atomically replaces dfd/path with data, created with mode (before umask).
void write_file_atomic(int dfd, const std::string& path, std::string_view data,
                       mode_t mode = 0644, Durability durability = Durability::fsync);

// Atomically replaces dfd/path with a symlink to target.
void symlink_atomic(const std::string& target, int dfd, const std::string& path);

}  // namespace ot
