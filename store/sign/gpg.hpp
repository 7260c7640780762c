#pragma once
// OpenPGP signatures through GnuPG (gpgme), as upstream OSTree makes and
// checks them: a binary detached signature of the signed object's bytes,
// kept in an `aay` under "ostree.gpgsigs" (commit detached metadata, or
// summary.sig). Verification runs in a throwaway GnuPG home holding only the
// keyrings the caller trusts, never the user's own keyring.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store::sign {

inline constexpr std::string_view kGpgMetadataKey = "ostree.gpgsigs";

// A binary detached signature of data by the secret key key_id (fingerprint,
// key ID or user ID) from homedir (nullopt: GnuPG's default home). Throws
// "No gpg key found with ID X (homedir: H)" when the key is not there.
std::string gpg_sign_detached(std::string_view data, const std::string& key_id,
                              const std::optional<std::string>& homedir);

// Throws (as gpg_sign_detached would) unless homedir holds the secret key
// key_id: checked before anything is written that the signature belongs to.
void gpg_check_secret_key(const std::string& key_id, const std::optional<std::string>& homedir);

struct GpgSignature {
  enum class Status { good, bad, missing_key, expired_signature, expired_key, revoked_key, error };
  Status status = Status::error;
  std::string fingerprint;  // of the signing key, or its key ID when the signature only names that
  std::string primary_fingerprint;  // of the key's primary key, when the key is known
  std::string user_id;      // the key's first user ID, when known
  std::string algorithm;    // "EdDSA", "RSA", ...
  int64_t timestamp = 0;    // seconds since the epoch
  std::string error;        // GnuPG's text for Status::error

  // Upstream's notion of a valid signature: good and not revoked/expired.
  bool valid() const { return status == Status::good; }
  // The last 16 hex digits of the fingerprint.
  std::string key_id() const;
  // One line: "Signature made <date> using <algo> key ID <id>: Good signature from "<uid>"".
  std::string describe() const;
  // Whether key_id (8, 16 or 40 hex digits, any case) names this signature's
  // key or its primary key.
  bool made_by(std::string_view key_id) const;
};

// Keys a verification trusts.
struct GpgKeyrings {
  std::vector<std::string> binary;   // keyring files' bytes (exported keys, *.trustedkeys.gpg)
  std::vector<std::string> armored;  // ASCII-armored key files (a remote's gpgkeypath)
  // Verify in this existing GnuPG home (its public keys) instead of a
  // scratch one holding only the keyrings above.
  std::optional<std::string> homedir;
  bool empty() const { return binary.empty() && armored.empty() && !homedir; }
};

// Checks every signature (each a detached signature of data) against keyrings.
std::vector<GpgSignature> gpg_verify_detached(std::string_view data, const std::vector<std::string>& signatures,
                                              const GpgKeyrings& keyrings);

// Throws unless one signature is valid. The message (one line) is
// "GPG verification enabled, but no signatures found (...)" when there are
// none, else each signature's describe() joined by "; ".
void require_valid_gpg_signature(const std::vector<GpgSignature>& signatures, std::string_view disable_hint);

// `remote gpg-import`: the public keys key_ids (all when empty) read from
// source (keyring or armored bytes; nullopt: GnuPG's default home) merged
// into existing keyring bytes (nullopt: none yet).
struct GpgImport {
  std::string keyring;    // the merged keyring, binary
  unsigned imported = 0;  // keys new to it
};
GpgImport gpg_import_keys(const std::optional<std::string>& existing, const std::optional<std::string>& source,
                          const std::vector<std::string>& key_ids);

}  // namespace ot::store::sign
