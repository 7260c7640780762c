// ostree cat: write files of a commit to stdout.
#include "cli/invocation.hpp"
#include "store/content.hpp"
#include "store/repo.hpp"
#include "store/tree_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  const auto args = inv.parse("COMMIT PATH...", {});
  const auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.size() < 2) inv.usage_error("A COMMIT and at least one PATH argument are required");

  const store::CommitTree tree(repo, repo.resolve_rev(args[0]));
  for (size_t i = 1; i < args.size(); ++i) {
    // Each file is written as soon as it is found, so an error on a later
    // path comes after the earlier files' bytes, as upstream's does.
    const store::TreeNode file = tree.file_to_read(tree.resolve(tree.root(), args[i]));
    const store::ContentObject obj = store::load_content_reported(repo, file.checksum);
    std::fflush(stdout);
    store::copy_content_to(obj, STDOUT_FILENO);
  }
}

const Registrar registrar{{.name = "cat", .description = "Concatenate contents of files", .run = run}};

}  // namespace
}  // namespace ot::cli
