#pragma once
// Data parallelism for independent work items (hashing objects, copying
// files): a fixed number of threads pulling indices from a shared counter.
#include <cstddef>
#include <functional>

namespace ot {

// Threads worth starting for CPU-bound work: the online CPUs, at least 1.
unsigned default_thread_count();

// Runs fn(i) for every i in [0, n) on up to `threads` threads (0: one per CPU;
// the caller's thread is one of them). The first exception stops the handing
// out of further indices and is rethrown once every thread has finished.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& fn);

}  // namespace ot
