#pragma once
// Signatures kept beside what they sign: a commit's detached metadata
// (objects/XX/….commitmeta) and the repository's summary.sig, each an a{sv}
// holding one `aay` per signature type ("ostree.gpgsigs",
// "ostree.sign.ed25519"). The signed bytes are the commit object itself, or
// the summary file.
#include "store/checksum.hpp"
#include "store/gvariant.hpp"
#include "store/repo.hpp"
#include "store/sign/ed25519.hpp"
#include "store/sign/gpg.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store::sign {

// The signatures under key in an a{sv}; empty when absent. Throws when the
// entry is not an `aay`.
std::vector<std::string> signatures_in(const gv::Value& dict, std::string_view key);
// dict with key's signatures replaced (the entry dropped when sigs is
// empty), other entries kept in their order.
gv::Value with_signatures(const gv::Value& dict, std::string_view key, const std::vector<std::string>& sigs);

// --- commits ------------------------------------------------------------------
// Appends a GPG signature by each key to the commit's detached metadata.
void gpg_sign_commit(Repo& repo, const Digest& commit, const std::vector<std::string>& key_ids,
                     const std::optional<std::string>& homedir);
// Removes the commit's GPG signatures made by any of key_ids (a key ID or
// fingerprint of the signing key or its primary key); returns how many.
unsigned gpg_delete_commit_signatures(Repo& repo, const Digest& commit, const std::vector<std::string>& key_ids,
                                      const std::optional<std::string>& homedir);
// Checks the commit's GPG signatures against keyrings.
std::vector<GpgSignature> gpg_verify_commit(const Repo& repo, const Digest& commit, const GpgKeyrings& keyrings);

// Appends an ed25519 signature by each key to the commit's detached metadata.
void ed25519_sign_commit(Repo& repo, const Digest& commit, const std::vector<Ed25519SecretKey>& keys);
// Removes the commit's ed25519 signatures that verify with any of keys;
// returns how many.
unsigned ed25519_delete_commit_signatures(Repo& repo, const Digest& commit, const std::vector<Ed25519PublicKey>& keys);
// The key that verifies one of the commit's ed25519 signatures; throws
// upstream's message when none does.
Ed25519PublicKey ed25519_verify_commit(const Repo& repo, const Digest& commit, const Ed25519Keys& keys);

// --- summary ------------------------------------------------------------------
struct SummarySigners {
  std::vector<std::string> gpg_key_ids;
  std::optional<std::string> gpg_homedir;
  std::vector<Ed25519SecretKey> ed25519;
  bool empty() const { return gpg_key_ids.empty() && ed25519.empty(); }
};
// Adds signatures of the repository's summary file to summary.sig (written
// atomically). Throws when the repository has no summary.
void sign_summary(Repo& repo, const SummarySigners& signers);

}  // namespace ot::store::sign
