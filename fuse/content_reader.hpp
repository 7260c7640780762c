#pragma once
// The bytes of content objects as the kernel reads them: in the bare modes a
// range of the object file itself (so libfuse can splice it to the kernel);
// in archive mode inflated pieces from the shared chunk cache. With
// Verify::yes an object is re-hashed before its first byte is served; a
// mismatch makes every read of it fail with EIO and logs the object once.
#include "base/fd.hpp"
#include "fuse/archive_reader.hpp"
#include "fuse/chunk_cache.hpp"
#include "fuse/commit_tree.hpp"
#include "fuse/log.hpp"
#include "store/repo.hpp"

#include <array>
#include <mutex>
#include <vector>

namespace ot::fuse {

enum class Verify { no, yes };

// What one read returns: either a byte range of an open object file, or
// pieces of inflated chunks (never both).
struct ReadResult {
  UniqueFd fd;
  uint64_t fd_offset = 0;
  size_t fd_length = 0;
  std::vector<Piece> pieces;
  size_t size() const;
};

class ContentReader {
public:
  // cache_bytes bounds the inflated archive content kept in memory.
  ContentReader(const store::Repo& repo, Verify verify, Log& log, size_t cache_bytes);

  // Bytes [offset, offset + length) of a regular file's content, clamped to
  // its size. Throws Error(EIO), logged once per object, when the object is
  // missing, corrupt, or (with Verify::yes) does not match its checksum.
  ReadResult read(const FileObject& object, uint64_t offset, size_t length);
  // True when read() of this range can answer at once: nothing to verify
  // first, and bare content (from the page cache) or archive content that
  // is cached or small enough to inflate on the spot.
  bool is_quick(const FileObject& object, uint64_t offset, size_t length);
  // With Verify::yes, checks the object (a symlink's target, before readlink
  // serves it); a no-op otherwise. Throws like read().
  void check(const FileObject& object);

  const ChunkCache& cache() const { return cache_; }
  const ArchiveReader& archive() const { return archive_; }

private:
  bool matches(const FileObject& object);

  const store::Repo& repo_;
  Verify verify_;
  Log& log_;
  ChunkCache cache_;
  ArchiveReader archive_;
  std::array<std::mutex, 16> verify_mutexes_;  // one verification per object at a time
};

}  // namespace ot::fuse
