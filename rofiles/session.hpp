#pragma once
// RAII for a libfuse low-level session: created from the remaining command
// line, mounted, served, and always unmounted and destroyed on the way out.
#include "rofiles/serve_loop.hpp"

#include <fuse_lowlevel.h>

#include <string>
#include <vector>

namespace ot::rofiles {

class Session {
public:
  // Throws ot::Error if libfuse rejects the options (it prints why).
  Session(const std::vector<std::string>& args, const fuse_lowlevel_ops& ops, void* userdata);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  fuse_session* get() const { return se_; }

  // Mounts at mountpoint. Throws ot::Error on failure.
  void mount(const std::string& mountpoint);

  // Serves requests until the mount goes away or SIGTERM/SIGINT/SIGHUP
  // arrives, with `workers` threads for slow requests (0: all on this one).
  // Returns false if the loop failed.
  bool serve(unsigned workers, SlowRequests slow);

private:
  fuse_session* se_ = nullptr;
  bool mounted_ = false;
};

}  // namespace ot::rofiles
