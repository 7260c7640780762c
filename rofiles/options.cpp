#include "rofiles/options.hpp"

#include "base/error.hpp"

#include <fuse_lowlevel.h>
#include <fuse_opt.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace ot::rofiles {
namespace {

enum Key {
  key_help,
  key_version,
  key_copyup,
  key_foreground,
  key_single,
  key_debug,
  key_no_passthrough,
};

// fuse_opt writes option values through offsets into a plain struct.
struct Parsed {
  double entry_timeout;
  double attr_timeout;
  double negative_timeout;
  int nonopts;
  Options* out;
  std::string error;
};

const struct fuse_opt kSpecs[] = {
    {"entry_timeout=%lf", offsetof(Parsed, entry_timeout), 0},
    {"attr_timeout=%lf", offsetof(Parsed, attr_timeout), 0},
    {"negative_timeout=%lf", offsetof(Parsed, negative_timeout), 0},
    FUSE_OPT_KEY("-h", key_help),
    FUSE_OPT_KEY("--help", key_help),
    FUSE_OPT_KEY("-V", key_version),
    FUSE_OPT_KEY("--version", key_version),
    FUSE_OPT_KEY("--copyup", key_copyup),
    FUSE_OPT_KEY("-f", key_foreground),
    FUSE_OPT_KEY("-s", key_single),
    FUSE_OPT_KEY("-d", key_debug),
    FUSE_OPT_KEY("debug", key_debug),
    FUSE_OPT_KEY("no_passthrough", key_no_passthrough),
    // Options of libfuse's high-level layer, which upstream's rofiles-fuse
    // accepts: meaningless for a low-level passthrough (inode numbers are
    // always the source's, unlinked files are never renamed to
    // .fuse_hidden*, the data cache follows mtime), so accepted and dropped.
    FUSE_OPT_KEY("use_ino", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_KEY("readdir_ino", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_KEY("hard_remove", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_KEY("kernel_cache", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_KEY("auto_cache", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_KEY("noauto_cache", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_KEY("ac_attr_timeout=", FUSE_OPT_KEY_DISCARD),
    FUSE_OPT_END,
};

// Returns 0 to consume the argument, 1 to pass it on to libfuse.
int on_arg(void* data, const char* arg, int key, struct fuse_args*) {
  auto& p = *static_cast<Parsed*>(data);
  switch (key) {
    case FUSE_OPT_KEY_NONOPT:
      if (p.nonopts == 0) p.out->source = arg;
      else if (p.nonopts == 1) p.out->mountpoint = arg;
      else if (p.error.empty()) p.error = std::string("unexpected argument '") + arg + "'";
      p.nonopts++;
      return 0;
    case key_help: p.out->show_help = true; return 0;
    case key_version: p.out->show_version = true; return 0;
    case key_copyup: p.out->shared_files = SharedFiles::copy_up; return 0;
    case key_foreground: p.out->foreground = true; return 0;
    case key_single: p.out->single_thread = true; return 0;
    case key_no_passthrough: p.out->passthrough = false; return 0;
    case key_debug:
      p.out->debug = true;
      p.out->foreground = true;  // as libfuse does: debug output needs a terminal
      return 1;                  // the session prints the protocol trace
    default:
      if (arg[0] == '-' && arg[1] != 'o' && p.error.empty())
        p.error = std::string("unknown option '") + arg + "'";
      return 1;  // -o mount options: libfuse validates them
  }
}

}  // namespace

Options parse_options(int argc, const char* const* argv) {
  Options out;
  Parsed p{out.timeouts.entry, out.timeouts.attr, out.timeouts.negative, 0, &out, {}};
  struct fuse_args args = FUSE_ARGS_INIT(0, nullptr);
  for (int i = 0; i < argc; i++) {
    if (fuse_opt_add_arg(&args, argv[i]) != 0) {
      fuse_opt_free_args(&args);
      throw Error("out of memory", ENOMEM);
    }
  }
  int rc = fuse_opt_parse(&args, &p, kSpecs, on_arg);
  for (int i = 0; i < args.argc; i++) out.fuse_args.emplace_back(args.argv[i]);
  fuse_opt_free_args(&args);
  if (rc != 0) throw Error("invalid arguments", EINVAL);
  if (!p.error.empty()) throw Error(p.error, EINVAL);
  if (out.show_help || out.show_version) return out;

  out.timeouts = {p.entry_timeout, p.attr_timeout, p.negative_timeout};
  for (double t : {p.entry_timeout, p.attr_timeout, p.negative_timeout})
    if (!(t >= 0)) throw Error("cache timeouts must be zero or more seconds", EINVAL);
  if (out.source.empty()) throw Error("missing SRCDIR (see --help)", EINVAL);
  if (out.mountpoint.empty()) throw Error("missing MOUNTPOINT (see --help)", EINVAL);
  return out;
}

std::string usage(const std::string& program) {
  return "usage: " + program + " [--copyup] [-o OPTIONS] [-f] SRCDIR MOUNTPOINT\n"
         "\n"
         "Makes SRCDIR visible at MOUNTPOINT such that files with more than one\n"
         "hardlink (repository objects) are read-only, while directories stay\n"
         "writable: new files can be created, and anything can be removed or renamed.\n"
         "\n"
         "options:\n"
         "    --copyup               break the hardlink on first write instead of\n"
         "                           failing with EROFS\n"
         "    -f                     stay in the foreground\n"
         "    -s                     serve requests on a single thread\n"
         "    -d, -o debug           print the FUSE protocol trace (implies -f)\n"
         "    -o entry_timeout=S     seconds the kernel may cache names (10)\n"
         "    -o attr_timeout=S      seconds the kernel may cache attributes (10)\n"
         "    -o negative_timeout=S  seconds the kernel may cache missing names (10)\n"
         "                           (changes made through the mount are always\n"
         "                           seen at once; these bound how long changes\n"
         "                           made directly in SRCDIR can go unseen)\n"
         "    -o no_passthrough      serve file data through the daemon even where\n"
         "                           the kernel could read and write it directly\n"
         "    -o OPT[,OPT...]        other FUSE mount options (allow_other, ...)\n"
         "    -h, --help             print this help\n"
         "    -V, --version          print the version\n";
}

}  // namespace ot::rofiles
