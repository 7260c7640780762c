#include "store/content.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <libdeflate.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstring>
#include <memory>

namespace ot::store {
namespace {

// Above this, content being read is streamed in chunks instead of held in memory.
constexpr uint64_t kInMemoryLimit = 64ull << 20;
constexpr size_t kChunk = 1 << 20;

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

libdeflate_decompressor* thread_decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  return d.get();
}

[[noreturn]] void corrupted(const std::string& what) { throw Error("Corrupted file object: " + what, EIO); }

std::optional<std::pair<int, std::string>> find_object(const Repo& repo, const Digest& csum) {
  auto path = loose_object_path(csum, ObjectType::file, repo.mode());
  if (sys::stat_at_opt(repo.objects_dfd(), path)) return std::make_pair(repo.objects_dfd(), path);
  if (repo.in_transaction() && sys::stat_at_opt(repo.staging_dfd(), path))
    return std::make_pair(repo.staging_dfd(), path);
  return std::nullopt;
}

// zlib raw inflate of [offset, EOF) of fd into out_fd, checking the size.
void inflate_stream(int fd, uint64_t offset, uint64_t size, int out_fd, std::string* out_str) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) throw Error("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string in(kChunk, '\0'), out(kChunk, '\0');
  uint64_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    size_t n = sys::pread_full(fd, in.data(), in.size(), offset);
    offset += n;
    if (n == 0) corrupted("truncated compressed payload");
    zs.next_in = reinterpret_cast<Bytef*>(in.data());
    zs.avail_in = n;
    while (zs.avail_in > 0 && rc != Z_STREAM_END) {
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = out.size();
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) corrupted("invalid compressed payload");
      size_t got = out.size() - zs.avail_out;
      produced += got;
      if (produced > size) corrupted("payload longer than its header says");
      if (out_str) out_str->append(out.data(), got);
      if (out_fd >= 0) sys::write_all(out_fd, out.data(), got);
    }
  }
  if (produced != size) corrupted("payload shorter than its header says");
}

}  // namespace

std::optional<ContentObject> load_content_opt(const Repo& repo, const Digest& csum) {
  auto found = find_object(repo, csum);
  if (!found) return std::nullopt;
  auto [dfd, path] = *found;
  ContentObject obj;
  auto st = sys::stat_at(dfd, path);
  switch (repo.mode()) {
    case RepoMode::bare:
    case RepoMode::bare_user_only:
      if (S_ISLNK(st.st_mode)) {
        obj.meta.symlink_target = sys::readlink_at(dfd, path);
        obj.meta.mode = st.st_mode;
        if (repo.mode() == RepoMode::bare) {
          obj.meta.uid = st.st_uid;
          obj.meta.gid = st.st_gid;
          obj.meta.xattrs = sys::list_xattrs_at(dfd, path);
        }
        return obj;
      }
      obj.fd = sys::open_at(dfd, path, O_RDONLY | O_NOFOLLOW);
      obj.meta.mode = st.st_mode;
      obj.size = st.st_size;
      if (repo.mode() == RepoMode::bare) {
        obj.meta.uid = st.st_uid;
        obj.meta.gid = st.st_gid;
        obj.meta.xattrs = sys::list_xattrs_fd(obj.fd.get());
      }
      return obj;
    case RepoMode::bare_user: {
      obj.fd = sys::open_at(dfd, path, O_RDONLY | O_NOFOLLOW);
      auto raw = sys::get_xattr_fd(obj.fd.get(), "user.ostreemeta");
      if (!raw) corrupted(digest_hex(csum) + ": missing user.ostreemeta xattr");
      auto m = with_context("file object " + digest_hex(csum), [&] { return decode_dirmeta(*raw); });
      obj.meta = FileMeta{m.uid, m.gid, m.mode, "", m.xattrs};
      if (S_ISLNK(m.mode)) {
        auto target = sys::read_all(obj.fd.get());
        if (!target.empty() && target.back() == '\0') target.pop_back();
        obj.meta.symlink_target = std::move(target);
        obj.fd.reset();
      } else {
        obj.size = st.st_size;
      }
      return obj;
    }
    case RepoMode::archive: {
      obj.fd = sys::open_at(dfd, path, O_RDONLY | O_NOFOLLOW);
      char prefix[8];
      if (sys::pread_full(obj.fd.get(), prefix, 8, 0) != 8) corrupted(digest_hex(csum) + ": truncated header");
      uint32_t len;
      std::memcpy(&len, prefix, 4);
      len = be32toh(len);
      if (len > 1u << 24 || 8 + uint64_t(len) > uint64_t(st.st_size))
        corrupted(digest_hex(csum) + ": truncated header");
      std::string header(len, '\0');
      sys::pread_full(obj.fd.get(), header.data(), len, 8);
      auto [meta, size] = with_context("file object " + digest_hex(csum),
                                       [&] { return decode_archive_file_header(header); });
      obj.meta = std::move(meta);
      obj.size = obj.is_symlink() ? 0 : size;
      obj.payload_offset = 8 + len;
      obj.compressed = true;
      return obj;
    }
  }
  return std::nullopt;
}

ContentObject load_content(const Repo& repo, const Digest& csum) {
  auto obj = load_content_opt(repo, csum);
  if (!obj) throw Error("No such file object " + digest_hex(csum), ENOENT);
  return std::move(*obj);
}

std::string read_content(const ContentObject& obj) {
  std::string out;
  if (obj.is_symlink() || obj.size == 0) return out;
  if (!obj.compressed) {
    out.resize(obj.size);
    if (sys::pread_full(obj.fd.get(), out.data(), obj.size, obj.payload_offset) != obj.size)
      corrupted("object shorter than its size");
    return out;
  }
  if (obj.size > kInMemoryLimit) {
    inflate_stream(obj.fd.get(), obj.payload_offset, obj.size, -1, &out);
    return out;
  }
  auto st = sys::fstat(obj.fd.get());
  if (uint64_t(st.st_size) < obj.payload_offset) corrupted("truncated payload");
  std::string in(st.st_size - obj.payload_offset, '\0');
  sys::pread_full(obj.fd.get(), in.data(), in.size(), obj.payload_offset);
  out.resize(obj.size);
  size_t actual = 0;
  auto rc = libdeflate_deflate_decompress(thread_decompressor(), in.data(), in.size(), out.data(),
                                          out.size(), &actual);
  if (rc != LIBDEFLATE_SUCCESS || actual != obj.size)
    corrupted(rc == LIBDEFLATE_INSUFFICIENT_SPACE ? "payload longer than its header says"
                                                  : "invalid or short compressed payload");
  return out;
}

void copy_content_to(const ContentObject& obj, int out_fd) {
  if (obj.is_symlink() || obj.size == 0) return;
  if (obj.compressed) {
    if (obj.size > kInMemoryLimit)
      inflate_stream(obj.fd.get(), obj.payload_offset, obj.size, out_fd, nullptr);
    else
      sys::write_all(out_fd, read_content(obj));
    return;
  }
  // copy_file_range shares extents on reflink-capable filesystems.
  loff_t in_off = obj.payload_offset;
  uint64_t left = obj.size;
  while (left > 0) {
    ssize_t n = ::copy_file_range(obj.fd.get(), &in_off, out_fd, nullptr, left, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) {
        std::string buf(std::min<uint64_t>(left, kChunk), '\0');
        while (left > 0) {
          size_t got = sys::pread_full(obj.fd.get(), buf.data(), std::min<uint64_t>(left, buf.size()), in_off);
          if (got == 0) corrupted("object shorter than its size");
          sys::write_all(out_fd, buf.data(), got);
          in_off += got;
          left -= got;
        }
        return;
      }
      throw_errno("copy_file_range");
    }
    if (n == 0) corrupted("object shorter than its size");
    left -= n;
  }
}

bool verify_content(const ContentObject& obj, const Digest& csum) {
  try {
    if (obj.size > kInMemoryLimit && !obj.compressed) {
      Sha256 h;
      h.update(size_prefixed(encode_file_header(obj.meta)));
      std::string buf(kChunk, '\0');
      uint64_t off = obj.payload_offset, left = obj.size;
      while (left > 0) {
        size_t got = sys::pread_full(obj.fd.get(), buf.data(), std::min<uint64_t>(left, kChunk), off);
        if (got == 0) return false;
        h.update(buf.data(), got);
        off += got;
        left -= got;
      }
      return h.finish() == csum;
    }
    return content_checksum(obj.meta, read_content(obj)) == csum;
  } catch (const Error&) {
    return false;
  }
}

Digest content_checksum(const FileMeta& meta, std::string_view content) {
  Sha256 h;
  h.update(size_prefixed(encode_file_header(meta)));
  h.update(content);
  return h.finish();
}

}  // namespace ot::store
