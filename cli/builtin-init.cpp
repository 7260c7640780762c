// ostree init: create a repository.
#include "cli/invocation.hpp"
#include "store/repo.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  std::optional<std::string> mode, collection_id;
  inv.parse("", {text("mode", 0, mode, "Initialize repository in given mode (bare, bare-user, bare-user-only, archive)", ""),
                 text("collection-id", 0, collection_id,
                      "Globally unique ID for this repository as an collection of refs for redistribution to other repositories",
                      "COLLECTION-ID")});
  auto m = store::repo_mode_from_name(mode.value_or("bare"));
  if (!m) throw Error("Invalid mode '" + *mode + "' in repository configuration");
  auto repo = store::Repo::init(AT_FDCWD, inv.repo_path(), *m);
  if (collection_id) {
    auto config = repo.config();
    config.set("core", "collection-id", *collection_id);
    repo.write_config(config);
  }
}

const Registrar registrar{{.name = "init",
                           .description = "Initialize a new empty repository",
                           .run = run,
                           .flags = CommandFlags::no_check}};

}  // namespace
}  // namespace ot::cli
