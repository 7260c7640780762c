#include "fuse/content_reader.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/checksum.hpp"
#include "store/objects.hpp"

#include <fcntl.h>

namespace ot::fuse {
namespace {

constexpr size_t kHashBuffer = 1 << 20;
constexpr uint64_t kInlineInflateMax = 512 * 1024;

bool is_archive(const store::Repo& repo) { return repo.mode() == store::RepoMode::archive; }

ArchiveObject archive_object(const FileObject& object) {
  return ArchiveObject{object.checksum, object.size, object.payload_offset};
}

UniqueFd open_bare_object(const store::Repo& repo, const store::Digest& csum) {
  auto path = store::loose_object_path(csum, store::ObjectType::file, repo.mode());
  auto fd = sys::open_at_opt(repo.objects_dfd(), path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (!fd) throw Error("content object " + store::digest_hex(csum) + " is missing", EIO);
  return std::move(*fd);
}

}  // namespace

size_t ReadResult::size() const {
  if (fd) return fd_length;
  size_t n = 0;
  for (auto& p : pieces) n += p.length;
  return n;
}

ContentReader::ContentReader(const store::Repo& repo, Verify verify, Log& log, size_t cache_bytes)
    : repo_(repo), verify_(verify), log_(log), cache_(cache_bytes),
      archive_(repo.objects_dfd(), cache_) {}

// Re-hashes header and content the way the checksum was made.
bool ContentReader::matches(const FileObject& object) {
  store::Sha256 h;
  h.update(store::size_prefixed(store::encode_file_header(object.meta)));
  if (S_ISREG(object.meta.mode)) {
    if (is_archive(repo_)) {
      archive_.for_each_chunk(archive_object(object), [&](std::string_view bytes) { h.update(bytes); });
    } else {
      auto fd = open_bare_object(repo_, object.checksum);
      std::string buf(kHashBuffer, '\0');
      uint64_t off = 0;
      for (;;) {
        size_t got = sys::pread_full(fd.get(), buf.data(), buf.size(), off);
        if (got == 0) break;
        h.update(buf.data(), got);
        off += got;
      }
    }
  }
  return h.finish() == object.checksum;
}

void ContentReader::check(const FileObject& object) {
  if (verify_ == Verify::no) return;
  int state = object.verified.load(std::memory_order_acquire);
  if (state == 0) {
    auto& mutex = verify_mutexes_[object.checksum[0] % verify_mutexes_.size()];
    std::lock_guard lock(mutex);
    state = object.verified.load(std::memory_order_acquire);
    if (state == 0) {
      try {
        state = matches(object) ? 1 : -1;
      } catch (const Error& e) {
        log_.once(object.checksum, e.what());
        throw Error(e.what(), EIO);
      }
      object.verified.store(state, std::memory_order_release);
      if (state < 0)
        log_.once(object.checksum, "content object " + store::digest_hex(object.checksum) +
                                       " is corrupt: its content does not match its checksum");
    }
  }
  if (state < 0) throw Error("corrupt content object " + store::digest_hex(object.checksum), EIO);
}

bool ContentReader::is_quick(const FileObject& object, uint64_t offset, size_t length) {
  if (verify_ == Verify::yes && object.verified.load(std::memory_order_acquire) == 0) return false;
  if (!is_archive(repo_)) return true;
  // Inflating a small object (most of an OS tree) takes less time than
  // handing the request to another thread.
  if (object.size <= kInlineInflateMax) return true;
  return archive_.cached(archive_object(object), offset, length);
}

ReadResult ContentReader::read(const FileObject& object, uint64_t offset, size_t length) {
  check(object);
  ReadResult result;
  try {
    if (is_archive(repo_)) {
      result.pieces = archive_.read(archive_object(object), offset, length);
    } else {
      result.fd = open_bare_object(repo_, object.checksum);
      result.fd_offset = offset;
      result.fd_length = offset >= object.size ? 0 : std::min<uint64_t>(length, object.size - offset);
    }
  } catch (const Error& e) {
    log_.once(object.checksum, e.what());
    throw Error(e.what(), EIO);
  }
  return result;
}

}  // namespace ot::fuse
