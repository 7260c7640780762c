#pragma once
// Content objects: a file's bytes plus its FileMeta, stored per repo mode
// (bare: a real file with real ownership; bare-user: ownership in the
// user.ostreemeta xattr; bare-user-only: mode only; archive: a .filez with a
// header and raw-deflate payload).
#include "base/fd.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>

namespace ot::store {

// An opened content object.
struct ContentObject {
  FileMeta meta;
  uint64_t size = 0;            // uncompressed content length; 0 for symlinks
  UniqueFd fd;                  // the object file (not for symlinks in bare modes)
  uint64_t payload_offset = 0;  // where content starts in fd
  bool compressed = false;      // archive: raw deflate from payload_offset
  bool is_symlink() const { return S_ISLNK(meta.mode); }
};

// Opens a content object. Throws "No such file object <csum>" if absent.
ContentObject load_content(const Repo& repo, const Digest& csum);
std::optional<ContentObject> load_content_opt(const Repo& repo, const Digest& csum);
// The content bytes (decompressed); for a symlink, empty.
std::string read_content(const ContentObject& obj);
// Streams the content into out_fd.
void copy_content_to(const ContentObject& obj, int out_fd);
// Re-hashes the object; true when it matches csum.
bool verify_content(const ContentObject& obj, const Digest& csum);

// SHA-256 of the size-prefixed header followed by content.
Digest content_checksum(const FileMeta& meta, std::string_view content);

// Stores a content object whose bytes are in memory (regular file) or none
// (symlink: meta.symlink_target). With expected, a mismatch throws and
// nothing lands. Skips the write when the object already exists. (Defined in
// content_writer.cpp, as are the two below.)
Digest write_content(Repo& repo, const FileMeta& meta, std::string_view content,
                     const std::optional<Digest>& expected = std::nullopt);
// Same for a regular file read from fd (size bytes), holding at most one
// chunk (kContentChunk) of it in memory however large it is.
Digest write_content_from_fd(Repo& repo, const FileMeta& meta, int fd, uint64_t size);

// The archive payload for content (raw deflate at the given level).
std::string compress_payload(std::string_view content, int level);

}  // namespace ot::store
