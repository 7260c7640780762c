#include "store/remote/pull_verify.hpp"

#include "base/error.hpp"
#include "base/keyfile.hpp"
#include "base/sys.hpp"
#include "store/objects.hpp"
#include "store/sign/signatures.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

namespace ot::store::remote {
namespace {

// Files of dir named *.gpg (but not GnuPG's own trustdb/secring), by name.
std::vector<std::string> keyring_files_in(int dfd) {
  std::vector<std::string> names;
  for (const auto& e : sys::list_dir(dfd)) {
    if (!e.name.ends_with(".gpg") || e.name == "trustdb.gpg" || e.name == "secring.gpg") continue;
    if (auto st = sys::stat_at_opt(dfd, e.name, 0); st && S_ISREG(st->st_mode)) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> list_option(const Remote& remote, std::string_view key) {
  auto v = remote.option(key);
  if (!v) return {};
  return KeyFile::parse("[r]\nk=" + *v + "\n").get_list("r", "k");
}

// sign-verify / sign-verify-summary: false, every type, or a list of types.
// Returns whether signapi verification is on; explicit types need keys.
bool signapi_wanted(const Remote& remote, std::string_view key, bool& keys_required) {
  auto v = remote.option(key);
  if (!v || v->empty() || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1") return true;
  for (const auto& type : list_option(remote, key))
    if (type != "ed25519") throw Error("Requested signature type is not implemented: " + type);
  keys_required = true;
  return true;
}

std::string gpg_hint(std::string_view option) { return std::string(option) + "=false"; }

}  // namespace

std::string remote_keyring_name(std::string_view remote) { return std::string(remote) + ".trustedkeys.gpg"; }

PullVerifier PullVerifier::for_remote(const Repo& repo, const Remote& remote, const GpgOverride& gpg) {
  PullVerifier v;
  v.remote_name_ = remote.name;
  v.gpg_commits = gpg.commits ? *gpg.commits : remote.option_bool("gpg-verify", true);
  v.gpg_summary = gpg.summary ? *gpg.summary : remote.option_bool("gpg-verify-summary", false);
  bool keys_required = false;
  v.sign_commits = signapi_wanted(remote, "sign-verify", keys_required);
  v.sign_summary = signapi_wanted(remote, "sign-verify-summary", keys_required);

  if (v.gpg_commits || v.gpg_summary) {
    if (auto own = sys::read_file_at_opt(repo.dfd(), remote_keyring_name(remote.name)))
      v.gpg_keys_.binary.push_back(std::move(*own));
    for (const auto& path : list_option(remote, "gpgkeypath")) {
      with_context("gpgkeypath " + path, [&] {
        if (auto dir = sys::open_dir_opt(AT_FDCWD, path)) {
          for (const auto& name : keyring_files_in(dir->get()))
            v.gpg_keys_.armored.push_back(sys::read_file_at(dir->get(), name));
        } else {
          v.gpg_keys_.armored.push_back(sys::read_file_at(AT_FDCWD, path));
        }
      });
    }
    // The system's keyrings serve only remotes without keys of their own.
    if (v.gpg_keys_.empty()) {
      const char* env = std::getenv("OSTREE_GPG_HOME");
      std::string global = env ? env : "/usr/share/ostree/trusted.gpg.d";
      if (auto dir = sys::open_dir_opt(AT_FDCWD, global))
        for (const auto& name : keyring_files_in(dir->get()))
          v.gpg_keys_.binary.push_back(sys::read_file_at(dir->get(), name));
    }
  }

  if (v.sign_commits || v.sign_summary) {
    auto file = remote.option("verification-ed25519-file");
    auto inline_key = remote.option("verification-ed25519-key");
    if (file)
      with_context("Failed loading 'ed25519' keys from '" + *file + "'",
                   [&] { sign::read_ed25519_key_file(*file, v.ed25519_keys_.trusted); });
    if (inline_key)
      v.ed25519_keys_.add(with_context("Failed loading 'ed25519' keys from inline `verification-key`",
                                       [&] { return sign::parse_ed25519_public_key(*inline_key); }));
    if (!file && !inline_key) {
      if (keys_required) throw Error("No keys found for required signapi type ed25519");
      v.ed25519_keys_ = sign::ed25519_system_keys();
    }
  }
  return v;
}

void PullVerifier::verify_summary(const std::optional<std::string>& summary,
                                  const std::optional<std::string>& summary_sig) const {
  if (!checks_summary()) return;
  if (!summary)
    throw Error(std::string(gpg_summary ? "GPG" : "Signatures") +
                " verification enabled, but no summary found (check that the configured URL in remote config is "
                "correct)");
  if (!summary_sig)
    throw Error(gpg_summary ? "GPG verification enabled, but no summary.sig found (use gpg-verify-summary=false in "
                              "remote config to disable)"
                            : "Signatures verification enabled, but no summary.sig found (use "
                              "sign-verify-summary=false in remote config to disable)");
  auto dict = with_context("summary.sig", [&] { return gv::decode(kCommitMetaType, *summary_sig); });
  if (gpg_summary) {
    auto sigs = sign::signatures_in(dict, sign::kGpgMetadataKey);
    sign::require_valid_gpg_signature(sign::gpg_verify_detached(*summary, sigs, gpg_keys_),
                                      gpg_hint("gpg-verify-summary"));
  }
  if (sign_summary)
    with_context("Can't verify summary", [&] {
      auto sigs = sign::signatures_in(dict, sign::kEd25519MetadataKey);
      if (sigs.empty()) throw Error("No signatures found");
      sign::ed25519_verify_any(ed25519_keys_, *summary, sigs);
    });
}

void PullVerifier::verify_commit(const Digest& commit, std::string_view commit_bytes, const gv::Value& detached) const {
  auto hex = digest_hex(commit);
  if (gpg_commits)
    with_context("Commit " + hex, [&] {
      auto sigs = sign::signatures_in(detached, sign::kGpgMetadataKey);
      sign::require_valid_gpg_signature(sign::gpg_verify_detached(commit_bytes, sigs, gpg_keys_),
                                        gpg_hint("gpg-verify"));
    });
  if (sign_commits) {
    if (detached.children().empty()) throw Error("Commit " + hex + ": Can't verify commit without detached metadata");
    with_context("Can't verify commit " + hex, [&] {
      auto sigs = sign::signatures_in(detached, sign::kEd25519MetadataKey);
      if (sigs.empty()) throw Error("No signatures found");
      sign::ed25519_verify_any(ed25519_keys_, commit_bytes, sigs);
    });
  }
}

void verify_pulled_commits(const PullVerifier& verifier, const Repo& repo, const std::vector<Digest>& commits,
                           const std::vector<std::pair<Digest, gv::Value>>& fetched_detached) {
  if (!verifier.checks_commits()) return;
  std::vector<Digest> seen;
  for (const auto& c : commits) {
    if (std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
    seen.push_back(c);
    auto it = std::find_if(fetched_detached.begin(), fetched_detached.end(), [&](const auto& p) { return p.first == c; });
    auto detached = it != fetched_detached.end() ? it->second : repo.load_commitmeta(c);
    verifier.verify_commit(c, repo.load_metadata(ObjectType::commit, c), detached);
  }
}

}  // namespace ot::store::remote
