#pragma once
// The `ostree commit` workflow as one library call: resolve the parent, layer
// the trees, write objects in one transaction, add metadata and ref bindings,
// then move the branch.
#include "store/commit_builder.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ot::store {

struct TreeSource {
  enum class Kind { dir, ref } kind;
  std::string value;  // directory path (relative to the cwd) or a rev
};

struct CommitRequest {
  std::vector<TreeSource> trees;         // layered in order, later ones win
  std::optional<std::string> branch;     // -b; the ref to move
  bool orphan = false;                   // write no ref
  std::optional<std::string> parent;     // a rev, or "none"; default: the branch's commit
  std::string subject;
  std::string body;
  std::optional<uint64_t> timestamp;     // default: now (or SOURCE_DATE_EPOCH)
  std::vector<std::pair<std::string, std::string>> metadata_strings;
  std::vector<std::pair<std::string, gv::Value>> metadata_values;  // already byteswapped as upstream stores them
  std::vector<std::string> keep_metadata;  // keys copied from the parent
  std::vector<std::pair<std::string, std::string>> detached_metadata_strings;
  bool no_bindings = false;
  std::vector<std::string> bind_refs;
  CommitModifiers modifiers;
  bool skip_if_unchanged = false;
  bool consume = false;  // delete the source directories once committed
};

struct CommitResult {
  Digest commit;
  bool unchanged = false;  // skip_if_unchanged found nothing new; commit is the parent
};

CommitResult commit(Repo& repo, const CommitRequest& request);

}  // namespace ot::store
