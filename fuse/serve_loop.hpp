#pragma once
// The request loop: one thread reads requests from /dev/fuse and answers
// them (slow ones are handed on, see Filesystem::slow_work).
//
// After each answer the thread keeps polling the device for a short while
// before it goes to sleep. A program walking or reading a tree sends its
// next request within microseconds, and waking a sleeping thread on another
// CPU is the dominant cost of a round trip in a VM (an IPI and a VM exit):
// measured here at ~90 us per LOOKUP round trip with a sleeping server, ~16
// us with server and client sharing a CPU. The poll is bounded, yields the
// CPU to anything runnable, and ends as soon as the device goes quiet, so an
// idle mount costs nothing.
#include <fuse_lowlevel.h>

#include <chrono>
#include <functional>

namespace ot::fuse {

// Serves se until it is unmounted or a signal handler installed with
// fuse_set_signal_handlers() ends it; after_init (if any) runs once the
// first request, INIT, is answered. Returns 0, or -errno when reading the
// device failed.
int serve_requests(fuse_session* se, std::chrono::microseconds poll_after_answer,
                   const std::function<void()>& after_init = {});

}  // namespace ot::fuse
