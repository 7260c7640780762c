#include "fuse/archive_reader.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/objects.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace ot::fuse {
namespace {

constexpr size_t kWindow = 32768;  // deflate's maximum back-reference distance
constexpr size_t kInputBuffer = 64 * 1024;

[[noreturn]] void corrupted(const store::Digest& csum, std::string_view what) {
  throw Error("archive object " + store::digest_hex(csum) + ".filez: " + std::string(what), EIO);
}

UniqueFd open_object(int objects_dfd, const store::Digest& csum) {
  return sys::open_at(objects_dfd,
                      store::loose_object_path(csum, store::ObjectType::file, store::RepoMode::archive),
                      O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

libdeflate_decompressor* thread_decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(
      libdeflate_alloc_decompressor());
  if (!d) throw Error("libdeflate_alloc_decompressor failed", ENOMEM);
  return d.get();
}

// A place deflate can be resumed from without the data before it.
struct RestartPoint {
  uint64_t out = 0;     // content offset
  uint64_t in = 0;      // file offset of the first byte not fully consumed
  int bits = 0;         // bits of the byte before `in` still to be consumed
  std::string window;   // the last min(out, 32 KiB) content bytes
};

// A raw-inflate stream over one object file, positioned at content offset out().
class Inflater {
public:
  Inflater(const store::Digest& csum, int fd, uint64_t payload_offset)
      : csum_(csum), fd_(fd), in_pos_(payload_offset), input_(kInputBuffer, '\0'),
        window_(kWindow, '\0') {
    init();
  }

  Inflater(const store::Digest& csum, int fd, const RestartPoint& point)
      : csum_(csum), fd_(fd), in_pos_(point.in), out_(point.out), input_(kInputBuffer, '\0'),
        window_(kWindow, '\0') {
    init();
    if (point.bits) {
      unsigned char byte;
      if (sys::pread_full(fd_, &byte, 1, in_pos_ - 1) != 1) corrupted(csum_, "truncated payload");
      if (inflatePrime(&zs_, point.bits, byte >> (8 - point.bits)) != Z_OK)
        corrupted(csum_, "cannot resume inflate");
    }
    if (!point.window.empty()) {
      if (inflateSetDictionary(&zs_, reinterpret_cast<const Bytef*>(point.window.data()),
                               point.window.size()) != Z_OK)
        corrupted(csum_, "cannot resume inflate");
      std::memcpy(window_.data(), point.window.data(), point.window.size());
      wpos_ = point.window.size() % kWindow;
    }
  }

  ~Inflater() { inflateEnd(&zs_); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  uint64_t out() const { return out_; }

  // Produces the next n content bytes into dst (discarded when dst is null).
  // on_boundary runs at each deflate block boundary, for restart points.
  void produce(char* dst, uint64_t n, const std::function<void(const Inflater&)>& on_boundary) {
    while (n > 0) {
      if (ended_) corrupted(csum_, "payload shorter than its header says");
      size_t room = std::min<uint64_t>(kWindow - wpos_, n);
      zs_.next_out = reinterpret_cast<Bytef*>(window_.data() + wpos_);
      zs_.avail_out = room;
      int rc = inflate(&zs_, Z_BLOCK);
      size_t got = room - zs_.avail_out;
      if (dst) {
        std::memcpy(dst, window_.data() + wpos_, got);
        dst += got;
      }
      wpos_ = (wpos_ + got) % kWindow;
      out_ += got;
      n -= got;
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc == Z_BUF_ERROR) {
        // No progress: zlib wants input. (Input may run out while output is
        // still pending inside zlib, so only refill when it asks.)
        need_input();
      } else if (rc != Z_OK) {
        corrupted(csum_, "invalid deflate payload");
      } else if ((zs_.data_type & 128) && !(zs_.data_type & 64) && on_boundary) {
        on_boundary(*this);
      }
    }
  }

  // After the last byte: the stream must end here, not carry more data.
  void expect_end() {
    char extra;
    while (!ended_) {
      zs_.next_out = reinterpret_cast<Bytef*>(&extra);
      zs_.avail_out = 1;
      int rc = inflate(&zs_, Z_BLOCK);
      if (zs_.avail_out == 0) corrupted(csum_, "payload longer than its header says");
      if (rc == Z_STREAM_END) ended_ = true;
      else if (rc == Z_BUF_ERROR) need_input();
      else if (rc != Z_OK) corrupted(csum_, "invalid deflate payload");
    }
  }

  RestartPoint restart_point() const {
    RestartPoint p;
    p.out = out_;
    p.in = in_pos_ - zs_.avail_in;
    p.bits = zs_.data_type & 7;
    size_t have = std::min<uint64_t>(out_, kWindow);
    p.window.reserve(have);
    if (have < kWindow) {
      p.window.assign(window_.data(), have);  // never wrapped yet
    } else {
      p.window.append(window_.data() + wpos_, kWindow - wpos_);
      p.window.append(window_.data(), wpos_);
    }
    return p;
  }

private:
  void init() {
    if (inflateInit2(&zs_, -15) != Z_OK) throw Error("inflateInit2 failed", ENOMEM);
  }
  void need_input() {
    if (zs_.avail_in > 0) corrupted(csum_, "invalid deflate payload");  // stuck with input left
    refill();
  }
  void refill() {
    size_t got = sys::pread_full(fd_, input_.data(), input_.size(), in_pos_);
    if (got == 0) corrupted(csum_, "truncated payload");
    in_pos_ += got;
    zs_.next_in = reinterpret_cast<Bytef*>(input_.data());
    zs_.avail_in = got;
  }

  store::Digest csum_;
  int fd_;
  uint64_t in_pos_;  // next file offset to read
  uint64_t out_ = 0;
  z_stream zs_{};
  std::string input_;
  std::string window_;  // circular: the most recent output ends at wpos_
  size_t wpos_ = 0;
  bool ended_ = false;
};

}  // namespace

// Per large object: its open file, restart points, and the live stream.
struct ArchiveReader::Stream {
  std::mutex mutex;
  UniqueFd fd;
  std::vector<RestartPoint> points;  // ascending by out
  std::unique_ptr<Inflater> cursor;
};

ArchiveReader::ArchiveReader(int objects_dfd, ChunkCache& cache, ArchiveLimits limits)
    : objects_dfd_(objects_dfd), cache_(cache), limits_(limits) {}

ArchiveReader::~ArchiveReader() = default;

uint64_t ArchiveReader::stream_restarts() const { return restarts_.load(std::memory_order_relaxed); }

uint64_t ArchiveReader::streamed_bytes() const { return inflated_.load(std::memory_order_relaxed); }

size_t ArchiveReader::chunk_size(const ArchiveObject& object) const {
  return object.size <= limits_.whole_object_max ? std::max<uint64_t>(object.size, 1) : limits_.chunk;
}

Chunk ArchiveReader::load_whole(const ArchiveObject& object) {
  auto fd = open_object(objects_dfd_, object.checksum);
  auto st = sys::fstat(fd.get());
  if (uint64_t(st.st_size) < object.payload_offset) corrupted(object.checksum, "truncated payload");
  std::string in(st.st_size - object.payload_offset, '\0');
  if (sys::pread_full(fd.get(), in.data(), in.size(), object.payload_offset) != in.size())
    corrupted(object.checksum, "object changed while being read");
  auto out = std::make_shared<std::string>(object.size, '\0');
  size_t in_used = 0, produced = 0;
  auto rc = libdeflate_deflate_decompress_ex(thread_decompressor(), in.data(), in.size(),
                                             out->data(), out->size(), &in_used, &produced);
  if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) corrupted(object.checksum, "payload longer than its header says");
  if (rc != LIBDEFLATE_SUCCESS) corrupted(object.checksum, "invalid deflate payload");
  if (produced != object.size) corrupted(object.checksum, "payload shorter than its header says");
  return out;
}

std::shared_ptr<ArchiveReader::Stream> ArchiveReader::stream_for(const store::Digest& object) {
  std::lock_guard lock(streams_mutex_);
  for (auto it = streams_.begin(); it != streams_.end(); ++it) {
    if (it->first == object) {
      std::rotate(streams_.begin(), it, it + 1);
      return streams_.front().second;
    }
  }
  auto stream = std::make_shared<Stream>();
  stream->fd = open_object(objects_dfd_, object);
  streams_.insert(streams_.begin(), {object, stream});
  // A stream another thread still uses stays alive through its shared_ptr.
  if (streams_.size() > limits_.max_streams) streams_.pop_back();
  return stream;
}

Chunk ArchiveReader::load_chunk(const ArchiveObject& object, uint64_t index) {
  if (object.size <= limits_.whole_object_max) return load_whole(object);

  const uint64_t start = index * limits_.chunk;
  const uint64_t length = std::min<uint64_t>(limits_.chunk, object.size - start);
  const uint64_t spacing = std::max<uint64_t>(limits_.chunk, object.size / limits_.max_restart_points);
  auto stream = stream_for(object.checksum);
  std::lock_guard lock(stream->mutex);

  // Resume from whichever is closest before `start`: the live stream, a
  // restart point, or the beginning.
  const RestartPoint* best = nullptr;
  for (auto& p : stream->points)
    if (p.out <= start) best = &p;
  uint64_t best_out = best ? best->out : 0;
  if (!stream->cursor || stream->cursor->out() > start || stream->cursor->out() < best_out) {
    stream->cursor.reset();
    restarts_.fetch_add(1, std::memory_order_relaxed);
    stream->cursor = best ? std::make_unique<Inflater>(object.checksum, stream->fd.get(), *best)
                          : std::make_unique<Inflater>(object.checksum, stream->fd.get(), object.payload_offset);
  }
  auto record = [&](const Inflater& inf) {
    uint64_t last = stream->points.empty() ? 0 : stream->points.back().out;
    if (inf.out() >= last + spacing) stream->points.push_back(inf.restart_point());
  };
  auto& cursor = *stream->cursor;
  inflated_.fetch_add(start + length - cursor.out(), std::memory_order_relaxed);
  try {
    cursor.produce(nullptr, start - cursor.out(), record);
    auto chunk = std::make_shared<std::string>(length, '\0');
    cursor.produce(chunk->data(), length, record);
    if (start + length == object.size) cursor.expect_end();
    return chunk;
  } catch (...) {
    stream->cursor.reset();  // its position is unknown after a failure
    throw;
  }
}

std::vector<Piece> ArchiveReader::read(const ArchiveObject& object, uint64_t offset, size_t length) {
  std::vector<Piece> pieces;
  if (offset >= object.size) return pieces;
  uint64_t end = std::min<uint64_t>(object.size, offset + length);
  const uint64_t csize = chunk_size(object);
  while (offset < end) {
    uint64_t index = offset / csize;
    auto chunk = cache_.get(ChunkKey{object.checksum, index}, [&] { return load_chunk(object, index); });
    size_t within = offset - index * csize;
    size_t n = std::min<uint64_t>(chunk->size() - within, end - offset);
    pieces.push_back(Piece{std::move(chunk), within, n});
    offset += n;
  }
  return pieces;
}

bool ArchiveReader::cached(const ArchiveObject& object, uint64_t offset, size_t length) {
  if (offset >= object.size) return true;
  uint64_t end = std::min<uint64_t>(object.size, offset + length);
  const uint64_t csize = chunk_size(object);
  for (uint64_t index = offset / csize; index * csize < end; ++index)
    if (!cache_.find(ChunkKey{object.checksum, index})) return false;
  return true;
}

void ArchiveReader::for_each_chunk(const ArchiveObject& object,
                                   const std::function<void(std::string_view)>& fn) {
  const uint64_t csize = chunk_size(object);
  for (uint64_t off = 0; off < object.size; off += csize) {
    for (auto& piece : read(object, off, csize))
      fn(std::string_view(piece.chunk->data() + piece.offset, piece.length));
  }
}

}  // namespace ot::fuse
