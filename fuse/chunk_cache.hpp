#pragma once
// A bounded LRU of decompressed content, keyed by (object, chunk index), so
// an archive-mode object is inflated once however many reads the kernel
// splits a sequential read into, and random reads hit memory. Concurrent
// misses on one key run the loader once; the others wait for its result.
#include "store/checksum.hpp"

#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ot::fuse {

struct ChunkKey {
  store::Digest object;
  uint64_t index = 0;
  bool operator==(const ChunkKey&) const = default;
};

struct ChunkKeyHash {
  size_t operator()(const ChunkKey& k) const noexcept;
};

using Chunk = std::shared_ptr<const std::string>;

class ChunkCache {
public:
  // budget_bytes bounds the total size of the chunks kept.
  explicit ChunkCache(size_t budget_bytes);
  ChunkCache(const ChunkCache&) = delete;
  ChunkCache& operator=(const ChunkCache&) = delete;

  // The cached chunk (now the most recently used), or null.
  Chunk find(const ChunkKey& key);
  // Keeps chunk under key, evicting the least recently used chunks to stay
  // within budget. A chunk larger than the whole budget is not kept.
  void insert(const ChunkKey& key, Chunk chunk);
  // find(), or on a miss load() and insert its result. Concurrent callers
  // for the same key share one load(); an exception from it reaches all.
  Chunk get(const ChunkKey& key, const std::function<Chunk()>& load);

  size_t bytes() const;
  size_t size() const;

private:
  struct Entry {
    ChunkKey key;
    Chunk chunk;
  };
  void insert_locked(const ChunkKey& key, Chunk chunk);

  const size_t budget_;
  mutable std::mutex mutex_;
  size_t bytes_ = 0;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<ChunkKey, std::list<Entry>::iterator, ChunkKeyHash> index_;
  std::unordered_map<ChunkKey, std::shared_future<Chunk>, ChunkKeyHash> loading_;
};

}  // namespace ot::fuse
