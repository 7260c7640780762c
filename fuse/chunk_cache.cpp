#include "fuse/chunk_cache.hpp"

#include <cstring>

namespace ot::fuse {

size_t ChunkKeyHash::operator()(const ChunkKey& k) const noexcept {
  // The object id is a SHA-256: any 8 of its bytes are already uniform.
  uint64_t h;
  std::memcpy(&h, k.object.data(), sizeof h);
  return h ^ (k.index * 0x9e3779b97f4a7c15ull);
}

ChunkCache::ChunkCache(size_t budget_bytes) : budget_(budget_bytes) {}

Chunk ChunkCache::find(const ChunkKey& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->chunk;
}

void ChunkCache::insert(const ChunkKey& key, Chunk chunk) {
  std::lock_guard lock(mutex_);
  insert_locked(key, std::move(chunk));
}

void ChunkCache::insert_locked(const ChunkKey& key, Chunk chunk) {
  if (!chunk || chunk->size() > budget_) return;
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->chunk->size();
    lru_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += chunk->size();
  lru_.push_front(Entry{key, std::move(chunk)});
  index_.emplace(key, lru_.begin());
  while (bytes_ > budget_) {
    auto& victim = lru_.back();
    bytes_ -= victim.chunk->size();
    index_.erase(victim.key);
    lru_.pop_back();
  }
}

Chunk ChunkCache::get(const ChunkKey& key, const std::function<Chunk()>& load) {
  std::promise<Chunk> promise;
  std::unique_lock lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->chunk;
  }
  if (auto it = loading_.find(key); it != loading_.end()) {
    auto pending = it->second;
    lock.unlock();
    return pending.get();
  }
  loading_.emplace(key, promise.get_future().share());
  lock.unlock();

  Chunk chunk;
  try {
    chunk = load();
  } catch (...) {
    lock.lock();
    loading_.erase(key);
    promise.set_exception(std::current_exception());
    throw;
  }
  lock.lock();
  insert_locked(key, chunk);
  loading_.erase(key);
  promise.set_value(chunk);
  return chunk;
}

size_t ChunkCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

size_t ChunkCache::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

}  // namespace ot::fuse
