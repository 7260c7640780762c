#pragma once
// What a pull checks before anything it fetched may land: the signatures a
// remote's config asks for, on each commit (its detached metadata) and on
// the summary (summary.sig). Options, as upstream reads them:
//   gpg-verify (default true), gpg-verify-summary (default false): GPG, with
//     the keyring $repo/<remote>.trustedkeys.gpg (`remote gpg-import`) plus
//     the key files of gpgkeypath; a remote with neither trusts the keyrings
//     of $OSTREE_GPG_HOME (default /usr/share/ostree/trusted.gpg.d);
//   sign-verify, sign-verify-summary: "true" (every type, keys optional) or
//     a list of types ("ed25519"), with keys from verification-ed25519-key
//     (base64) and verification-ed25519-file (one key per line), else the
//     system key directories.
#include "store/checksum.hpp"
#include "store/gvariant.hpp"
#include "store/remote/remote_config.hpp"
#include "store/repo.hpp"
#include "store/sign/ed25519.hpp"
#include "store/sign/gpg.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ot::store::remote {

class PullVerifier {
public:
  // GPG checks asked for on the command line (pull-local --gpg-verify),
  // replacing the remote's gpg-verify / gpg-verify-summary.
  struct GpgOverride {
    std::optional<bool> commits;
    std::optional<bool> summary;
  };
  // The checks remote's options ask for. Throws on an invalid option or an
  // unreadable configured key file.
  static PullVerifier for_remote(const Repo& repo, const Remote& remote, const GpgOverride& gpg = {});

  bool gpg_commits = false;
  bool gpg_summary = false;
  bool sign_commits = false;
  bool sign_summary = false;

  bool checks_commits() const { return gpg_commits || sign_commits; }
  bool checks_summary() const { return gpg_summary || sign_summary; }

  // Throws (one line naming the problem) unless summary.sig signs the
  // summary as required; nullopt: the file is absent.
  void verify_summary(const std::optional<std::string>& summary, const std::optional<std::string>& summary_sig) const;
  // Throws "Commit <csum>: ..." unless the detached metadata (an a{sv},
  // empty when the commit has none) holds the signatures required of
  // commit_bytes.
  void verify_commit(const Digest& commit, std::string_view commit_bytes, const gv::Value& detached) const;

private:
  std::string remote_name_;
  sign::GpgKeyrings gpg_keys_;
  sign::Ed25519Keys ed25519_keys_;
};

// The commits a pull is about to land, checked by verifier: each one's bytes
// (from the repository, staged or not) and detached metadata (as fetched,
// else the repository's). Throws at the first that fails.
void verify_pulled_commits(const PullVerifier& verifier, const Repo& repo, const std::vector<Digest>& commits,
                           const std::vector<std::pair<Digest, gv::Value>>& fetched_detached);

// The file name (in the repository directory) of a remote's GPG keyring.
std::string remote_keyring_name(std::string_view remote);

}  // namespace ot::store::remote
