#pragma once
// Reads the content of archive-mode objects (.filez: a header, then raw
// deflate) at any offset without inflating from the start each time.
//
// Objects up to `whole_object_max` are inflated in one go (libdeflate, about
// three times faster than zlib's streaming inflate) and cached whole. Larger
// ones are cut into fixed-size chunks produced by a zlib stream that stays
// positioned after the last chunk it made, so a sequential read is linear;
// while streaming, restart points (bit position plus the 32 KiB window, as
// zlib's examples/zran.c describes) are recorded at deflate block boundaries,
// so a random read inflates at most one span instead of the whole prefix.
//
// Corruption is never served: the inflated length must equal the header's
// size and the deflate stream must end exactly there, else Error(EIO).
#include "fuse/chunk_cache.hpp"
#include "store/checksum.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ot::fuse {

// What the reader needs to know of an archive object (from its header).
struct ArchiveObject {
  store::Digest checksum;
  uint64_t size = 0;            // inflated content length
  uint64_t payload_offset = 0;  // where the deflate stream starts in the file
};

struct ArchiveLimits {
  size_t whole_object_max = 8u << 20;  // inflate whole objects up to this size
  size_t chunk = 1u << 20;             // chunk size of larger objects
  size_t max_streams = 16;             // large objects with live streams/restart points
  size_t max_restart_points = 64;      // per object: spacing is max(chunk, size / this)
};

// One piece of a read: bytes [offset, offset + length) of a cached chunk.
struct Piece {
  Chunk chunk;
  size_t offset = 0;
  size_t length = 0;
};

class ArchiveReader {
public:
  // objects_dfd: the repository's objects/ directory (not owned).
  ArchiveReader(int objects_dfd, ChunkCache& cache, ArchiveLimits limits = {});
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The pieces covering [offset, offset + length) of the content, clamped to
  // its size (empty at or past the end). Throws Error(EIO) on corruption.
  std::vector<Piece> read(const ArchiveObject& object, uint64_t offset, size_t length);
  // True when read(object, offset, length) would be served from the cache,
  // without inflating anything.
  bool cached(const ArchiveObject& object, uint64_t offset, size_t length);
  // Passes the whole content to fn in order, chunk by chunk (for --verify).
  void for_each_chunk(const ArchiveObject& object, const std::function<void(std::string_view)>& fn);

  // Number of inflate streams started or restarted (for tests: random reads
  // of a large object must not restart from the beginning every time).
  uint64_t stream_restarts() const;
  // Bytes inflated by the streams of large objects, including bytes skipped
  // to reach a read's offset (for tests: the cost of random reads).
  uint64_t streamed_bytes() const;

private:
  struct Stream;
  Chunk load_whole(const ArchiveObject& object);
  Chunk load_chunk(const ArchiveObject& object, uint64_t index);
  std::shared_ptr<Stream> stream_for(const store::Digest& object);
  size_t chunk_size(const ArchiveObject& object) const;

  int objects_dfd_;
  ChunkCache& cache_;
  ArchiveLimits limits_;
  std::atomic<uint64_t> restarts_{0};
  std::atomic<uint64_t> inflated_{0};
  std::mutex streams_mutex_;
  std::vector<std::pair<store::Digest, std::shared_ptr<Stream>>> streams_;  // front: most recent
};

}  // namespace ot::fuse
