#pragma once
// ed25519 signatures in upstream OSTree's format: a secret key is the 64
// bytes libsodium uses (32-byte seed, then the 32-byte public key), a public
// key is 32 bytes, both passed around as base64; a signature is the raw
// 64-byte ed25519 signature over the signed object's bytes (a commit object,
// or the summary file), stored in an `aay` under "ostree.sign.ed25519".
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store::sign {

inline constexpr std::string_view kEd25519MetadataKey = "ostree.sign.ed25519";

struct Ed25519PublicKey {
  std::array<uint8_t, 32> bytes{};
  std::string hex() const;  // how upstream names a key in errors
  bool operator==(const Ed25519PublicKey&) const = default;
};

struct Ed25519SecretKey {
  std::array<uint8_t, 64> bytes{};  // seed, then public key
  Ed25519PublicKey public_key() const;
};

// Decodes base64 keys; throws "Incorrect ed25519 secret key" / "... public
// key" when the length is wrong (or a secret key's halves do not match).
Ed25519SecretKey parse_ed25519_secret_key(std::string_view base64);
Ed25519PublicKey parse_ed25519_public_key(std::string_view base64);

// A fresh key pair (tests, `sign` users without libsodium's tool).
Ed25519SecretKey generate_ed25519_key();

// The 64-byte signature of data.
std::string ed25519_sign(const Ed25519SecretKey& key, std::string_view data);
// Whether signature is key's valid signature of data.
bool ed25519_verify(const Ed25519PublicKey& key, std::string_view data, std::string_view signature);

// Keys a verifier trusts, and keys it must ignore even when trusted.
struct Ed25519Keys {
  std::vector<Ed25519PublicKey> trusted;
  std::vector<Ed25519PublicKey> revoked;
  void add(const Ed25519PublicKey& key);  // once each
};

// Appends the keys of a key file (one base64 public key per line; blank
// lines skipped). Throws naming the file on an unreadable file or bad key.
void read_ed25519_key_file(const std::string& path, std::vector<Ed25519PublicKey>& out);
// The keys of dir/trusted.ed25519 and dir/trusted.ed25519.d/* (revoked.*
// likewise), appended to keys: the layout of upstream's key directories.
void read_ed25519_key_dir(const std::string& dir, Ed25519Keys& keys);
// The system-wide keys upstream reads when a verifier has none configured:
// the key directories /etc/ostree and /usr/share/ostree.
Ed25519Keys ed25519_system_keys();

// The trusted, unrevoked key one of signatures verifies data with; otherwise
// throws upstream's message ("ed25519: Signature couldn't be verified with:
// key '<hex>'", "ed25519: no signatures found", ...).
Ed25519PublicKey ed25519_verify_any(const Ed25519Keys& keys, std::string_view data, const std::vector<std::string>& signatures);

}  // namespace ot::store::sign
