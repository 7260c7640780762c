#pragma once
// A directory tree being assembled for a commit: layers of directories and
// existing commit trees are merged into it, then it is written bottom-up as
// dirtree objects. Subtrees taken from the repository stay unloaded (just
// their checksums) until something is layered into them.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ot::store {

class MutableTree {
public:
  MutableTree() = default;
  // A node standing for the stored tree `tree` with metadata `meta`.
  MutableTree(const Digest& tree, const Digest& meta) : stored_(tree), meta_(meta), loaded_(false) {}

  void set_meta(const Digest& meta) { meta_ = meta; }
  const std::optional<Digest>& meta() const { return meta_; }

  // Replaces whatever is at name (file or directory) by a file.
  void set_file(const Repo& repo, const std::string& name, const Digest& content);
  // The subdirectory name, created empty (or replacing a file) if needed.
  MutableTree& ensure_dir(const Repo& repo, const std::string& name);
  // Removes name, file or directory; false if absent.
  bool remove(const Repo& repo, const std::string& name);

  // Writes this tree's (and every modified subtree's) dirtree objects and
  // returns the root checksum. Throws if a directory has no metadata.
  Digest write(Repo& repo);

  const std::map<std::string, Digest>& files(const Repo& repo);
  std::map<std::string, std::unique_ptr<MutableTree>>& dirs(const Repo& repo);

private:
  // Expands a stored node into files/dirs so it can be changed.
  void load(const Repo& repo);

  std::optional<Digest> stored_;  // set while unchanged from the repository
  std::optional<Digest> meta_;
  bool loaded_ = true;
  std::map<std::string, Digest> files_;
  std::map<std::string, std::unique_ptr<MutableTree>> dirs_;
};

}  // namespace ot::store
