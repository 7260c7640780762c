// ostree log: a commit and its ancestors, newest first.
#include "cli/commit_dump.hpp"
#include "cli/invocation.hpp"
#include "store/repo.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  bool raw = false;
  const auto args = inv.parse("REV", {flag("raw", 0, raw, "Show raw variant data")});
  const auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.empty()) inv.usage_error("A rev argument is required");

  const store::Digest start = repo.resolve_rev(args[0]);
  const DumpStyle style = raw ? DumpStyle::raw : DumpStyle::pretty;
  std::optional<store::Digest> next = start;
  for (bool first = true; next; first = false) {
    const auto bytes = repo.load_metadata_opt(store::ObjectType::commit, *next);
    if (!bytes) {
      // A shallow pull keeps only recent history; the walk ends there.
      if (!first) {
        print("<< History beyond this commit not fetched >>\n");
        return;
      }
      (void)repo.load_metadata(store::ObjectType::commit, *next);  // throws upstream's error
    }
    const store::gv::Value variant = store::gv::decode(store::kCommitType, *bytes);
    dump_object(store::ObjectType::commit, *next, variant, style);
    next = store::decode_commit(*bytes).parent;
  }
}

const Registrar registrar{{.name = "log", .description = "Show log starting at commit or ref", .run = run}};

}  // namespace
}  // namespace ot::cli
