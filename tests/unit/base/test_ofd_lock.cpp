#include "base/ofd_lock.hpp"

#include "base/error.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fcntl.h>

using namespace ot;
using namespace std::chrono_literals;

TEST_CASE("shared OFD locks coexist, exclusive ones wait and time out") {
  TempDir tmp(AT_FDCWD, "/tmp/ot-unit-");
  {
    OfdLock a(tmp.fd(), ".lock", LockKind::shared, 0ms);
    OfdLock b(tmp.fd(), ".lock", LockKind::shared, 0ms);  // same process, other description
    CHECK(OfdLock::is_locked(tmp.fd(), ".lock", LockKind::exclusive));
    CHECK_FALSE(OfdLock::is_locked(tmp.fd(), ".lock", LockKind::shared));
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(OfdLock(tmp.fd(), ".lock", LockKind::exclusive, 200ms),
                      Catch::Contains("timed out") && Catch::Contains(".lock"));
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
  }
  // Released with the descriptors.
  OfdLock x(tmp.fd(), ".lock", LockKind::exclusive, 0ms);
  CHECK_THROWS_AS(OfdLock(tmp.fd(), ".lock", LockKind::shared, 0ms), Error);
}
