#include "base/fault_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace ot {

namespace {

struct FaultConfig {
  long at = 0;  // 0: never
  bool trace = false;
};

const FaultConfig& config() {
  static const FaultConfig cfg = [] {
    FaultConfig c;
    if (const char* s = std::getenv("OT_FAULT_AT"))
      c.at = std::strtol(s, nullptr, 10);
    if (const char* t = std::getenv("OT_FAULT_TRACE"))
      c.trace = t[0] == '1';
    return c;
  }();
  return cfg;
}

std::atomic<int> passed{0};

}  // namespace

void fault_point(const char* what) {
  const FaultConfig& cfg = config();
  if (cfg.at <= 0 && !cfg.trace)
    return;
  const int n = ++passed;
  if (cfg.trace)
    std::fprintf(stderr, "fault point %d: %s\n", n, what);
  if (n == cfg.at) {
    std::fflush(nullptr);
    ::kill(::getpid(), SIGKILL);
  }
}

int fault_points_passed() { return passed.load(); }

}  // namespace ot
