// ostree sign: add, check or remove a commit's ed25519 signatures.
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "store/repo.hpp"
#include "store/sign/ed25519.hpp"
#include "store/sign/signatures.hpp"

#include <fcntl.h>

#include <algorithm>

namespace ot::cli {
namespace {

namespace sg = ot::store::sign;

// Secret keys from a file: one base64 key per line, as for public keys.
std::vector<sg::Ed25519SecretKey> read_secret_keys(const std::string& path) {
  auto text = with_context(path, [&] { return sys::read_file_at(AT_FDCWD, path); });
  std::vector<sg::Ed25519SecretKey> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = std::min(text.find('\n', start), text.size());
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(with_context(path, [&] { return sg::parse_ed25519_secret_key(line); }));
  }
  if (out.empty()) throw Error(path + ": no ed25519 secret keys");
  return out;
}

// A KEY argument: a base64 secret key (64 bytes) or public key (32 bytes).
sg::Ed25519PublicKey public_key_of(const std::string& arg) {
  try {
    return sg::parse_ed25519_public_key(arg);
  } catch (const Error&) {
  }
  try {
    return sg::parse_ed25519_secret_key(arg).public_key();
  } catch (const Error&) {
  }
  throw Error("Invalid KEY '" + arg + "'");
}

void run(Invocation& inv) {
  bool opt_delete = false, verify = false;
  std::optional<std::string> sign_type, keys_file, keys_dir;
  auto args = inv.parse(
      "COMMIT KEY-ID...",
      {flag("delete", 'd', opt_delete, "Delete signatures having any of the KEY-IDs"),
       flag("verify", 0, verify, "Verify signatures"),
       text("sign-type", 's', sign_type, "Signature type to use (defaults to 'ed25519')", "NAME"),
       path("keys-file", 0, keys_file, "Read key(s) from file", "NAME"),
       path("keys-dir", 0, keys_dir,
            "Redefine system-wide directories with public and revoked keys for verification", "NAME")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.empty()) inv.usage_error("Need a COMMIT to sign or verify");
  if (!verify && args.size() < 2 && !keys_file) inv.usage_error("Need at least one KEY-ID to sign with");
  auto commit = repo.resolve_rev(args[0]);
  if (sign_type.value_or("ed25519") != "ed25519") throw Error("Requested signature type is not implemented");
  std::vector<std::string> keys(args.begin() + 1, args.end());

  if (verify) {
    sg::Ed25519Keys trusted;
    for (const auto& k : keys) {
      try {
        trusted.add(sg::parse_ed25519_public_key(k));
      } catch (const Error&) {
        throw Error("Invalid KEY '" + k + "'");
      }
    }
    if (keys_file) sg::read_ed25519_key_file(*keys_file, trusted.trusted);
    if (keys_dir) sg::read_ed25519_key_dir(*keys_dir, trusted);
    if (trusted.trusted.empty()) throw Error("No valid signatures found");
    auto key = sg::ed25519_verify_commit(repo, commit, trusted);
    print("ed25519: Signature verified successfully with key '{}'\n", key.hex());
    return;
  }
  if (opt_delete) {
    std::vector<sg::Ed25519PublicKey> pks;
    for (const auto& k : keys) pks.push_back(public_key_of(k));
    if (keys_file) sg::read_ed25519_key_file(*keys_file, pks);
    print("Signatures deleted: {}\n", sg::ed25519_delete_commit_signatures(repo, commit, pks));
    return;
  }
  std::vector<sg::Ed25519SecretKey> secret;
  for (const auto& k : keys) {
    try {
      secret.push_back(sg::parse_ed25519_secret_key(k));
    } catch (const Error&) {
      throw Error("Invalid KEY '" + k + "'");
    }
  }
  if (keys_file) {
    auto more = read_secret_keys(*keys_file);
    secret.insert(secret.end(), more.begin(), more.end());
  }
  sg::ed25519_sign_commit(repo, commit, secret);
}

const Registrar registrar{{.name = "sign", .description = "Sign a commit", .run = run}};

}  // namespace
}  // namespace ot::cli
