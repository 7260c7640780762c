// rofiles-fuse: parse, call the library, report.
#include "base/error.hpp"
#include "rofiles/options.hpp"
#include "rofiles/rofiles.hpp"

#include <sys/stat.h>

#include <cstdio>

int main(int argc, char** argv) {
  // Modes from the kernel already carry the caller's umask; ours must not
  // apply a second time. Set before any thread exists.
  ::umask(0);
  try {
    auto opts = ot::rofiles::parse_options(argc, argv);
    if (opts.show_help) {
      std::fputs(ot::rofiles::usage("rofiles-fuse").c_str(), stdout);
      return 0;
    }
    if (opts.show_version) {
      std::printf("rofiles-fuse (ostree-cpp) %s\n", OT_VERSION);
      return 0;
    }
    ot::rofiles::mount_and_serve(opts);
    return 0;
  } catch (const ot::Error& e) {
    std::fprintf(stderr, "rofiles-fuse: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rofiles-fuse: %s\n", e.what());
    return 1;
  }
}
