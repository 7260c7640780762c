#include "store/content.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <libdeflate.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstring>
#include <memory>

namespace ot::store {
namespace {

// Above this, content is streamed in chunks instead of held in memory.
constexpr uint64_t kInMemoryLimit = 64ull << 20;
constexpr size_t kChunk = 1 << 20;

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

libdeflate_decompressor* thread_decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  return d.get();
}

[[noreturn]] void corrupted(const std::string& what) { throw Error("Corrupted file object: " + what, EIO); }

int archive_level(const Repo& repo) {
  auto v = repo.config().get("archive", "zlib-level");
  if (!v) return 6;
  int level = std::stoi(*v);
  return std::clamp(level, 1, 9);
}

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

std::string compress_payload(std::string_view content, int level) {
  thread_local std::unique_ptr<libdeflate_compressor, CompressorDeleter> comp;
  thread_local int comp_level = -1;
  if (!comp || comp_level != level) {
    comp.reset(libdeflate_alloc_compressor(level));
    comp_level = level;
  }
  std::string out(libdeflate_deflate_compress_bound(comp.get(), content.size()), '\0');
  size_t n = libdeflate_deflate_compress(comp.get(), content.data(), content.size(), out.data(), out.size());
  if (n == 0) throw Error("deflate failed");
  out.resize(n);
  return out;
}

namespace {

// Creates the object file in tmp/ per the repo mode; returns its name there.
std::string stage_object_file(Repo& repo, const FileMeta& meta, std::string_view content) {
  int tmp = repo.tmp_dfd();
  std::string name = "tmpobject-" + random_suffix(12);
  bool symlink = S_ISLNK(meta.mode);
  bool sync = !repo.in_transaction() && repo.fsync_enabled();
  RepoMode mode = repo.mode();

  if (symlink && (mode == RepoMode::bare || mode == RepoMode::bare_user_only)) {
    sys::symlink_at(meta.symlink_target, tmp, name);
    try {
      if (mode == RepoMode::bare) {
        sys::fchownat(tmp, name, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW);
        for (auto& [k, v] : meta.xattrs) sys::set_xattr_at(tmp, name, k, v);
      }
    } catch (...) {
      sys::unlink_at_opt(tmp, name);
      throw;
    }
    return name;
  }

  auto fd = sys::open_at(tmp, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  try {
    switch (mode) {
      case RepoMode::bare:
        sys::write_all(fd.get(), content);
        sys::fchown(fd.get(), meta.uid, meta.gid);
        sys::fchmod(fd.get(), meta.mode & 07777);  // after chown, which clears setuid
        for (auto& [k, v] : meta.xattrs) sys::set_xattr_fd(fd.get(), k, v);
        break;
      case RepoMode::bare_user_only:
        sys::write_all(fd.get(), content);
        sys::fchmod(fd.get(), meta.mode & 07777);
        break;
      case RepoMode::bare_user: {
        if (symlink) {
          sys::write_all(fd.get(), meta.symlink_target);
          sys::write_all(fd.get(), std::string_view("\0", 1));
          sys::fchmod(fd.get(), 0644);
        } else {
          sys::write_all(fd.get(), content);
          // Readable and writable by us whatever the tree says: we must read it
          // back and set its xattr.
          sys::fchmod(fd.get(), (meta.mode & 0777) | 0600);
        }
        sys::set_xattr_fd(fd.get(), "user.ostreemeta",
                          encode_dirmeta(DirMeta{meta.uid, meta.gid, meta.mode, meta.xattrs}));
        break;
      }
      case RepoMode::archive: {
        std::string out = size_prefixed(encode_archive_file_header(meta, symlink ? 0 : content.size()));
        if (!symlink) out += compress_payload(content, archive_level(repo));
        sys::write_all(fd.get(), out);
        sys::fchmod(fd.get(), 0644);
        break;
      }
    }
    if (mode != RepoMode::archive) {
      // Checkouts hardlink these files: give them upstream's fixed mtime (0).
      const struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
      ::futimens(fd.get(), times);
    }
    if (sync) sys::fsync(fd.get());
  } catch (...) {
    sys::unlink_at_opt(tmp, name);
    throw;
  }
  return name;
}

void land_object(Repo& repo, const Digest& csum, const std::string& tmp_name) {
  auto path = loose_object_path(csum, ObjectType::file, repo.mode());
  int dest = repo.staging_dfd();
  repo.ensure_object_subdir(dest, path);
  try {
    sys::rename_at(repo.tmp_dfd(), tmp_name, dest, path);
  } catch (...) {
    sys::unlink_at_opt(repo.tmp_dfd(), tmp_name);
    throw;
  }
}

}  // namespace

Digest write_content(Repo& repo, const FileMeta& meta, std::string_view content,
                     const std::optional<Digest>& expected) {
  Digest csum = content_checksum(meta, content);
  if (expected && *expected != csum)
    throw Error("Corrupted file object " + digest_hex(*expected) + " (actual checksum is " +
                digest_hex(csum) + ")", EIO);
  if (repo.has_object(ObjectType::file, csum)) return csum;
  land_object(repo, csum, stage_object_file(repo, meta, content));
  return csum;
}

Digest write_content_from_fd(Repo& repo, const FileMeta& meta, int fd, uint64_t size) {
  // Objects above the in-memory limit are read twice (hash, then store)
  // rather than held whole; the second read is served by the page cache.
  thread_local std::string buf;
  if (size <= kInMemoryLimit) {
    buf.resize(size);
    if (sys::pread_full(fd, buf.data(), size, 0) != size) throw Error("file shrank while being read", EIO);
    return write_content(repo, meta, buf);
  }
  Sha256 h;
  h.update(size_prefixed(encode_file_header(meta)));
  buf.resize(kChunk);
  for (uint64_t off = 0; off < size;) {
    size_t got = sys::pread_full(fd, buf.data(), std::min<uint64_t>(kChunk, size - off), off);
    if (got == 0) throw Error("file shrank while being read", EIO);
    h.update(buf.data(), got);
    off += got;
  }
  Digest csum = h.finish();
  if (repo.has_object(ObjectType::file, csum)) return csum;
  // Large files: materialise once (rare in OS trees; a streaming writer per
  // mode would avoid the copy but is not worth its code yet).
  std::string all(size, '\0');
  sys::pread_full(fd, all.data(), size, 0);
  if (content_checksum(meta, all) != csum) throw Error("file changed while being committed", EIO);
  land_object(repo, csum, stage_object_file(repo, meta, all));
  buf.clear();
  buf.shrink_to_fit();
  return csum;
}

}  // namespace ot::store
