// ostree checkout: materialise a commit (or a path in it) as a directory.
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "store/checkout.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  bool user_mode = false, disable_cache = false, union_files = false, union_add = false,
       union_identical = false, whiteouts = false, passthrough_whiteouts = false, allow_noent = false,
       from_stdin = false, require_hardlinks = false, force_copy = false, bareuseronly_dirs = false;
  std::optional<std::string> subpath, from_file, fsync_policy, skip_list, selinux_policy, selinux_prefix;
  auto args = inv.parse(
      "COMMIT [DESTINATION]",
      {flag("user-mode", 'U', user_mode, "Do not change file ownership or initialize extended attributes"),
       flag("disable-cache", 0, disable_cache, "Do not update or use the internal repository uncompressed object cache"),
       path("subpath", 0, subpath, "Checkout sub-directory PATH", "PATH"),
       flag("union", 0, union_files, "Keep existing directories, overwrite existing files"),
       flag("union-add", 0, union_add, "Keep existing files/directories, only add new"),
       flag("union-identical", 0, union_identical,
            "When layering checkouts, error out if a file would be replaced with a different version, but add new files and directories"),
       flag("whiteouts", 0, whiteouts, "Process 'whiteout' (Docker style) entries"),
       flag("process-passthrough-whiteouts", 0, passthrough_whiteouts,
            "Enable overlayfs whiteout extraction into char 0:0 devices"),
       flag("allow-noent", 0, allow_noent, "Do nothing if specified path does not exist"),
       flag("from-stdin", 0, from_stdin, "Process many checkouts from standard input"),
       path("from-file", 0, from_file, "Process many checkouts from input file", "FILE"),
       text("fsync", 0, fsync_policy, "Specify how to invoke fsync()", "POLICY"),
       flag("require-hardlinks", 'H', require_hardlinks, "Do not fall back to full copies if hardlinking fails"),
       flag("force-copy", 'C', force_copy, "Never hardlink (but may reflink if available)"),
       flag("bareuseronly-dirs", 'M', bareuseronly_dirs,
            "Suppress mode bits outside of 0775 for directories (suid, world writable, etc.)"),
       path("skip-list", 0, skip_list, "File containing list of files to skip", "FILE"),
       path("selinux-policy", 0, selinux_policy,
            "Set SELinux labels based on policy in root filesystem PATH (may be /); implies --force-copy", "PATH"),
       text("selinux-prefix", 0, selinux_prefix, "When setting SELinux labels, prefix all paths by PREFIX", "PREFIX")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });

  if (from_stdin || from_file || passthrough_whiteouts || selinux_policy)
    throw Error("--from-stdin, --from-file, --process-passthrough-whiteouts and --selinux-policy are not supported yet");
  if (args.empty()) inv.usage_error("COMMIT must be specified");
  if (args.size() > 2) inv.usage_error("Too many arguments");
  if ((union_files ? 1 : 0) + (union_add ? 1 : 0) + (union_identical ? 1 : 0) > 1)
    throw Error("Cannot specify more than one of --union, --union-add, --union-identical");
  if (require_hardlinks && force_copy) throw Error("Cannot specify both --require-hardlinks and --force-copy");

  store::CheckoutOptions opts;
  opts.mode = user_mode ? store::CheckoutMode::user : store::CheckoutMode::normal;
  opts.overwrite = union_files ? store::OverwriteMode::union_files
                   : union_add ? store::OverwriteMode::union_add
                   : union_identical ? store::OverwriteMode::union_identical
                                     : store::OverwriteMode::none;
  opts.links = require_hardlinks ? store::LinkPolicy::require_hardlinks
               : force_copy      ? store::LinkPolicy::force_copy
                                 : store::LinkPolicy::prefer_hardlinks;
  opts.process_whiteouts = whiteouts;
  opts.bareuseronly_dirs = bareuseronly_dirs;
  if (subpath) opts.subpath = *subpath;
  opts.allow_noent = allow_noent;
  opts.fsync = fsync_policy && (*fsync_policy == "true" || *fsync_policy == "default");
  if (skip_list) {
    auto text = sys::read_file_at(AT_FDCWD, *skip_list);
    size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      auto line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if (!line.empty()) opts.skip_paths.insert(line);
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
  }
  // Upstream's CLI keeps decompressed archive objects for user checkouts
  // unless told not to, or a mode makes the cache pointless.
  opts.uncompressed_cache = user_mode && !disable_cache && !force_copy && !require_hardlinks &&
                            !bareuseronly_dirs && !whiteouts && !union_add && !union_identical;

  auto commit = repo.resolve_rev(args[0]);
  std::string destination = args.size() == 2 ? args[1] : args[0];
  store::checkout(repo, commit, AT_FDCWD, destination, opts);
}

const Registrar registrar{{.name = "checkout", .description = "Check out a commit into a filesystem tree", .run = run}};

}  // namespace
}  // namespace ot::cli
