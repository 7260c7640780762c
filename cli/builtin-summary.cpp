// ostree summary: regenerate or show the repository summary file.
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "store/remote/summary.hpp"
#include "store/repo.hpp"
#include "store/sign/signatures.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

namespace rs = ot::store::remote;

void run(Invocation& inv) {
  bool update = false, view = false, raw = false;
  std::optional<std::string> gpg_homedir, sign_type;
  std::vector<std::string> metadata, gpg_sign, sign;
  inv.parse("", {flag("update", 'u', update, "Update the summary"),
                 flag("view", 'v', view, "View the local summary file"),
                 flag("raw", 0, raw, "View the raw bytes of the summary file"),
                 texts("gpg-sign", 0, gpg_sign, "GPG Key ID to sign the summary with", "KEY-ID"),
                 path("gpg-homedir", 0, gpg_homedir, "GPG Homedir to use when looking for keyrings", "HOMEDIR"),
                 texts("sign", 0, sign, "Key ID to sign the summary with", "KEY-ID"),
                 text("sign-type", 0, sign_type, "Signature type to use (defaults to 'ed25519')", "NAME"),
                 texts("add-metadata", 'm', metadata, "Additional metadata field to add to the summary",
                       "KEY=VALUE")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });

  if (update) {
    // Keys are checked before the summary is replaced.
    store::sign::SummarySigners signers;
    signers.gpg_key_ids = gpg_sign;
    signers.gpg_homedir = gpg_homedir;
    if (!sign.empty() && sign_type.value_or("ed25519") != "ed25519")
      throw Error("Requested signature type is not implemented");
    for (const auto& k : sign) signers.ed25519.push_back(store::sign::parse_ed25519_secret_key(k));
    for (const auto& id : gpg_sign) store::sign::gpg_check_secret_key(id, gpg_homedir);
    rs::SummaryMetadata extra;
    for (const auto& kv : metadata) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) throw Error("Missing '=' in KEY=VALUE metadata '" + kv + "'");
      auto text = kv.substr(eq + 1);
      auto value = with_context("Error parsing variant ‘" + text + "’: ",
                                [&] { return store::gv::parse_text(text); });
      extra.emplace_back(kv.substr(0, eq), std::move(value));
    }
    rs::update_summary(repo, extra);
    if (!signers.empty()) store::sign::sign_summary(repo, signers);
  } else if (view || raw) {
    auto bytes = sys::read_file_at(repo.dfd(), "summary");
    print(raw ? rs::format_summary_raw(bytes) : rs::format_summary_view(bytes));
  } else {
    throw Error("No option specified; use -u to update summary");
  }
}

const Registrar registrar{{.name = "summary", .description = "Manage summary metadata", .run = run}};

}  // namespace
}  // namespace ot::cli
