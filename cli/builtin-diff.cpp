// ostree diff: what changed between two commits or directories.
#include "cli/invocation.hpp"
#include "store/diff.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

uint32_t parse_id(const std::string& text) {
  char* end = nullptr;
  unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end || v > 0xffffffffu) throw Error("Invalid id '" + text + "'");
  return static_cast<uint32_t>(v);
}

void run(Invocation& inv) {
  bool stats = false, fs_diff = false, no_xattrs = false;
  std::optional<std::string> owner_uid, owner_gid;
  auto args = inv.parse("REV_OR_DIR REV_OR_DIR",
                        {flag("stats", 0, stats, "Print various statistics"),
                         flag("fs-diff", 0, fs_diff, "Print filesystem diff"),
                         flag("no-xattrs", 0, no_xattrs, "Skip output of extended attributes"),
                         text("owner-uid", 0, owner_uid, "Use file ownership user id for local files", "UID"),
                         text("owner-gid", 0, owner_gid, "Use file ownership group id for local files", "GID")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.size() < 2) inv.usage_error("REV must be specified");
  if (!stats && !fs_diff) fs_diff = true;

  auto a = store::DiffSide::from_argument(repo, args[0]);
  auto b = store::DiffSide::from_argument(repo, args[1]);
  if (stats) {
    if (!a.is_commit() || !b.is_commit()) throw Error("--stats needs two commits");
    print(store::format_diff_stats(store::diff_stats(repo, a.commit_checksum(), b.commit_checksum())));
  }
  if (fs_diff) {
    store::DiffOptions opts;
    opts.ignore_xattrs = no_xattrs;
    if (owner_uid) opts.owner_uid = parse_id(*owner_uid);
    if (owner_gid) opts.owner_gid = parse_id(*owner_gid);
    print(store::format_diff(store::diff(repo, a, b, opts)));
  }
}

const Registrar registrar{{.name = "diff", .description = "Compare directory TARGETDIR against revision REV", .run = run}};

}  // namespace
}  // namespace ot::cli
