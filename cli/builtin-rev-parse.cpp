// ostree rev-parse: print the commit a rev names.
#include "cli/invocation.hpp"
#include "store/repo.hpp"
#include "store/rev_parse.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  bool single = false;
  const auto args = inv.parse(
      "REV", {flag("single", 'S', single,
                   "If the repository has exactly one commit, then print it; any other case will "
                   "result in an error")});
  const auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });

  if (single) {
    if (!args.empty()) inv.usage_error("Cannot specify arguments with --single");
    const auto commits = store::list_commit_objects_starting_with(repo, "");
    if (commits.size() > 1) throw Error("Multiple commit objects found");
    if (commits.empty()) throw Error("No commit objects found");
    print("{}\n", store::digest_hex(commits.front()));
    return;
  }
  if (args.empty()) inv.usage_error("REV must be specified");
  // Each rev is printed as soon as it resolves, so a failure part-way still
  // shows the earlier ones, as upstream does.
  for (const std::string& rev : args) print("{}\n", store::digest_hex(repo.resolve_rev(rev)));
}

const Registrar registrar{{.name = "rev-parse", .description = "Output the target of a rev", .run = run}};

}  // namespace
}  // namespace ot::cli
