#pragma once
// The command line, compatible with upstream's rofiles-fuse:
//   rofiles-fuse [--copyup] [-o OPT[,OPT...]] [-f] [-s] [-d] SRCDIR MOUNTPOINT
// Options may come in any order. -o takes libfuse mount options
// (allow_other, ...) plus the cache timeouts below.
#include "rofiles/write_policy.hpp"

#include <string>
#include <vector>

namespace ot::rofiles {

// How long the kernel may trust what it learned, in seconds. Changes made
// through the mount are always seen at once; these bound how long a change
// made directly in SRCDIR, behind the mount's back, can stay invisible.
struct CacheTimeouts {
  double entry = 1.0;     // name -> inode (upstream: 1 s)
  double attr = 1.0;      // stat results and, through them, cached data
  double negative = 1.0;  // "no such name" (upstream: not cached)
};

struct Options {
  std::string source;
  std::string mountpoint;
  SharedFiles shared_files = SharedFiles::refuse;
  CacheTimeouts timeouts;
  bool foreground = false;
  bool single_thread = false;
  bool debug = false;
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
