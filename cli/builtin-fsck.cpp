// ostree fsck: re-hash every object the repository's commits need.
#include "cli/invocation.hpp"
#include "store/fsck.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  bool add_tombstones = false, quiet = false, all = false, del = false, verify_bindings = false,
       verify_back_refs = false;
  inv.parse("", {flag("add-tombstones", 0, add_tombstones, "Add tombstones for missing commits"),
                 flag("quiet", 'q', quiet, "Only print error messages"),
                 flag("all", 'a', all, "Don't stop on first error"),
                 flag("delete", 0, del, "Remove corrupted objects"),
                 flag("verify-bindings", 0, verify_bindings, "Verify ref bindings"),
                 flag("verify-back-refs", 0, verify_back_refs,
                      "Verify back-references (implies --verify-bindings)")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (add_tombstones || verify_bindings || verify_back_refs)
    throw Error("--add-tombstones, --verify-bindings and --verify-back-refs are not supported yet");

  if (!quiet) print("Validating refs...\nValidating refs in collections...\nEnumerating commits...\n");
  store::FsckOptions opts;
  opts.all = all;
  opts.delete_corrupt = del;
  auto report = store::fsck(repo, opts);
  for (auto& p : report.ref_problems) printerr(p.message + "\n");
  for (auto& p : report.problems) printerr(p.describe() + "\n");
  if (!quiet && !report.corruption_found())
    print(fmt::format("object fsck of {} commits completed successfully - no errors found.\n",
                      report.commits_checked));
  if (auto err = report.error_message()) throw Error(*err);
}

const Registrar registrar{{.name = "fsck", .description = "Check the repository for consistency", .run = run}};

}  // namespace
}  // namespace ot::cli
