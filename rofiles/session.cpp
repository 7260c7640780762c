#include "rofiles/session.hpp"

#include "base/error.hpp"

#include <fuse_log.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace ot::rofiles {
namespace {

// While a Session sets itself up, libfuse's error messages are collected
// into the exception it throws, so a failure is one line on stderr. Only
// touched before the worker threads exist.
std::string* captured_errors = nullptr;

// libfuse sometimes builds one message from several calls, so lines are
// assembled here and only split at newlines.
void log_message(enum fuse_log_level level, const char* fmt, va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  if (captured_errors && level <= FUSE_LOG_WARNING) {
    *captured_errors += buf;
    return;
  }
  std::fprintf(stderr, "%s", buf);
}

class CaptureErrors {
public:
  CaptureErrors() {
    fuse_set_log_func(log_message);
    captured_errors = &text_;
  }
  CaptureErrors(const CaptureErrors&) = delete;
  CaptureErrors& operator=(const CaptureErrors&) = delete;
  ~CaptureErrors() { captured_errors = nullptr; }
  // "what: message one; message two", without libfuse's "fuse: " prefixes.
  std::string explain(const std::string& what) const {
    std::string out = what;
    size_t start = 0;
    while (start < text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string::npos) end = text_.size();
      std::string line = text_.substr(start, end - start);
      start = end + 1;
      if (line.rfind("fuse: ", 0) == 0) line.erase(0, 6);
      if (line.empty()) continue;
      out += out == what ? ": " : "; ";
      out += line;
    }
    return out;
  }

private:
  std::string text_;
};

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

}  // namespace

Session::Session(const std::vector<std::string>& args, const fuse_lowlevel_ops& ops,
                 void* userdata) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  struct fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  CaptureErrors errors;
  se_ = fuse_session_new(&fargs, &ops, sizeof ops, userdata);
  if (fargs.allocated) fuse_opt_free_args(&fargs);
  if (!se_) throw Error(errors.explain("invalid FUSE options"), EINVAL);
}

Session::~Session() {
  if (mounted_) fuse_session_unmount(se_);
  fuse_session_destroy(se_);
}

void Session::mount(const std::string& mountpoint) {
  CaptureErrors errors;
  if (fuse_session_mount(se_, mountpoint.c_str()) != 0)
    throw Error(errors.explain("cannot mount on '" + mountpoint + "'"), EIO);
  mounted_ = true;
}

bool Session::serve(unsigned workers, SlowRequests slow) {
  SignalHandlers signals(se_);
  return serve_requests(se_, workers, slow) >= 0;
}

}  // namespace ot::rofiles
