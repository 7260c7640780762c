#include "store/sign/signatures.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/objects.hpp"

#include <fcntl.h>

#include <algorithm>

namespace ot::store::sign {
namespace {

std::string commit_bytes(const Repo& repo, const Digest& commit) {
  return repo.load_metadata(ObjectType::commit, commit);
}

// Reads, edits and rewrites one signature list of a commit's detached metadata.
template <typename Edit>
void edit_commit_signatures(Repo& repo, const Digest& commit, std::string_view key, Edit&& edit) {
  auto dict = repo.load_commitmeta(commit);
  auto sigs = signatures_in(dict, key);
  edit(sigs);
  repo.write_commitmeta(commit, with_signatures(dict, key, sigs));
}

}  // namespace

std::vector<std::string> signatures_in(const gv::Value& dict, std::string_view key) {
  for (const auto& entry : dict.children()) {
    if (entry[0].str() != key) continue;
    const auto& value = entry[1][0];
    if (value.type != "aay")
      throw Error("Invalid signature metadata " + std::string(key) + ": type " + value.type + ", expected aay");
    std::vector<std::string> out;
    for (const auto& s : value.children()) out.push_back(s.str());
    return out;
  }
  return {};
}

gv::Value with_signatures(const gv::Value& dict, std::string_view key, const std::vector<std::string>& sigs) {
  gv::Children entries;
  gv::Children array;
  for (const auto& s : sigs) array.push_back(gv::bytes(s));
  bool replaced = false;
  for (const auto& entry : dict.children()) {
    if (entry[0].str() != key) {
      entries.push_back(entry);
    } else if (!sigs.empty() && !replaced) {
      entries.push_back(gv::dict_entry(gv::str(std::string(key)), gv::variant(gv::array("ay", array))));
      replaced = true;
    }
  }
  if (!sigs.empty() && !replaced)
    entries.push_back(gv::dict_entry(gv::str(std::string(key)), gv::variant(gv::array("ay", std::move(array)))));
  return gv::array("{sv}", std::move(entries));
}

void gpg_sign_commit(Repo& repo, const Digest& commit, const std::vector<std::string>& key_ids,
                     const std::optional<std::string>& homedir) {
  auto data = commit_bytes(repo, commit);
  // Sign everything first: a missing key leaves the metadata untouched.
  std::vector<std::string> added;
  for (const auto& id : key_ids) added.push_back(gpg_sign_detached(data, id, homedir));
  edit_commit_signatures(repo, commit, kGpgMetadataKey,
                         [&](std::vector<std::string>& sigs) { sigs.insert(sigs.end(), added.begin(), added.end()); });
}

unsigned gpg_delete_commit_signatures(Repo& repo, const Digest& commit, const std::vector<std::string>& key_ids,
                                      const std::optional<std::string>& homedir) {
  auto data = commit_bytes(repo, commit);
  GpgKeyrings keyrings;
  keyrings.homedir = homedir;
  unsigned deleted = 0;
  edit_commit_signatures(repo, commit, kGpgMetadataKey, [&](std::vector<std::string>& sigs) {
    std::vector<std::string> kept;
    for (auto& sig : sigs) {
      // One at a time: the verdict must belong to this very signature.
      auto result = gpg_verify_detached(data, {sig}, keyrings);
      bool match = std::any_of(result.begin(), result.end(), [&](const GpgSignature& s) {
        return std::any_of(key_ids.begin(), key_ids.end(), [&](const std::string& id) { return s.made_by(id); });
      });
      if (match) ++deleted;
      else kept.push_back(std::move(sig));
    }
    sigs = std::move(kept);
  });
  return deleted;
}

std::vector<GpgSignature> gpg_verify_commit(const Repo& repo, const Digest& commit, const GpgKeyrings& keyrings) {
  return gpg_verify_detached(commit_bytes(repo, commit), signatures_in(repo.load_commitmeta(commit), kGpgMetadataKey),
                             keyrings);
}

void ed25519_sign_commit(Repo& repo, const Digest& commit, const std::vector<Ed25519SecretKey>& keys) {
  auto data = commit_bytes(repo, commit);
  edit_commit_signatures(repo, commit, kEd25519MetadataKey, [&](std::vector<std::string>& sigs) {
    for (const auto& k : keys) sigs.push_back(ed25519_sign(k, data));
  });
}

unsigned ed25519_delete_commit_signatures(Repo& repo, const Digest& commit, const std::vector<Ed25519PublicKey>& keys) {
  auto data = commit_bytes(repo, commit);
  unsigned deleted = 0;
  edit_commit_signatures(repo, commit, kEd25519MetadataKey, [&](std::vector<std::string>& sigs) {
    std::erase_if(sigs, [&](const std::string& sig) {
      bool match = std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return ed25519_verify(k, data, sig); });
      deleted += match;
      return match;
    });
  });
  return deleted;
}

Ed25519PublicKey ed25519_verify_commit(const Repo& repo, const Digest& commit, const Ed25519Keys& keys) {
  return ed25519_verify_any(keys, commit_bytes(repo, commit),
                            signatures_in(repo.load_commitmeta(commit), kEd25519MetadataKey));
}

void sign_summary(Repo& repo, const SummarySigners& signers) {
  auto summary = sys::read_file_at_opt(repo.dfd(), "summary");
  if (!summary) throw Error("No summary file to sign; run `summary -u` first");
  gv::Value dict = gv::array("{sv}", {});
  if (auto old = sys::read_file_at_opt(repo.dfd(), "summary.sig"))
    dict = with_context("summary.sig", [&] { return gv::decode(kCommitMetaType, *old); });
  std::vector<std::string> gpg;
  for (const auto& id : signers.gpg_key_ids) gpg.push_back(gpg_sign_detached(*summary, id, signers.gpg_homedir));
  if (!gpg.empty()) {
    auto sigs = signatures_in(dict, kGpgMetadataKey);
    sigs.insert(sigs.end(), gpg.begin(), gpg.end());
    dict = with_signatures(dict, kGpgMetadataKey, sigs);
  }
  if (!signers.ed25519.empty()) {
    auto sigs = signatures_in(dict, kEd25519MetadataKey);
    for (const auto& k : signers.ed25519) sigs.push_back(ed25519_sign(k, *summary));
    dict = with_signatures(dict, kEd25519MetadataKey, sigs);
  }
  write_file_atomic(repo.dfd(), "summary.sig", gv::encode(dict), 0644,
                    repo.fsync_enabled() ? Durability::fsync : Durability::nosync);
}

}  // namespace ot::store::sign
