#pragma once
// Writing a content object with memory bounded by one chunk, whatever the
// file's size: the content is hashed (and for archive repos compressed) as it
// streams into a temporary file in the repo's tmp/, which lands under its
// checksum only once complete and verified. A writer that is not finished
// leaves nothing behind.
#include "base/temp_file.hpp"
#include "store/checksum.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ot::store {

// Content at most this long is handled whole in memory; longer content is
// streamed through buffers of this size.
inline constexpr size_t kContentChunk = 256 << 10;

class ContentWriter {
public:
  // Starts a regular-file object of exactly size content bytes described by meta.
  ContentWriter(Repo& repo, const FileMeta& meta, uint64_t size);
  ~ContentWriter();
  ContentWriter(const ContentWriter&) = delete;
  ContentWriter& operator=(const ContentWriter&) = delete;

  // Appends content; throws if it goes past the announced size.
  void write(std::string_view data);
  // Content bytes written so far.
  uint64_t written() const { return written_; }
  // Checks that the announced size arrived and, with expected, the checksum
  // (a mismatch throws "Corrupted file object" and nothing lands); then lands
  // the object unless the repo has it. Returns the checksum.
  Digest finish(const std::optional<Digest>& expected = std::nullopt);

private:
  void compress_and_write(std::string_view chunk, bool last);
  bool archive() const { return level_ != 0; }

  Repo& repo_;
  FileMeta meta_;
  uint64_t size_;
  uint64_t written_ = 0;
  TempFile tmp_;
  Sha256 hash_;
  int level_ = 0;              // archive repos: the compression level
  std::string pending_;        // archive: content not yet compressed
  bool stream_ended_ = false;  // archive: the last chunk has been compressed
};

// A temporary file for the object csum: in a transaction, beside where it
// will land (the staging XX/ directory), so that landing is a rename within
// one directory; otherwise in tmp/.
TempFile content_temp_file(Repo& repo, const Digest& csum);

// Lands a complete, verified object file from tmp under csum in the open
// transaction (or objects/), unless the repo has the object; tmp is then
// removed.
void land_content_file(Repo& repo, const Digest& csum, TempFile& tmp);

// Applies meta to an object file of a bare-mode repo as its mode stores it
// (ownership, permissions, xattrs or user.ostreemeta, mtime 0), and syncs it
// when no transaction will.
void apply_content_meta(const Repo& repo, int fd, const FileMeta& meta);

}  // namespace ot::store
