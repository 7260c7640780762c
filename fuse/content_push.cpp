#include "fuse/content_push.hpp"

#include "base/sys.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ot::fuse {

namespace {

// How long after a read from the start listings count as a reader's.
constexpr std::chrono::seconds kReadingWindow{1};

int64_t now_ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

}  // namespace

void ContentPush::file_read(NodeId ino) {
  reading_until_.store(now_ticks() + std::chrono::steady_clock::duration(kReadingWindow).count(),
                       std::memory_order_relaxed);
  if (NodeId dir = tree_.parent_hint(ino)) queue_directory(dir);
}

void ContentPush::directory_listed(NodeId dir) {
  if (now_ticks() < reading_until_.load(std::memory_order_relaxed)) queue_directory(dir);
}

void ContentPush::queue_directory(NodeId dir) {
  if (!session_.load(std::memory_order_acquire) || stopped_.load(std::memory_order_relaxed)) return;
  if (!tree_.claim_content_read_ahead(dir)) return;
  queue_.submit([this, dir]() noexcept {
    try {
      push_directory(dir);
    } catch (...) {
      // Only ever an optimisation: the reader's own READ reports problems.
    }
  });
}

void ContentPush::stop() {
  stopped_.store(true, std::memory_order_relaxed);
  queue_.drain();
}

void ContentPush::push_directory(NodeId dir) {
  fuse_session* se = session_.load(std::memory_order_acquire);
  uint64_t budget = limits_.directory_max;
  tree_.for_each_file_in(dir, [&](NodeId ino, const FileObject& object) {
    if (stopped_.load(std::memory_order_relaxed)) return false;
    if (!S_ISREG(object.meta.mode) || object.size == 0 || object.size > limits_.file_max) return true;
    if (object.size > budget) return false;
    if (object.in_kernel_cache.exchange(true, std::memory_order_relaxed)) return true;
    if (!push_file(se, ino, object)) object.in_kernel_cache.store(false, std::memory_order_relaxed);
    budget -= object.size;
    return true;
  });
}

// Reads the whole content (as READ would) and stores it at offset 0.
bool ContentPush::push_file(fuse_session* se, NodeId ino, const FileObject& object) {
  ReadResult r = reader_.read(object, 0, size_t(object.size));
  std::vector<char> bytes;
  fuse_bufvec one = FUSE_BUFVEC_INIT(0);
  if (r.fd) {
    thread_local std::string buf;
    if (buf.size() < r.fd_length) buf.resize(r.fd_length);
    one.buf[0].mem = buf.data();
    one.buf[0].size = sys::pread_full(r.fd.get(), buf.data(), r.fd_length, off_t(r.fd_offset));
  } else if (r.pieces.size() == 1) {
    one.buf[0].mem = const_cast<char*>(r.pieces[0].chunk->data() + r.pieces[0].offset);
    one.buf[0].size = r.pieces[0].length;
  } else {
    for (auto& p : r.pieces) bytes.insert(bytes.end(), p.chunk->data() + p.offset, p.chunk->data() + p.offset + p.length);
    one.buf[0].mem = bytes.data();
    one.buf[0].size = bytes.size();
  }
  if (one.buf[0].size != object.size) return false;
  if (fuse_lowlevel_notify_store(se, ino, 0, &one, fuse_buf_copy_flags(0)) != 0) return false;
  pushed_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace ot::fuse
