#pragma once
// rofiles-fuse as a library call: mount opts.source at opts.mountpoint and
// serve it until unmounted or signalled.
#include "rofiles/options.hpp"

namespace ot::rofiles {

// Checks the arguments, mounts, detaches from the terminal unless
// opts.foreground, and serves requests. Throws ot::Error (one line, errno
// kept) for anything that prevents the mount; returns once it is gone.
void mount_and_serve(const Options& opts);

}  // namespace ot::rofiles
