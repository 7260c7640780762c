#pragma once
// Content push-ahead: when a program starts reading the files of a
// directory (the first read at offset 0 of one of them), a background
// thread puts the content of the directory's other small files straight
// into the kernel's page cache for this mount (FUSE_NOTIFY_STORE), in
// listing order. While files are being read (a read from the start within
// the last second), every directory listed is pushed the same way as soon
// as it is listed: a bulk reader (find | xargs cat, tar, cp -r) lists
// directories before it reads their files, so their content is then in
// the kernel before the reader gets there. A reader going through the directory (cat, cp -r, tar,
// grep -r, a build) then finds them cached: no READ round trip at all,
// which is what a file read through FUSE otherwise costs at the least
// (with stateless opens, one per file: ~20-90 us here, more than reading a
// small file natively). Archive content is inflated on that thread too, so
// both cores work.
//
// Safe because the tree never changes: pushed pages stay valid for the
// life of the mount (opens keep the cache). Bounded per directory, so a
// directory of large files costs at most that much wasted work when only
// one file was wanted. Never on the thread that answers requests: storing
// into a page waits for any READ of that page still being answered.
#include "fuse/commit_tree.hpp"
#include "fuse/content_reader.hpp"
#include "fuse/work_queue.hpp"

#include <fuse_lowlevel.h>

#include <atomic>

namespace ot::fuse {

struct PushLimits {
  uint64_t file_max = 512 * 1024;         // larger files are read on demand
  uint64_t directory_max = 16ull << 20;   // bytes pushed per directory listing
};

class ContentPush {
public:
  ContentPush(CommitTree& tree, ContentReader& reader, PushLimits limits = {})
      : tree_(tree), reader_(reader), limits_(limits) {}
  ContentPush(const ContentPush&) = delete;
  ContentPush& operator=(const ContentPush&) = delete;

  // The session to store into; pushes start only once it is set.
  void attach(fuse_session* se) { session_.store(se, std::memory_order_release); }
  // File ino is being read from its start: pushes the content of the other
  // small files of the directory the kernel reached it through, once per
  // directory listing. Returns at once.
  void file_read(NodeId ino);
  // Directory dir is being listed (from its start): pushes it like
  // file_read() does when files were read from the start within the last
  // second; a plain walk (ls -lR, find) costs nothing. Returns at once.
  void directory_listed(NodeId dir);
  // Stops pushing (queued work is dropped, the running push ends after its
  // file) and waits; call before the session goes away.
  void stop();

  // Files pushed so far (for tests).
  uint64_t pushed_files() const { return pushed_.load(std::memory_order_relaxed); }

private:
  void queue_directory(NodeId dir);
  void push_directory(NodeId dir);
  bool push_file(fuse_session* se, NodeId ino, const FileObject& object);

  CommitTree& tree_;
  ContentReader& reader_;
  const PushLimits limits_;
  std::atomic<fuse_session*> session_{nullptr};
  std::atomic<bool> stopped_{false};
  // steady_clock ticks until which listings are pushed (see directory_listed).
  std::atomic<int64_t> reading_until_{0};
  std::atomic<uint64_t> pushed_{0};
  // Last: its thread uses everything above.
  WorkQueue queue_{"ostree-push", 1, 256};
};

}  // namespace ot::fuse
