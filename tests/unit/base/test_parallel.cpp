#include "base/parallel.hpp"

#include "base/error.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <mutex>
#include <vector>

using namespace ot;

TEST_CASE("parallel_for visits every index once, on several threads") {
  std::vector<std::atomic<int>> seen(10000);
  std::mutex m;
  std::set<std::thread::id> ids;
  parallel_for(seen.size(), 2, [&](size_t i) {
    seen[i]++;
    std::lock_guard l(m);
    ids.insert(std::this_thread::get_id());
  });
  for (auto& s : seen) CHECK(s == 1);
  CHECK(ids.size() <= 2);
  parallel_for(0, 4, [](size_t) { FAIL("no work expected"); });
}

TEST_CASE("parallel_for rethrows the first error and stops handing out work") {
  std::atomic<size_t> ran{0};
  CHECK_THROWS_WITH(parallel_for(100000, 2,
                                 [&](size_t i) {
                                   ran++;
                                   if (i == 10) throw Error("item 10 failed");
                                 }),
                    "item 10 failed");
  CHECK(ran < 100000);
}
