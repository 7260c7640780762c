#include "fuse/mount.hpp"

#include "base/error.hpp"
#include "fuse/commit_tree.hpp"
#include "fuse/filesystem.hpp"
#include "fuse/serve_loop.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <thread>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

extern char** environ;

namespace ot::fuse {
namespace {

// See serve_loop.hpp: longer than a client's think time between requests,
// short enough that an idle mount sleeps at once.
constexpr std::chrono::microseconds kPollAfterAnswer{100};

// libfuse reports through one process-wide log function. While a mount is
// being set up its messages are captured for the error we throw; afterwards
// they go to the mount's log.
struct LibfuseLog {
  std::mutex mutex;
  std::string* capture = nullptr;
  Log* log = nullptr;
};
LibfuseLog g_libfuse_log;

void libfuse_log(enum fuse_log_level, const char* fmt, va_list ap) {
  char buf[2048];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  std::string_view line(buf);
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::lock_guard lock(g_libfuse_log.mutex);
  if (g_libfuse_log.capture) {
    if (!g_libfuse_log.capture->empty()) *g_libfuse_log.capture += "; ";
    *g_libfuse_log.capture += line;
  } else if (g_libfuse_log.log) {
    g_libfuse_log.log->line(line);
  }
}

class CaptureLibfuseLog {
public:
  explicit CaptureLibfuseLog(std::string& into) {
    std::lock_guard lock(g_libfuse_log.mutex);
    g_libfuse_log.capture = &into;
    fuse_set_log_func(libfuse_log);
  }
  ~CaptureLibfuseLog() {
    std::lock_guard lock(g_libfuse_log.mutex);
    g_libfuse_log.capture = nullptr;
  }
};

// "fuse: " prefixes and the like are noise in a one-line error.
std::string libfuse_reason(std::string message, const char* fallback) {
  if (message.rfind("fuse: ", 0) == 0) message.erase(0, 6);
  return message.empty() ? fallback : message;
}

// An absolute path with the final component unresolved, so a stale mount
// (whose root cannot be stat'ed any more) can still be named.
std::string absolute_unresolved(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  auto slash = trimmed.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : trimmed.substr(0, slash);
  std::string base = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  char* real = ::realpath(dir.c_str(), nullptr);
  if (!real) throw_errno("mountpoint " + path, {}, errno);
  std::string out(real);
  std::free(real);
  if (base.empty() || base == ".") return out;
  if (base == "..") {
    auto s = out.rfind('/');
    return s == 0 ? "/" : out.substr(0, s);
  }
  return out == "/" ? "/" + base : out + "/" + base;
}

// The mountpoint must be an existing directory nothing is mounted on yet.
std::string check_mountpoint(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) throw Error("mountpoint " + path + ": " + std::strerror(errno), errno);
  std::string out(real);
  std::free(real);
  struct statx stx {};
  if (::statx(AT_FDCWD, out.c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) != 0)
    throw Error("mountpoint " + path + ": " + std::strerror(errno), errno);
  if (!S_ISDIR(stx.stx_mode)) throw Error("mountpoint " + path + " is not a directory", ENOTDIR);
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    throw Error("mountpoint " + path + " is busy: something is already mounted there", EBUSY);
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out += char(v);
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The filesystem type of the topmost mount at path, or "" when none.
std::string mounted_fstype(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    if (unescape_mountinfo(point) != path) continue;
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream rest(line.substr(sep + 3));
    rest >> found;  // later lines are mounted on top of earlier ones
  }
  return found;
}

// The device numbers ("major:minor") of the topmost mount at path, or "".
std::string mounted_device(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    if (unescape_mountinfo(point) == path) found = devno;
  }
  return found;
}

// Sequential reads of large files go to the daemon in readahead-sized
// READ requests: 128 KiB by default, the kernel's offer in INIT (which a
// filesystem may only lower, and which the kernel applies when INIT is
// answered). The mount's own readahead setting can be raised after that,
// by root, to the largest READ libfuse negotiates (1 MiB, its max_write):
// four times fewer round trips on large files, measured ~2.4 times fewer
// READs over a whole minbase tree's files above 512 KiB. Only an
// optimisation: quietly skipped when not permitted.
void widen_readahead(const std::string& mountpoint) {
  std::string dev = mounted_device(mountpoint);
  if (dev.empty() || dev.find('/') != std::string::npos) return;
  std::ofstream out("/sys/class/bdi/" + dev + "/read_ahead_kb");
  if (out) out << "1024\n";
}

}  // namespace

struct CommitMount::Impl {
  std::string mountpoint;
  Log log;
  CommitTree tree;
  ContentReader reader;
  WorkQueue slow_work;
  ContentPush push;
  Filesystem fs;
  fuse_session* session = nullptr;
  bool mounted = false;

  Impl(const store::Repo& repo, const store::Digest& commit, std::string mp, const MountOptions& o)
      : mountpoint(std::move(mp)), log(o.log), tree(repo, commit, o.subpath, log),
        reader(repo, o.verify, log, o.cache_bytes),
        slow_work("ostree-slow", std::clamp(std::thread::hardware_concurrency(), 2u, 8u), SIZE_MAX),
        push(tree, reader), fs{tree, reader, log, &slow_work} {
    fs.push = &push;
  }

  ~Impl() {
    push.stop();
    if (session) {
      if (mounted) fuse_session_unmount(session);
      fuse_session_destroy(session);
    }
    std::lock_guard lock(g_libfuse_log.mutex);
    if (g_libfuse_log.log == &log) g_libfuse_log.log = nullptr;
  }
};

CommitMount::CommitMount(const store::Repo& repo, const store::Digest& commit,
                         const std::string& mountpoint, MountOptions options) {
  std::string where = check_mountpoint(mountpoint);
  impl_ = std::make_unique<Impl>(repo, commit, where, options);

  std::string opts = "ro,default_permissions,subtype=ostree,fsname=ostree:" + store::digest_hex(commit);
  // Root's mounts serve every user (with the kernel checking permissions
  // from the commit's modes, as on a checkout).
  if (::geteuid() == 0) opts += ",allow_other";
  std::vector<std::string> argv_strings = {"ostree", "-o", opts};
  if (options.debug) argv_strings.push_back("-d");
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  fuse_args args = FUSE_ARGS_INIT(int(argv.size()), argv.data());
  struct FreeArgs {
    fuse_args& a;
    ~FreeArgs() { fuse_opt_free_args(&a); }
  } free_args{args};

  std::string messages;
  {
    CaptureLibfuseLog capture(messages);
    impl_->session = fuse_session_new(&args, &operations(), sizeof(fuse_lowlevel_ops), &impl_->fs);
    if (!impl_->session)
      throw Error("cannot start a FUSE session: " + libfuse_reason(messages, "invalid options"), EINVAL);
    if (fuse_session_mount(impl_->session, where.c_str()) != 0)
      throw Error("cannot mount on " + mountpoint + ": " +
                      libfuse_reason(messages, "the kernel refused (is /dev/fuse available?)"),
                  EIO);
  }
  impl_->mounted = true;
  impl_->push.attach(impl_->session);
  std::lock_guard lock(g_libfuse_log.mutex);
  g_libfuse_log.log = &impl_->log;
}

CommitMount::~CommitMount() = default;

const std::string& CommitMount::mountpoint() const { return impl_->mountpoint; }

void CommitMount::daemonize() {
  if (fuse_daemonize(0) != 0) throw Error("cannot detach into the background", errno ? errno : EIO);
}

void CommitMount::serve() {
  auto* se = impl_->session;
  if (fuse_set_signal_handlers(se) != 0) throw Error("cannot install signal handlers", EIO);
  // One thread reads and answers requests; slow reads go to impl_->slow_work
  // (see Filesystem).
  int rc = serve_requests(se, kPollAfterAnswer, [this] {
    if (::geteuid() == 0) widen_readahead(impl_->mountpoint);
  });
  fuse_remove_signal_handlers(se);
  // Answers still being prepared go out (or fail harmlessly) before the
  // session goes away.
  impl_->slow_work.drain();
  impl_->push.stop();
  // Unmounted from outside, or by a signal: either way the mount goes now.
  fuse_session_unmount(se);
  impl_->mounted = false;
  if (rc < 0) throw Error("serving " + impl_->mountpoint + ": " + std::strerror(-rc), -rc);
}

void unmount_commit(const std::string& mountpoint) {
  std::string path = absolute_unresolved(mountpoint);
  std::string type = mounted_fstype(path);
  if (type.empty()) throw Error(mountpoint + " is not a mount point", EINVAL);
  if (type != "fuse.ostree") throw Error(mountpoint + " is not an ostree mount (it is " + type + ")", EINVAL);
  if (::umount2(path.c_str(), UMOUNT_NOFOLLOW) == 0) return;
  if (errno != EPERM) throw Error("cannot unmount " + mountpoint + ": " + std::strerror(errno), errno);
  // Not root: the setuid helper unmounts FUSE mounts of their owner.
  std::vector<std::string> argv_strings = {"fusermount3", "-u", "--", path};
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawnp(&pid, "fusermount3", nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw Error("cannot run fusermount3: " + std::string(std::strerror(rc)), rc);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("cannot unmount " + mountpoint + ": fusermount3 -u failed", EPERM);
}

}  // namespace ot::fuse
