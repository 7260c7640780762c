#include "rofiles/rofiles.hpp"

#include "base/error.hpp"
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"
#include "rofiles/session.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ot::rofiles {
namespace {

// The source tree, held open for the life of the mount: every path is
// resolved relative to it, never by string.
[[noreturn]] void fail(const std::string& what, int err) {
  throw Error(what + ": " + std::strerror(err), err);
}

UniqueFd open_source(const std::string& path) {
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("source directory '" + path + "'", errno);
  return UniqueFd(fd);
}

// The mountpoint as an absolute path: the daemon leaves the caller's
// working directory, and unmounting a relative name from "/" would miss (or
// hit another mount).
std::string check_mountpoint(const std::string& path) {
  struct stat st;
  // A dead FUSE mount answers ENOTCONN here, which is worth saying early.
  if (::stat(path.c_str(), &st) < 0) fail("mountpoint '" + path + "'", errno);
  if (!S_ISDIR(st.st_mode)) fail("mountpoint '" + path + "'", ENOTDIR);
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) fail("mountpoint '" + path + "'", errno);
  std::string absolute(real);
  std::free(real);
  return absolute;
}

void check_fuse_device() {
  if (::access("/dev/fuse", F_OK) < 0) fail("/dev/fuse (is the fuse module loaded?)", errno);
}

// One fd per cached directory and per open file: a big tree under a
// parallel build can pass the default soft limit of 1024.
void raise_fd_limit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// libfuse names the mount after the program unless told otherwise.
std::vector<std::string> session_args(const Options& opts) {
  std::vector<std::string> args = opts.fuse_args;
  bool named = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a.find("subtype=") != std::string::npos || a.find("fsname=") != std::string::npos;
  });
  if (!named) args.push_back("-osubtype=rofiles-fuse");
  return args;
}

}  // namespace

void mount_and_serve(const Options& opts) {
  // 1. Validate what we were given, so failures are one clear line.
  UniqueFd source = open_source(opts.source);
  const std::string mountpoint = check_mountpoint(opts.mountpoint);
  check_fuse_device();
  raise_fd_limit();

  // 2. Mount. Errors still reach the terminal.
  Filesystem fs(std::move(source), opts.shared_files, opts.timeouts);
  Session session(session_args(opts), operations(), &fs);
  fs.session = session.get();
  session.mount(mountpoint);
  if (opts.passthrough) fs.passthrough.install(session.get());

  // 3. Detach (the caller's rofiles-fuse command returns once mounted), then
  //    serve. The Session destructor unmounts however we leave.
  if (fuse_daemonize(opts.foreground ? 1 : 0) != 0) throw Error("cannot daemonize", EIO);
  fs.open_proc_fds();
  // Four workers keep a few fsyncs or copy-ups of a parallel build from
  // queueing behind each other; -s serves everything on one thread.
  const unsigned workers = opts.single_thread ? 0 : 4;
  const SlowRequests slow = opts.shared_files == SharedFiles::copy_up
                                ? SlowRequests::data_and_writes
                                : SlowRequests::data_only;
  if (!session.serve(workers, slow)) throw Error("FUSE session failed", EIO);
}

}  // namespace ot::rofiles
