#include "rofiles/session.hpp"

#include "base/error.hpp"

#include <cerrno>

namespace ot::rofiles {
namespace {

// Installs libfuse's handlers (SIGTERM, SIGINT, SIGHUP end the loop, which
// then unmounts; SIGPIPE is ignored) for as long as the loop runs.
class SignalHandlers {
public:
  explicit SignalHandlers(fuse_session* se) : se_(se) {
    if (fuse_set_signal_handlers(se_) != 0) throw Error("cannot install signal handlers", EIO);
  }
  SignalHandlers(const SignalHandlers&) = delete;
  SignalHandlers& operator=(const SignalHandlers&) = delete;
  ~SignalHandlers() { fuse_remove_signal_handlers(se_); }

private:
  fuse_session* se_;
};

class LoopConfig {
public:
  LoopConfig() : cfg_(fuse_loop_cfg_create()) {
    if (!cfg_) throw Error("out of memory", ENOMEM);
  }
  LoopConfig(const LoopConfig&) = delete;
  LoopConfig& operator=(const LoopConfig&) = delete;
  ~LoopConfig() { fuse_loop_cfg_destroy(cfg_); }
  fuse_loop_config* get() const { return cfg_; }

private:
  fuse_loop_config* cfg_;
};

}  // namespace

Session::Session(const std::vector<std::string>& args, const fuse_lowlevel_ops& ops,
                 void* userdata) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  struct fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  se_ = fuse_session_new(&fargs, &ops, sizeof ops, userdata);
  if (fargs.allocated) fuse_opt_free_args(&fargs);
  if (!se_) throw Error("invalid FUSE options", EINVAL);
}

Session::~Session() {
  if (mounted_) fuse_session_unmount(se_);
  fuse_session_destroy(se_);
}

void Session::mount(const std::string& mountpoint) {
  if (fuse_session_mount(se_, mountpoint.c_str()) != 0)
    throw Error("cannot mount on '" + mountpoint + "'", EIO);
  mounted_ = true;
}

bool Session::serve(bool single_thread) {
  SignalHandlers signals(se_);
  int rc;
  if (single_thread) {
    rc = fuse_session_loop(se_);
  } else {
    LoopConfig cfg;
    rc = fuse_session_loop_mt(se_, cfg.get());
  }
  return rc == 0;
}

}  // namespace ot::rofiles
