#include "store/content_writer.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/chunked_deflate.hpp"
#include "store/content.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

namespace ot::store {
namespace {

int archive_level(const Repo& repo) {
  auto v = repo.config().get("archive", "zlib-level");
  if (!v) return 6;
  int level = std::stoi(*v);
  return std::clamp(level, 1, 9);
}

[[noreturn]] void corrupted(const Digest& expected, const Digest& actual) {
  throw Error("Corrupted file object " + digest_hex(expected) + " (actual checksum is " + digest_hex(actual) + ")",
              EIO);
}

// The compressor of this thread, kept between objects so that a commit of
// many small files allocates nothing per file. Each call compresses a
// complete chunk, so a writer may use whichever thread it runs on.
ChunkedDeflate& thread_deflate(int level) {
  thread_local std::unique_ptr<ChunkedDeflate> deflate;
  thread_local int deflate_level = -1;
  if (!deflate || deflate_level != level) {
    deflate = std::make_unique<ChunkedDeflate>(level);
    deflate_level = level;
  }
  return *deflate;
}

// Symlinks of bare and bare-user-only repos are real symlinks, made under a
// temporary name in the directory they land in (see temp_for).
void land_symlink(Repo& repo, const Digest& csum, const FileMeta& meta) {
  auto path = loose_object_path(csum, ObjectType::file, repo.mode());
  int dest = repo.staging_dfd();
  bool beside = repo.in_transaction();
  int dir = beside ? dest : repo.tmp_dfd();
  std::string name = (beside ? path.substr(0, 3) : "") + "tmpobject-" + random_suffix(12);
  repo.ensure_object_subdir(dest, path);
  sys::symlink_at(meta.symlink_target, dir, name);
  try {
    if (repo.mode() == RepoMode::bare) {
      sys::fchownat(dir, name, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW);
      for (auto& [k, v] : meta.xattrs) sys::set_xattr_at(dir, name, k, v);
    }
    sys::rename_at(dir, name, dest, path);
  } catch (...) {
    sys::unlink_at_opt(dir, name);
    throw;
  }
}

// In a transaction, a temp file beside where the object will land (in the
// staging directory's XX/): the final rename then stays within one
// directory, which takes no filesystem-wide lock as a rename across
// directories does, and parallel writers do not all contend on tmp/.
// Outside one, tmp/: objects/ must never hold anything but objects.
TempFile temp_for(Repo& repo, const std::string& path) {
  if (!repo.in_transaction()) return TempFile(repo.tmp_dfd(), "tmpobject-");
  int dest = repo.staging_dfd();
  std::string prefix = path.substr(0, 3) + "tmpobject-";  // "ab/tmpobject-"
  try {
    return TempFile(dest, prefix);
  } catch (const Error& e) {
    if (e.errnum() != ENOENT) throw;
  }
  repo.ensure_object_subdir(dest, path);
  return TempFile(dest, prefix);
}

// Content that is whole in memory (at most a chunk, or a symlink), whose
// checksum is known and which the repo lacks: written and landed in one go.
void store_whole(Repo& repo, const Digest& csum, const FileMeta& meta, std::string_view content) {
  RepoMode mode = repo.mode();
  bool symlink = S_ISLNK(meta.mode);
  if (symlink && (mode == RepoMode::bare || mode == RepoMode::bare_user_only)) {
    land_symlink(repo, csum, meta);
    return;
  }
  auto path = loose_object_path(csum, ObjectType::file, mode);
  TempFile tmp = temp_for(repo, path);
  if (mode == RepoMode::archive) {
    auto header = size_prefixed(encode_archive_file_header(meta, symlink ? 0 : content.size()));
    if (symlink)
      sys::write_all(tmp.fd(), header);
    else
      sys::write_all(tmp.fd(), thread_deflate(archive_level(repo)).compress(content, true, header));
  } else if (mode == RepoMode::bare_user && symlink) {
    sys::write_all(tmp.fd(), meta.symlink_target);
    sys::write_all(tmp.fd(), std::string_view("\0", 1));
  } else {
    sys::write_all(tmp.fd(), content);
  }
  apply_content_meta(repo, tmp.fd(), meta);
  if (tmp.dfd() == repo.tmp_dfd()) repo.ensure_object_subdir(repo.staging_dfd(), path);
  tmp.land(repo.staging_dfd(), path);
}

}  // namespace

void apply_content_meta(const Repo& repo, int fd, const FileMeta& meta) {
  bool symlink = S_ISLNK(meta.mode);
  switch (repo.mode()) {
    case RepoMode::bare:
      sys::fchown(fd, meta.uid, meta.gid);
      sys::fchmod(fd, meta.mode & 07777);  // after chown, which clears setuid
      for (auto& [k, v] : meta.xattrs) sys::set_xattr_fd(fd, k, v);
      break;
    case RepoMode::bare_user_only:
      sys::fchmod(fd, meta.mode & 07777);
      break;
    case RepoMode::bare_user:
      // Readable and writable by us whatever the tree says: we must read it
      // back and set its xattr.
      sys::fchmod(fd, symlink ? 0644 : (meta.mode & 0777) | 0600);
      sys::set_xattr_fd(fd, "user.ostreemeta", encode_dirmeta(DirMeta{meta.uid, meta.gid, meta.mode, meta.xattrs}));
      break;
    case RepoMode::archive:
      sys::fchmod(fd, 0644);
      break;
  }
  if (repo.mode() != RepoMode::archive) {
    // Checkouts hardlink these files: give them upstream's fixed mtime (0).
    const struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
    ::futimens(fd, times);
  }
  // A transaction syncs the whole batch at once when it commits.
  if (!repo.in_transaction() && repo.fsync_enabled()) sys::fsync(fd);
}

TempFile content_temp_file(Repo& repo, const Digest& csum) {
  return temp_for(repo, loose_object_path(csum, ObjectType::file, repo.mode()));
}

void land_content_file(Repo& repo, const Digest& csum, TempFile& tmp) {
  if (repo.has_object(ObjectType::file, csum)) {
    tmp = TempFile();
    return;
  }
  auto path = loose_object_path(csum, ObjectType::file, repo.mode());
  int dest = repo.staging_dfd();
  // A temp file made beside its destination has its directory already.
  if (tmp.dfd() == repo.tmp_dfd()) repo.ensure_object_subdir(dest, path);
  tmp.land(dest, path);
}

std::string compress_payload(std::string_view content, int level) {
  return std::string(ChunkedDeflate(level).compress(content, true));
}

// --- ContentWriter ---------------------------------------------------------------

ContentWriter::ContentWriter(Repo& repo, const FileMeta& meta, uint64_t size)
    : repo_(repo), meta_(meta), size_(size), tmp_(repo.tmp_dfd(), "tmpobject-") {
  if (!S_ISREG(meta.mode)) throw Error("a streamed content object must be a regular file");
  hash_.update(size_prefixed(encode_file_header(meta_)));
  if (repo_.mode() == RepoMode::archive) {
    sys::write_all(tmp_.fd(), size_prefixed(encode_archive_file_header(meta_, size_)));
    level_ = archive_level(repo_);
  }
}

ContentWriter::~ContentWriter() = default;

void ContentWriter::write(std::string_view data) {
  if (data.size() > size_ - written_)
    throw Error("content longer than the announced " + std::to_string(size_) + " bytes", EIO);
  hash_.update(data);
  written_ += data.size();
  if (!archive()) {
    sys::write_all(tmp_.fd(), data);
    return;
  }
  // Archive: compress whole chunks straight from data where possible; the
  // chunk that ends the content ends the stream.
  while (!data.empty()) {
    bool ends = written_ == size_ && data.size() <= kContentChunk;
    if (pending_.empty() && (data.size() >= kContentChunk || ends)) {
      size_t n = std::min(data.size(), kContentChunk);
      compress_and_write(data.substr(0, n), ends);
      data.remove_prefix(n);
      continue;
    }
    size_t take = std::min(data.size(), kContentChunk - pending_.size());
    if (pending_.capacity() < kContentChunk) pending_.reserve(kContentChunk);
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    bool full = pending_.size() == kContentChunk;
    bool last = written_ == size_ && data.empty();
    if (full || last) {
      compress_and_write(pending_, last);
      pending_.clear();
    }
  }
}

void ContentWriter::compress_and_write(std::string_view chunk, bool last) {
  sys::write_all(tmp_.fd(), thread_deflate(level_).compress(chunk, last));
  stream_ended_ = last;
}

Digest ContentWriter::finish(const std::optional<Digest>& expected) {
  if (written_ != size_)
    throw Error("content shorter than the announced " + std::to_string(size_) + " bytes", EIO);
  // Only empty content has not ended its stream by now.
  if (archive() && !stream_ended_) compress_and_write({}, true);
  std::string().swap(pending_);
  Digest csum = hash_.finish();
  if (expected && *expected != csum) corrupted(*expected, csum);
  if (repo_.has_object(ObjectType::file, csum)) {
    tmp_ = TempFile();
    return csum;
  }
  apply_content_meta(repo_, tmp_.fd(), meta_);
  land_content_file(repo_, csum, tmp_);
  return csum;
}

// --- whole-object entry points ---------------------------------------------------

Digest write_content(Repo& repo, const FileMeta& meta, std::string_view content,
                     const std::optional<Digest>& expected) {
  if (S_ISREG(meta.mode) && content.size() > kContentChunk) {
    // Large content goes through the streaming writer, whose buffers are bounded.
    ContentWriter w(repo, meta, content.size());
    for (size_t off = 0; off < content.size(); off += kContentChunk) w.write(content.substr(off, kContentChunk));
    return w.finish(expected);
  }
  Digest csum = content_checksum(meta, content);
  if (expected && *expected != csum) corrupted(*expected, csum);
  if (repo.has_object(ObjectType::file, csum)) return csum;
  store_whole(repo, csum, meta, content);
  return csum;
}

Digest write_content_from_fd(Repo& repo, const FileMeta& meta, int fd, uint64_t size) {
  // One buffer of a chunk per thread, reused for every file.
  thread_local std::unique_ptr<char[]> buf;
  if (!buf) buf = std::make_unique_for_overwrite<char[]>(kContentChunk);
  if (size <= kContentChunk) {
    if (sys::pread_full(fd, buf.get(), size, 0) != size) throw Error("file shrank while being read", EIO);
    return write_content(repo, meta, std::string_view(buf.get(), size));
  }
  // Large files: read once, hashed and stored as they stream; the kernel
  // reads ahead.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  ContentWriter w(repo, meta, size);
  for (uint64_t off = 0; off < size;) {
    size_t got = sys::pread_full(fd, buf.get(), std::min<uint64_t>(kContentChunk, size - off), off);
    if (got == 0) throw Error("file shrank while being read", EIO);
    w.write(std::string_view(buf.get(), got));
    off += got;
  }
  return w.finish();
}

}  // namespace ot::store
