// ostree mount: serve a commit read-only through FUSE, straight from the
// object store (not in upstream OSTree). The work is in fuse/.
#include "cli/invocation.hpp"
#include "fuse/mount.hpp"
#include "store/repo.hpp"

#include <fcntl.h>
#include <syslog.h>

#include <atomic>
#include <cstdio>

namespace ot::cli {
namespace {

constexpr const char* kRepoHelp =
    "Path to OSTree repository (defaults to current directory or /sysroot/ostree/repo)";

constexpr std::string_view kSummary =
    "The mount is read-only and looks like a checkout of the commit. Files with\n"
    "the same content are hardlinks of one inode, whose link count is the number\n"
    "of its names in the tree. Files have the time of repository objects (the\n"
    "epoch), directories the commit's time. Objects missing from the repository\n"
    "make their own files fail with an I/O error and are logged (to stderr with\n"
    "-f, else to the system log). Unmount with --unmount, fusermount3 -u, or\n"
    "SIGTERM to the server.";

// Until it detaches, the server reports to stderr; after, stderr is
// /dev/null and the system log is where an administrator looks.
std::atomic<bool> g_detached{false};

void log_line(std::string_view line) {
  if (g_detached.load()) {
    syslog(LOG_ERR, "%.*s", int(line.size()), line.data());
  } else {
    std::fprintf(stderr, "ostree mount: %.*s\n", int(line.size()), line.data());
  }
}

void run(Invocation& inv) {
  std::optional<std::string> repo_path, subpath;
  bool verify = false, foreground = false, unmount = false, debug = false;
  const auto args = inv.parse(
      "REF-OR-CHECKSUM MOUNTPOINT", kSummary,
      {path("repo", 0, repo_path, kRepoHelp, "PATH"),
       path("subpath", 0, subpath, "Mount only the directory PATH of the commit", "PATH"),
       flag("verify", 0, verify, "Check each file against its checksum before serving its content"),
       flag("foreground", 'f', foreground, "Stay in the foreground, serving until unmounted"),
       flag("unmount", 0, unmount, "Unmount the ostree mount at MOUNTPOINT (the only argument)"),
       flag("debug", 0, debug, "Trace every FUSE request on stderr (implies -f)").hidden()},
      Scope::plain);

  if (unmount) {
    if (args.size() != 1) inv.usage_error("--unmount takes exactly one argument, MOUNTPOINT");
    fuse::unmount_commit(args[0]);
    return;
  }
  inv.resolve_repo(repo_path);
  const auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.size() != 2) inv.usage_error("REF-OR-CHECKSUM and MOUNTPOINT must be specified");
  const store::Digest commit = repo.resolve_rev(args[0]);

  fuse::MountOptions options;
  options.subpath = subpath.value_or("");
  options.verify = verify ? fuse::Verify::yes : fuse::Verify::no;
  options.log = log_line;
  options.debug = debug;
  fuse::CommitMount mount(repo, commit, args[1], std::move(options));
  if (!foreground && !debug) {
    openlog("ostree-mount", LOG_PID, LOG_DAEMON);
    g_detached = true;
    mount.daemonize();  // the parent exits 0 here: the mount is in place
  }
  mount.serve();
}

const Registrar registrar{{.name = "mount",
                           .description = "Mount a commit read-only with FUSE, without checking it out",
                           .run = run,
                           .flags = CommandFlags::no_repo}};

}  // namespace
}  // namespace ot::cli
