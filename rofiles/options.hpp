#pragma once
// The command line, compatible with upstream's rofiles-fuse:
//   rofiles-fuse [--copyup] [-o OPT[,OPT...]] [-f] [-s] [-d] SRCDIR MOUNTPOINT
// Options may come in any order. -o takes libfuse mount options
// (allow_other, ...) plus the cache timeouts below.
#include "rofiles/write_policy.hpp"

#include <string>
#include <vector>

namespace ot::rofiles {

// How long the kernel may trust what it learned, in seconds.
//
// Caching never weakens the guard: every in-place change is judged by the
// daemon on a fresh fd, not on anything the kernel cached. Changes made
// through the mount are seen at once, because the kernel updates its caches
// from our replies (and we invalidate what a copy-up changes). The timeouts
// only bound how long a change made directly in SRCDIR, behind the mount's
// back, can stay invisible through it. Upstream (libfuse's high-level
// defaults) uses 1 s for names and attributes and does not cache misses;
// 10 s keeps a `find | xargs` over a large tree or a build re-reading its
// inputs from paying a LOOKUP per file per second, while an external edit
// still shows up soon. -o entry_timeout=1,attr_timeout=1,negative_timeout=0
// restores upstream's behaviour exactly.
struct CacheTimeouts {
  double entry = 10.0;     // name -> inode
  double attr = 10.0;      // stat results and, through them, cached data
  double negative = 10.0;  // "no such name"
};

struct Options {
  std::string source;
  std::string mountpoint;
  SharedFiles shared_files = SharedFiles::refuse;
  CacheTimeouts timeouts;
  bool foreground = false;
  bool single_thread = false;
  bool debug = false;
  // -o no_passthrough: serve file data through READ/WRITE requests even
  // where the kernel could pass it through (for comparison and debugging).
  bool passthrough = true;
  bool show_help = false;
  bool show_version = false;
  // Everything libfuse's session still has to see (argv[0] first).
  std::vector<std::string> fuse_args;
};

// Parses argv. Throws ot::Error with a one-line message on bad usage.
Options parse_options(int argc, const char* const* argv);

// The --help text.
std::string usage(const std::string& program);

}  // namespace ot::rofiles
