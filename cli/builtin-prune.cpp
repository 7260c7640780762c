// ostree prune: delete objects no commit (or ref) needs any more.
#include "base/datetime.hpp"
#include "cli/invocation.hpp"
#include "store/prune.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  bool no_prune = false, refs_only = false, static_deltas_only = false, commit_only = false;
  int depth = -1;
  std::optional<std::string> delete_commit, keep_younger_than;
  std::vector<std::string> retain, only_branch;
  inv.parse("", {flag("no-prune", 0, no_prune, "Only display unreachable objects; don't delete"),
                 flag("refs-only", 0, refs_only, "Only compute reachability via refs"),
                 integer("depth", 0, depth, "Only traverse DEPTH parents for each commit (default: -1=infinite)", "DEPTH"),
                 text("delete-commit", 0, delete_commit, "Specify a commit to delete", "COMMIT"),
                 text("keep-younger-than", 0, keep_younger_than, "Prune all commits older than the specified date", "DATE"),
                 flag("static-deltas-only", 0, static_deltas_only,
                      "Change the behavior of delete-commit and keep-younger-than to prune only static deltas"),
                 texts("retain-branch-depth", 0, retain, "Additionally retain BRANCH=DEPTH commits", "BRANCH=DEPTH"),
                 texts("only-branch", 0, only_branch, "Only prune BRANCH (may be specified multiple times)", "BRANCH"),
                 flag("commit-only", 0, commit_only, "Only traverse and delete commit objects.")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (static_deltas_only) throw Error("--static-deltas-only is not supported yet");

  if (delete_commit) {
    if (no_prune) throw Error("Cannot specify both --delete-commit and --no-prune");
    store::delete_commit(repo, repo.resolve_rev(*delete_commit));
  }
  store::PruneOptions opts;
  opts.refs_only = refs_only;
  opts.depth = depth;
  opts.no_prune = no_prune;
  opts.commit_only = commit_only;
  if (keep_younger_than) {
    auto ts = parse_timestamp(*keep_younger_than);
    if (!ts) throw Error("Could not parse '" + *keep_younger_than + "'");
    opts.keep_younger_than = *ts;
  }
  for (auto& r : retain) opts.retain_branch_depth.push_back(store::parse_branch_depth(r));
  opts.only_branches = only_branch;
  print(store::format_prune_result(store::prune(repo, opts)));
}

const Registrar registrar{{.name = "prune", .description = "Search for unreachable objects", .run = run}};

}  // namespace
}  // namespace ot::cli
