// ostree pull / pull-local: fetch commits from a remote or another local
// repository.
#include "cli/invocation.hpp"
#include "store/remote/pull.hpp"
#include "store/repo.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ot::cli {
namespace {

namespace rs = ot::store::remote;

store::Repo open(Invocation& inv) {
  return inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
}

// On a terminal, one line rewritten in place while the pull runs.
std::function<void(const rs::PullStats&)> tty_progress() {
  if (!::isatty(STDOUT_FILENO)) return {};
  return [](const rs::PullStats& s) {
    unsigned total = s.metadata_requested + s.content_requested;
    unsigned done = s.metadata_fetched + s.content_fetched;
    print("\r\x1b[KReceiving objects: {}/{} {} KiB", done, total, s.bytes_transferred / 1024);
    std::fflush(stdout);
  };
}

void report(const rs::PullStats& stats) {
  if (::isatty(STDOUT_FILENO)) print("\r\x1b[K");
  print("{}\n", rs::format_pull_summary(stats));
}

int parse_depth(int depth) {
  if (depth < -1) throw Error("Invalid depth " + std::to_string(depth));
  return depth;
}

void run_pull(Invocation& inv) {
  bool commit_only = false, disable_fsync = false, per_object_fsync = false, no_deltas = false,
       require_deltas = false, mirror = false, untrusted = false, http_trusted = false, bareuseronly = false,
       dry_run = false, timestamp_check = false, no_verify_bindings = false;
  int depth = 0, update_frequency = 0, network_retries = 5;
  std::optional<std::string> cache_dir, url, localcache, timestamp_from;
  std::vector<std::string> subpaths, headers;
  auto args = inv.parse(
      "REMOTE [BRANCH...]",
      {flag("commit-metadata-only", 0, commit_only, "Fetch only the commit metadata"),
       path("cache-dir", 0, cache_dir, "Use custom cache dir", ""),
       flag("disable-fsync", 0, disable_fsync, "Do not invoke fsync()"),
       flag("per-object-fsync", 0, per_object_fsync,
            "Perform writes in such a way that avoids stalling concurrent processes"),
       flag("disable-static-deltas", 0, no_deltas, "Do not use static deltas"),
       flag("require-static-deltas", 0, require_deltas, "Require static deltas"),
       flag("mirror", 0, mirror, "Write refs suitable for a mirror and fetches all refs if none provided"),
       paths("subpath", 0, subpaths, "Only pull the provided subpath(s)", ""),
       flag("untrusted", 0, untrusted, "Verify checksums of local sources (always enabled for HTTP pulls)"),
       flag("http-trusted", 0, http_trusted,
            "Do not verify checksums of HTTP sources (mostly useful when mirroring)"),
       flag("bareuseronly-files", 0, bareuseronly,
            "Reject regular files with mode outside of 0775 (world writable, suid, etc.)"),
       flag("dry-run", 0, dry_run, "Only print information on what will be downloaded (requires static deltas)"),
       integer("depth", 0, depth, "Traverse DEPTH parents (-1=infinite) (default: 0)", "DEPTH"),
       text("url", 0, url, "Pull objects from this URL instead of the one from the remote config", "URL"),
       texts("http-header", 0, headers, "Add NAME=VALUE as HTTP header to all requests", "NAME=VALUE"),
       integer("update-frequency", 0, update_frequency,
               "Sets the update frequency, in milliseconds (0=1000ms) (default: 0)", "FREQUENCY"),
       integer("network-retries", 0, network_retries,
               "Specifies how many times each download should be retried upon error (default: 5)", "N"),
       path("localcache-repo", 'L', localcache, "Add REPO as local cache source for objects during this pull",
            "REPO"),
       flag("timestamp-check", 'T', timestamp_check, "Require fetched commits to have newer timestamps"),
       text("timestamp-check-from-rev", 0, timestamp_from,
            "Require fetched commits to have newer timestamps than given rev", ""),
       flag("disable-verify-bindings", 0, no_verify_bindings, "Do not verify commit bindings")});
  auto repo = open(inv);
  if (args.empty()) inv.usage_error("REMOTE must be specified");
  if (dry_run && !require_deltas) throw Error("--dry-run requires --require-static-deltas");
  if (require_deltas) {
    throw Error(repo.mode() == store::RepoMode::archive ? "Can't use static deltas in an archive repo"
                                                        : "Static deltas are not supported yet");
  }
  if (url || !headers.empty() || localcache || timestamp_check || timestamp_from)
    throw Error("--url, --http-header, --localcache-repo and timestamp checks are not supported yet");

  rs::PullOptions options;
  std::string remote = args[0];
  // "REMOTE:REF" names the remote and one ref at once.
  if (auto colon = remote.find(':'); colon != std::string::npos) {
    options.refs.push_back(remote.substr(colon + 1));
    remote.resize(colon);
  }
  options.refs.insert(options.refs.end(), args.begin() + 1, args.end());
  options.mirror = mirror;
  options.depth = parse_depth(depth);
  options.commit_metadata_only = commit_only;
  options.subpaths = subpaths;
  options.verify_bindings = !no_verify_bindings;
  options.progress = tty_progress();
  auto stats = rs::pull(repo, rs::remotes_location(inv.repo_path(), std::nullopt), remote, options);
  report(stats);
}

void run_pull_local(Invocation& inv) {
  bool commit_only = false, disable_fsync = false, per_object_fsync = false, untrusted = false,
       bareuseronly = false, require_deltas = false, gpg_verify = false, gpg_verify_summary = false,
       no_verify_bindings = false;
  int depth = 0;
  std::optional<std::string> remote;
  auto args = inv.parse(
      "SRC_REPO [REFS...]",
      {flag("commit-metadata-only", 0, commit_only, "Fetch only the commit metadata"),
       text("remote", 0, remote, "Add REMOTE to refspec", "REMOTE"),
       flag("disable-fsync", 0, disable_fsync, "Do not invoke fsync()"),
       flag("per-object-fsync", 0, per_object_fsync,
            "Perform writes in such a way that avoids stalling concurrent processes"),
       flag("untrusted", 0, untrusted, "Verify checksums of local sources (always enabled for HTTP pulls)"),
       flag("bareuseronly-files", 0, bareuseronly,
            "Reject regular files with mode outside of 0775 (world writable, suid, etc.)"),
       flag("require-static-deltas", 0, require_deltas, "Require static deltas"),
       flag("gpg-verify", 0, gpg_verify, "GPG verify commits (must specify --remote)"),
       flag("gpg-verify-summary", 0, gpg_verify_summary, "GPG verify summary (must specify --remote)"),
       flag("disable-verify-bindings", 0, no_verify_bindings, "Do not verify commit bindings"),
       integer("depth", 0, depth, "Traverse DEPTH parents (-1=infinite) (default: 0)", "DEPTH")});
  auto repo = open(inv);
  if (args.empty()) inv.usage_error("DESTINATION must be specified");
  if ((gpg_verify || gpg_verify_summary) && !remote) throw Error("Must specify remote name to enable gpg verification");
  if (require_deltas) throw Error("Static deltas are not supported yet");
  rs::PullOptions options;
  options.refs.assign(args.begin() + 1, args.end());
  options.depth = parse_depth(depth);
  options.commit_metadata_only = commit_only;
  options.local_ref_remote = remote.value_or("");
  // With --remote, the remote's keys and sign-verify settings apply; GPG
  // checks only with the flags, as upstream.
  // A remote that is not configured only names where the refs land (upstream
  // accepts that), unless verification was asked for.
  if (remote) {
    const auto where = rs::remotes_location(inv.repo_path(), std::nullopt);
    auto rem = gpg_verify || gpg_verify_summary ? std::optional(rs::get_remote(repo, where, *remote))
                                                : rs::find_remote(repo, where, *remote);
    rs::PullVerifier::GpgOverride gpg{.commits = gpg_verify, .summary = gpg_verify_summary};
    if (rem)
      options.verifier = std::make_shared<rs::PullVerifier>(rs::PullVerifier::for_remote(repo, *rem, gpg));
  }
  options.verify_bindings = !no_verify_bindings;
  options.progress = tty_progress();
  auto stats = rs::pull_local(repo, args[0], options);
  report(stats);
}

const Registrar pull{{.name = "pull", .description = "Download data from remote repository", .run = run_pull}};
const Registrar pull_local{{.name = "pull-local",
                            .description = "Copy data from SRC_REPO",
                            .run = run_pull_local}};

}  // namespace
}  // namespace ot::cli
