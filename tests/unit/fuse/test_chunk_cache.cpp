#include "fuse/chunk_cache.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace ot::fuse;

namespace {

ChunkKey key(uint8_t object, uint64_t index) {
  ChunkKey k;
  k.object.fill(object);
  k.index = index;
  return k;
}

Chunk bytes(size_t n, char c = 'x') { return std::make_shared<const std::string>(n, c); }

}  // namespace

TEST_CASE("chunk cache keeps the most recently used chunks within its budget") {
  ChunkCache cache(300);
  cache.insert(key(1, 0), bytes(100, 'a'));
  cache.insert(key(1, 1), bytes(100, 'b'));
  cache.insert(key(2, 0), bytes(100, 'c'));
  REQUIRE(cache.bytes() == 300);
  REQUIRE(cache.find(key(1, 0)));  // now the most recent
  cache.insert(key(3, 0), bytes(100, 'd'));
  CHECK(cache.bytes() == 300);
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.find(key(1, 1)));  // the least recently used went
  CHECK(*cache.find(key(1, 0)) == std::string(100, 'a'));
  CHECK(*cache.find(key(3, 0)) == std::string(100, 'd'));
}

TEST_CASE("chunk cache does not keep a chunk larger than its budget") {
  ChunkCache cache(100);
  cache.insert(key(1, 0), bytes(50));
  cache.insert(key(2, 0), bytes(101));
  CHECK_FALSE(cache.find(key(2, 0)));
  CHECK(cache.find(key(1, 0)));
  // get() still hands it to its caller.
  auto big = cache.get(key(3, 0), [] { return bytes(500); });
  CHECK(big->size() == 500);
  CHECK(cache.bytes() == 50);
}

TEST_CASE("chunk cache replaces a chunk stored again under the same key") {
  ChunkCache cache(1000);
  cache.insert(key(1, 0), bytes(100, 'a'));
  cache.insert(key(1, 0), bytes(200, 'b'));
  CHECK(cache.bytes() == 200);
  CHECK(cache.size() == 1);
  CHECK(cache.find(key(1, 0))->front() == 'b');
}

TEST_CASE("concurrent misses on one chunk load it once") {
  ChunkCache cache(1 << 20);
  std::atomic<int> loads{0};
  std::vector<std::thread> threads;
  std::vector<Chunk> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      got[i] = cache.get(key(7, 3), [&] {
        loads++;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return bytes(10, 'z');
      });
    });
  }
  for (auto& t : threads) t.join();
  CHECK(loads == 1);
  for (auto& c : got) CHECK(c.get() == got[0].get());
}

TEST_CASE("a failed load reaches every waiter and caches nothing") {
  ChunkCache cache(1 << 20);
  std::atomic<int> loads{0}, failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        cache.get(key(9, 0), [&]() -> Chunk {
          loads++;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          throw std::runtime_error("corrupt");
        });
      } catch (const std::runtime_error&) {
        failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 4);
  CHECK(loads >= 1);
  CHECK(cache.size() == 0);
  // The next reader tries again.
  CHECK(cache.get(key(9, 0), [] { return bytes(3); })->size() == 3);
}
