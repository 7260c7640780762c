// ostree gpg-sign: add or remove a commit's GPG signatures.
#include "cli/invocation.hpp"
#include "store/repo.hpp"
#include "store/sign/signatures.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

void run(Invocation& inv) {
  bool opt_delete = false;
  std::optional<std::string> homedir;
  auto args = inv.parse("COMMIT KEY-ID...",
                        {flag("delete", 'd', opt_delete, "Delete signatures having any of the GPG KEY-IDs"),
                         path("gpg-homedir", 0, homedir, "GPG Homedir to use when looking for keyrings", "HOMEDIR")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.empty()) inv.usage_error("Need a COMMIT to sign");
  if (args.size() < 2) inv.usage_error("Need at least one GPG KEY-ID to sign with");
  auto commit = repo.resolve_rev(args[0]);
  std::vector<std::string> key_ids(args.begin() + 1, args.end());
  if (opt_delete) {
    print("Signatures deleted: {}\n", store::sign::gpg_delete_commit_signatures(repo, commit, key_ids, homedir));
    return;
  }
  store::sign::gpg_sign_commit(repo, commit, key_ids, homedir);
}

const Registrar registrar{{.name = "gpg-sign", .description = "Sign a commit", .run = run}};

}  // namespace
}  // namespace ot::cli
