#include "store/sign/ed25519.hpp"

#include "base/error.hpp"
#include "base/hex.hpp"
#include "base/sys.hpp"
#include "store/sign/base64.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace ot::store::sign {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Pkey private_key_from_seed(const uint8_t* seed) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, 32));
  if (!key) throw Error("ed25519: cannot load the secret key");
  return key;
}

std::array<uint8_t, 32> public_from_seed(const uint8_t* seed) {
  auto key = private_key_from_seed(seed);
  std::array<uint8_t, 32> pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size())
    throw Error("ed25519: cannot derive the public key");
  return pub;
}

std::string trim_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return std::string(line);
}

// Reads <dir>/<base> and every regular file of <dir>/<base>.d, in name
// order, when they exist.
void read_key_location(const std::string& dir, const std::string& base, std::vector<Ed25519PublicKey>& out) {
  std::string file = dir + "/" + base;
  if (sys::stat_at_opt(AT_FDCWD, file, 0)) read_ed25519_key_file(file, out);
  auto d = sys::open_dir_opt(AT_FDCWD, dir + "/" + base + ".d");
  if (!d) return;
  std::vector<std::string> names;
  for (const auto& e : sys::list_dir(d->get()))
    if (auto st = sys::stat_at_opt(d->get(), e.name, 0); st && S_ISREG(st->st_mode)) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) read_ed25519_key_file(dir + "/" + base + ".d/" + n, out);
}

}  // namespace

std::string Ed25519PublicKey::hex() const {
  return to_hex(std::span<const uint8_t>(bytes));
}

Ed25519PublicKey Ed25519SecretKey::public_key() const {
  Ed25519PublicKey pk;
  std::memcpy(pk.bytes.data(), bytes.data() + 32, 32);
  return pk;
}

Ed25519SecretKey parse_ed25519_secret_key(std::string_view base64) {
  auto raw = base64_decode(base64);
  if (raw.size() != 64) throw Error("Incorrect ed25519 secret key");
  Ed25519SecretKey key;
  std::memcpy(key.bytes.data(), raw.data(), 64);
  // libsodium trusts the stored half; a mismatched one would only yield
  // signatures nobody can verify, so refuse it here.
  if (public_from_seed(key.bytes.data()) != key.public_key().bytes) throw Error("Incorrect ed25519 secret key");
  return key;
}

Ed25519PublicKey parse_ed25519_public_key(std::string_view base64) {
  auto raw = base64_decode(base64);
  if (raw.size() != 32) throw Error("Incorrect ed25519 public key");
  Ed25519PublicKey key;
  std::memcpy(key.bytes.data(), raw.data(), 32);
  return key;
}

Ed25519SecretKey generate_ed25519_key() {
  Ed25519SecretKey key;
  if (RAND_bytes(key.bytes.data(), 32) != 1) throw Error("ed25519: no random bytes for a new key");
  auto pub = public_from_seed(key.bytes.data());
  std::memcpy(key.bytes.data() + 32, pub.data(), 32);
  return key;
}

std::string ed25519_sign(const Ed25519SecretKey& key, std::string_view data) {
  auto pkey = private_key_from_seed(key.bytes.data());
  MdCtx ctx(EVP_MD_CTX_new());
  std::string sig(64, '\0');
  size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      len != 64)
    throw Error("Not able to sign: fail to sign the object");
  return sig;
}

bool ed25519_verify(const Ed25519PublicKey& key, std::string_view data, std::string_view signature) {
  if (signature.size() != 64) return false;
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.bytes.data(), key.bytes.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

void Ed25519Keys::add(const Ed25519PublicKey& key) {
  if (std::find(trusted.begin(), trusted.end(), key) == trusted.end()) trusted.push_back(key);
}

void read_ed25519_key_file(const std::string& path, std::vector<Ed25519PublicKey>& out) {
  auto text = with_context(path, [&] { return sys::read_file_at(AT_FDCWD, path); });
  size_t start = 0, lineno = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    ++lineno;
    auto line = trim_line(std::string_view(text).substr(start, nl - start));
    start = nl + 1;
    if (line.empty()) continue;
    auto key = with_context(path + ":" + std::to_string(lineno), [&] { return parse_ed25519_public_key(line); });
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  }
}

void read_ed25519_key_dir(const std::string& dir, Ed25519Keys& keys) {
  read_key_location(dir, "trusted.ed25519", keys.trusted);
  read_key_location(dir, "revoked.ed25519", keys.revoked);
}

Ed25519Keys ed25519_system_keys() {
  Ed25519Keys keys;
  for (const char* dir : {"/etc/ostree", "/usr/share/ostree"}) read_ed25519_key_dir(dir, keys);
  return keys;
}

Ed25519PublicKey ed25519_verify_any(const Ed25519Keys& keys, std::string_view data, const std::vector<std::string>& signatures) {
  std::vector<const Ed25519PublicKey*> usable;
  for (const auto& k : keys.trusted)
    if (std::find(keys.revoked.begin(), keys.revoked.end(), k) == keys.revoked.end()) usable.push_back(&k);
  if (usable.empty()) throw Error("ed25519: no public keys to verify with");
  std::string tried;
  unsigned failures = 0;
  for (const auto& sig : signatures) {
    for (const auto* k : usable) {
      if (ed25519_verify(*k, data, sig)) return *k;
      ++failures;
      tried += (tried.empty() ? "key '" : "; key '") + k->hex() + "'";
    }
  }
  if (failures == 0) throw Error("ed25519: no signatures found");
  // Upstream caps the list: a keyring of a hundred keys is not a message.
  if (failures > 3) throw Error("ed25519: Signature couldn't be verified; tried " + std::to_string(failures) + " keys");
  throw Error("ed25519: Signature couldn't be verified with: " + tried);
}

}  // namespace ot::store::sign
