#pragma once
// The request loop. libfuse's multithreaded loop lets every idle worker wait
// on /dev/fuse and the kernel wakes them in turn, so consecutive requests of
// one process land on different threads, often on another CPU: measured
// here at ~100 us per round trip, against ~17 us when one thread serves them
// all. So one dispatcher thread reads every request and answers the quick
// ones itself (lookups, stat, readdir, open for reading, ...), and hands the
// ones that can block for long (fsync, classic reads and writes, copy-ups)
// to a small pool, so a slow request never holds up the rest.
//
// After each request the dispatcher keeps polling the device for 100 us
// before it sleeps (as `ostree mount` does): the client's next request
// usually follows within microseconds, and waking a sleeping thread costs
// more than the whole round trip otherwise does in a VM. The poll yields the
// CPU to anything runnable and ends as soon as the device goes quiet.
#include <fuse_lowlevel.h>

namespace ot::rofiles {

// Which requests may take long enough to go to the pool.
enum class SlowRequests {
  data_only,        // fsync, read, write, fallocate, copy_file_range
  data_and_writes,  // also open/create/setattr/xattr changes (--copyup copies)
};

// Serves se until it is unmounted or a signal ends it. workers == 0 serves
// everything on the calling thread. Returns 0, or -errno if reading
// requests failed.
int serve_requests(fuse_session* se, unsigned workers, SlowRequests slow);

}  // namespace ot::rofiles
