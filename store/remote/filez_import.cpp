#include "store/remote/filez_import.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/content.hpp"
#include "store/content_writer.hpp"

#include <libdeflate.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstring>
#include <memory>

namespace ot::store::remote {
namespace {

constexpr uint64_t kMaxContentSize = uint64_t(1) << 36;
constexpr uint32_t kMaxHeaderSize = 10u << 20;  // upstream's metadata limit
// zlib reads the payload in pieces of this size from a file.
constexpr size_t kReadPiece = 64 << 10;

struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

libdeflate_decompressor* decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorFree> d(libdeflate_alloc_decompressor());
  return d.get();
}

// One buffer of a chunk per thread for inflated content, and one for
// compressed input read from a file.
char* out_buffer() {
  thread_local auto buf = std::make_unique_for_overwrite<char[]>(kContentChunk);
  return buf.get();
}
char* in_buffer() {
  thread_local auto buf = std::make_unique_for_overwrite<char[]>(kContentChunk);
  return buf.get();
}

// Content meta from an untrusted header: regular files and symlinks only.
void check_file_meta(const FileMeta& meta) {
  if (S_ISLNK(meta.mode)) {
    if (meta.symlink_target.empty()) throw Error("symlink with an empty target");
  } else if (S_ISREG(meta.mode)) {
    if (!meta.symlink_target.empty()) throw Error("regular file with a symlink target");
  } else {
    char b[16];
    snprintf(b, sizeof b, "%o", meta.mode);
    throw Error("invalid file mode 0" + std::string(b));
  }
}

[[noreturn]] void corrupted(const Digest& expected, const Digest& actual) {
  throw Error("Corrupted file object " + digest_hex(expected) + " (actual checksum is " + digest_hex(actual) + ")",
              EIO);
}

// Random access to the object's bytes, wherever they are.
class Reader {
public:
  explicit Reader(const FilezBody& body) : body_(body) {
    total_ = body.fd >= 0 ? uint64_t(sys::fstat(body.fd).st_size) : body.bytes.size();
  }
  uint64_t total() const { return total_; }
  bool in_memory() const { return body_.fd < 0; }
  std::string_view memory() const { return body_.bytes; }
  // Up to n bytes at off (fewer only at the end).
  size_t read(char* buf, size_t n, uint64_t off) const {
    if (off >= total_) return 0;
    n = size_t(std::min<uint64_t>(n, total_ - off));
    if (in_memory()) {
      std::memcpy(buf, body_.bytes.data() + off, n);
      return n;
    }
    return sys::pread_full(body_.fd, buf, n, off_t(off));
  }

private:
  FilezBody body_;
  uint64_t total_;
};

struct Header {
  std::string prefixed;  // the size-prefixed header as fetched
  FileMeta meta;
  uint64_t size = 0;  // content bytes; 0 for symlinks
};

Header read_header(const Reader& r) {
  char prefix[8];
  if (r.read(prefix, 8, 0) != 8) throw Error("truncated object header");
  uint32_t len;
  std::memcpy(&len, prefix, 4);
  len = be32toh(len);
  if (len > kMaxHeaderSize || 8 + uint64_t(len) > r.total()) throw Error("truncated object header");
  Header h;
  h.prefixed.resize(8 + len);
  r.read(h.prefixed.data(), h.prefixed.size(), 0);
  auto [header, offset] = split_size_prefixed(h.prefixed);
  std::tie(h.meta, h.size) = decode_archive_file_header(header);
  check_file_meta(h.meta);
  if (S_ISLNK(h.meta.mode)) h.size = 0;
  if (h.size > kMaxContentSize) throw Error("object too large");
  return h;
}

// Inflates the payload at [offset, end) and hands the content to sink in
// pieces of at most a chunk; throws unless it is exactly size bytes and the
// stream ends where the object does.
template <class Sink>
void inflate_payload(const Reader& r, uint64_t offset, uint64_t size, Sink&& sink) {
  uint64_t payload = r.total() - offset;
  if (payload == 0) {
    if (size != 0) throw Error("truncated compressed payload");
    return;
  }
  char* out = out_buffer();
  // Small objects: libdeflate, whole, at about twice zlib's speed.
  if (size <= kContentChunk && (r.in_memory() || payload <= kContentChunk)) {
    const char* in = r.in_memory() ? r.memory().data() + offset : in_buffer();
    if (!r.in_memory() && r.read(in_buffer(), payload, offset) != payload) throw Error("object shrank");
    size_t in_used = 0, out_len = 0;
    auto rc = libdeflate_deflate_decompress_ex(decompressor(), in, payload, out, size, &in_used, &out_len);
    if (rc != LIBDEFLATE_SUCCESS || out_len != size)
      throw Error(rc == LIBDEFLATE_INSUFFICIENT_SPACE ? "payload longer than its header says"
                                                      : "invalid or truncated compressed payload");
    if (in_used != payload) throw Error("trailing data after the compressed payload");
    sink(std::string_view(out, size));
    return;
  }
  // Larger ones (or a large payload in a file): zlib, a piece at a time. A
  // content of at most a chunk still reaches sink whole, in one call.
  bool whole = size <= kContentChunk;
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) throw Error("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  uint64_t in_off = offset, produced = 0;
  size_t filled = 0;  // inflated bytes in out not yet handed over
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.avail_in == 0) {
      if (in_off == r.total()) throw Error("invalid or truncated compressed payload");
      size_t n;
      if (r.in_memory()) {
        n = size_t(std::min<uint64_t>(r.total() - in_off, kContentChunk));
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(r.memory().data() + in_off));
      } else {
        n = r.read(in_buffer(), kReadPiece, in_off);
        zs.next_in = reinterpret_cast<Bytef*>(in_buffer());
      }
      zs.avail_in = uInt(n);
      in_off += n;
    }
    zs.next_out = reinterpret_cast<Bytef*>(out + filled);
    zs.avail_out = uInt(kContentChunk - filled);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) throw Error("invalid or truncated compressed payload");
    size_t got = kContentChunk - filled - zs.avail_out;
    produced += got;
    if (produced > size) throw Error("payload longer than its header says");
    filled += got;
    if (!whole && (filled == kContentChunk || (rc == Z_STREAM_END && filled > 0))) {
      sink(std::string_view(out, filled));
      filled = 0;
    }
  }
  if (produced != size) throw Error("invalid or truncated compressed payload");
  if (zs.avail_in != 0 || in_off != r.total()) throw Error("trailing data after the compressed payload");
  if (whole) sink(std::string_view(out, filled));
}

// Archive repos keep the object as fetched, with its header in normal form.
void land_archive(Repo& repo, const Digest& csum, const FilezBody& body, const Reader& r, const Header& h) {
  if (repo.has_object(ObjectType::file, csum)) return;
  auto canonical = size_prefixed(encode_archive_file_header(h.meta, h.size));
  bool symlink = S_ISLNK(h.meta.mode);
  if (body.owned && h.prefixed == canonical && !symlink) {
    apply_content_meta(repo, body.owned->fd(), h.meta);
    land_content_file(repo, csum, *body.owned);
    return;
  }
  TempFile tmp = content_temp_file(repo, csum);
  sys::write_all(tmp.fd(), canonical);
  // A symlink's content is its target, in the header: no payload.
  if (!symlink) {
    if (r.in_memory()) {
      sys::write_all(tmp.fd(), r.memory().substr(h.prefixed.size()));
    } else {
      for (uint64_t off = h.prefixed.size(); off < r.total();) {
        size_t n = r.read(in_buffer(), kContentChunk, off);
        if (n == 0) throw Error("object shrank");
        sys::write_all(tmp.fd(), in_buffer(), n);
        off += n;
      }
    }
  }
  apply_content_meta(repo, tmp.fd(), h.meta);
  land_content_file(repo, csum, tmp);
}

}  // namespace

void check_mode_for_repo(const Repo& repo, const FileMeta& meta, const Digest& csum) {
  if (repo.mode() != RepoMode::bare_user_only || !S_ISREG(meta.mode)) return;
  uint32_t invalid = (meta.mode & ~uint32_t(S_IFMT)) & ~uint32_t(0775);
  if (invalid == 0) return;
  char buf[160];
  snprintf(buf, sizeof buf, "Content object %s: invalid mode 0%04o with bits 0%04o", digest_hex(csum).c_str(),
           meta.mode, invalid);
  throw Error(buf);
}

uint64_t import_filez(Repo& repo, const Digest& expected, const FilezBody& body) {
  Reader r(body);
  Header h = read_header(r);
  uint64_t offset = h.prefixed.size();
  bool symlink = S_ISLNK(h.meta.mode);

  if (repo.mode() == RepoMode::archive) {
    // Verify only; the compressed bytes are what the repo stores.
    Sha256 hash;
    hash.update(size_prefixed(encode_file_header(h.meta)));
    if (!symlink) inflate_payload(r, offset, h.size, [&](std::string_view piece) { hash.update(piece); });
    Digest actual = hash.finish();
    if (actual != expected) corrupted(expected, actual);
    land_archive(repo, expected, body, r, h);
    return h.size;
  }

  check_mode_for_repo(repo, h.meta, expected);
  if (symlink) {
    write_content(repo, h.meta, {}, expected);
    return 0;
  }
  if (h.size <= kContentChunk) {
    // Whole in memory: the writer skips objects another worker just stored.
    std::string_view content;
    inflate_payload(r, offset, h.size, [&](std::string_view whole) { content = whole; });
    write_content(repo, h.meta, content, expected);
    return h.size;
  }
  ContentWriter w(repo, h.meta, h.size);
  inflate_payload(r, offset, h.size, [&](std::string_view piece) { w.write(piece); });
  w.finish(expected);
  return h.size;
}

}  // namespace ot::store::remote
