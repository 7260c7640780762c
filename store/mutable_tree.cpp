#include "store/mutable_tree.hpp"

#include "base/error.hpp"
#include "store/objects.hpp"

namespace ot::store {

void MutableTree::load(const Repo& repo) {
  if (loaded_) return;
  auto tree = repo.load_dirtree(*stored_);
  for (auto& f : tree.files) files_.emplace(f.name, f.checksum);
  for (auto& d : tree.dirs) dirs_.emplace(d.name, std::make_unique<MutableTree>(d.tree, d.meta));
  loaded_ = true;
}

const std::map<std::string, Digest>& MutableTree::files(const Repo& repo) {
  load(repo);
  return files_;
}

std::map<std::string, std::unique_ptr<MutableTree>>& MutableTree::dirs(const Repo& repo) {
  load(repo);
  return dirs_;
}

void MutableTree::set_file(const Repo& repo, const std::string& name, const Digest& content) {
  load(repo);
  stored_.reset();
  dirs_.erase(name);
  files_[name] = content;
}

MutableTree& MutableTree::ensure_dir(const Repo& repo, const std::string& name) {
  load(repo);
  stored_.reset();
  files_.erase(name);
  auto& slot = dirs_[name];
  if (!slot) slot = std::make_unique<MutableTree>();
  return *slot;
}

bool MutableTree::remove(const Repo& repo, const std::string& name) {
  load(repo);
  stored_.reset();
  return files_.erase(name) + dirs_.erase(name) > 0;
}

Digest MutableTree::write(Repo& repo) {
  if (stored_) return *stored_;
  DirTree tree;
  tree.files.reserve(files_.size());
  for (auto& [name, csum] : files_) tree.files.push_back({name, csum});
  for (auto& [name, sub] : dirs_) {
    Digest sub_tree = sub->write(repo);
    if (!sub->meta_) throw Error("directory " + name + " has no metadata");
    tree.dirs.push_back({name, sub_tree, *sub->meta_});
  }
  auto bytes = encode_dirtree(tree);
  Digest csum = sha256(bytes);
  repo.write_metadata_trusted(ObjectType::dir_tree, csum, bytes);
  stored_ = csum;
  return csum;
}

}  // namespace ot::store
