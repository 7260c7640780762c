// store/sign: ed25519 keys and signatures in upstream's (libsodium's) format,
// base64 as GLib reads it, and signature lists in detached metadata.
#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/hex.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/commit.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"
#include "store/sign/base64.hpp"
#include "store/sign/ed25519.hpp"
#include "store/sign/signatures.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>

using namespace ot;
using namespace ot::store;
using namespace ot::store::sign;

namespace {

std::string unhex(std::string_view h) { return *from_hex(h); }

// RFC 8032 section 7.1, test 2 (a one-byte message): a known answer that
// ties our keys and signatures to the standard, hence to libsodium's.
constexpr std::string_view kSeed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view kPublic = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr std::string_view kMessage = "72";
constexpr std::string_view kSignature =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

}  // namespace

TEST_CASE("base64 round trip and GLib's lenient decoding", "[sign]") {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)})
    CHECK(base64_decode(base64_encode(s)) == s);
  CHECK(base64_encode("abc") == "YWJj");
  CHECK(base64_encode("ab") == "YWI=");
  // Newlines and other stray characters are skipped; '=' ends the data.
  CHECK(base64_decode("YW\nJj") == "abc");
  CHECK(base64_decode("YWI=YWJj") == "ab");
}

TEST_CASE("ed25519 signs as RFC 8032 says", "[sign]") {
  auto secret = parse_ed25519_secret_key(base64_encode(unhex(kSeed) + unhex(kPublic)));
  CHECK(secret.public_key().hex() == kPublic);
  auto sig = ed25519_sign(secret, unhex(kMessage));
  CHECK(to_hex(sig) == kSignature);
  auto pub = parse_ed25519_public_key(base64_encode(unhex(kPublic)));
  CHECK(ed25519_verify(pub, unhex(kMessage), sig));
  CHECK_FALSE(ed25519_verify(pub, "other", sig));
  std::string flipped = sig;
  flipped[10] ^= 1;
  CHECK_FALSE(ed25519_verify(pub, unhex(kMessage), flipped));
  CHECK_FALSE(ed25519_verify(pub, unhex(kMessage), sig.substr(0, 63)));
}

TEST_CASE("ed25519 keys of the wrong size or with mismatched halves are refused", "[sign]") {
  CHECK_THROWS_WITH(parse_ed25519_public_key(base64_encode(std::string(31, 'x'))), "Incorrect ed25519 public key");
  CHECK_THROWS_WITH(parse_ed25519_secret_key(base64_encode(unhex(kSeed))), "Incorrect ed25519 secret key");
  // A secret key whose public half belongs to another key.
  auto other = generate_ed25519_key();
  std::string mixed = unhex(kSeed) + std::string(reinterpret_cast<const char*>(other.bytes.data() + 32), 32);
  CHECK_THROWS_WITH(parse_ed25519_secret_key(base64_encode(mixed)), "Incorrect ed25519 secret key");
}

TEST_CASE("ed25519_verify_any names the keys it tried and honours revocation", "[sign]") {
  auto a = generate_ed25519_key();
  auto b = generate_ed25519_key();
  std::string data = "payload";
  auto sig = ed25519_sign(a, data);

  Ed25519Keys keys;
  keys.add(b.public_key());
  CHECK_THROWS_WITH(ed25519_verify_any(keys, data, {sig}),
                    "ed25519: Signature couldn't be verified with: key '" + b.public_key().hex() + "'");
  keys.add(a.public_key());
  CHECK(ed25519_verify_any(keys, data, {sig}) == a.public_key());
  CHECK_THROWS_WITH(ed25519_verify_any(keys, data, {}), "ed25519: no signatures found");
  keys.revoked.push_back(a.public_key());
  CHECK_THROWS_AS(ed25519_verify_any(keys, data, {sig}), Error);

  Ed25519Keys many;
  for (int i = 0; i < 5; ++i) many.add(generate_ed25519_key().public_key());
  CHECK_THROWS_WITH(ed25519_verify_any(many, data, {sig}), "ed25519: Signature couldn't be verified; tried 5 keys");
}

TEST_CASE("ed25519 key files: one base64 key a line, bad lines named", "[sign]") {
  TempDir dir(AT_FDCWD, "/tmp/ot-unit-sign-");
  auto a = generate_ed25519_key().public_key();
  auto b = generate_ed25519_key().public_key();
  auto b64 = [](const Ed25519PublicKey& k) {
    return base64_encode(std::string(reinterpret_cast<const char*>(k.bytes.data()), 32));
  };
  write_file_atomic(dir.fd(), "keys", b64(a) + "\n\n" + b64(b) + "\r\n" + b64(a) + "\n", 0644, Durability::nosync);
  std::vector<Ed25519PublicKey> out;
  read_ed25519_key_file(dir.name() + "/keys", out);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == a);
  CHECK(out[1] == b);

  write_file_atomic(dir.fd(), "bad", b64(a) + "\nnot-a-key\n", 0644, Durability::nosync);
  CHECK_THROWS_WITH(read_ed25519_key_file(dir.name() + "/bad", out),
                    dir.name() + "/bad:2: Incorrect ed25519 public key");

  // The directory layout upstream reads (trusted/revoked, file and .d).
  sys::mkdir_at(dir.fd(), "etc", 0755);
  sys::mkdir_at(dir.fd(), "etc/trusted.ed25519.d", 0755);
  write_file_atomic(dir.fd(), "etc/trusted.ed25519", b64(a) + "\n", 0644, Durability::nosync);
  write_file_atomic(dir.fd(), "etc/trusted.ed25519.d/x", b64(b) + "\n", 0644, Durability::nosync);
  write_file_atomic(dir.fd(), "etc/revoked.ed25519", b64(b) + "\n", 0644, Durability::nosync);
  Ed25519Keys keys;
  read_ed25519_key_dir(dir.name() + "/etc", keys);
  CHECK(keys.trusted.size() == 2);
  REQUIRE(keys.revoked.size() == 1);
  CHECK(keys.revoked[0] == b);
}

TEST_CASE("commit signatures live in detached metadata beside other entries", "[sign]") {
  TempDir dir(AT_FDCWD, "/tmp/ot-unit-sign-");
  auto repo = Repo::init(dir.fd(), "repo", RepoMode::archive);
  Commit c;
  c.subject = "s";
  c.root_tree = sha256("tree");
  c.root_meta = sha256("meta");
  auto commit = repo.write_metadata(ObjectType::commit, encode_commit(c));
  repo.write_commitmeta(commit, gv::array("{sv}", {gv::dict_entry(gv::str("other"), gv::variant(gv::str("kept")))}));

  auto a = generate_ed25519_key();
  auto b = generate_ed25519_key();
  ed25519_sign_commit(repo, commit, {a, b});
  auto meta = repo.load_commitmeta(commit);
  auto sigs = signatures_in(meta, kEd25519MetadataKey);
  REQUIRE(sigs.size() == 2);
  CHECK(sigs[0].size() == 64);
  // The signature covers exactly the commit object's bytes.
  CHECK(ed25519_verify(a.public_key(), repo.load_metadata(ObjectType::commit, commit), sigs[0]));
  CHECK(meta.children()[0][0].str() == "other");

  Ed25519Keys keys;
  keys.add(b.public_key());
  CHECK(ed25519_verify_commit(repo, commit, keys) == b.public_key());
  CHECK(ed25519_delete_commit_signatures(repo, commit, {b.public_key()}) == 1);
  CHECK_THROWS_AS(ed25519_verify_commit(repo, commit, keys), Error);
  CHECK(signatures_in(repo.load_commitmeta(commit), kEd25519MetadataKey).size() == 1);
  CHECK(ed25519_delete_commit_signatures(repo, commit, {a.public_key()}) == 1);
  // The last signature gone, the entry goes; the other entry stays.
  meta = repo.load_commitmeta(commit);
  REQUIRE(meta.children().size() == 1);
  CHECK(meta.children()[0][0].str() == "other");

  // A signature entry of the wrong type is reported, not misread.
  repo.write_commitmeta(commit, gv::array("{sv}", {gv::dict_entry(gv::str(std::string(kEd25519MetadataKey)),
                                                                  gv::variant(gv::str("x")))}));
  CHECK_THROWS_AS(signatures_in(repo.load_commitmeta(commit), kEd25519MetadataKey), Error);
}
