#include "store/traverse.hpp"

#include "base/error.hpp"
#include "store/commit_partial.hpp"

#include <algorithm>

namespace ot::store {

std::string ObjectName::str() const { return digest_hex(checksum) + "." + std::string(object_type_name(type)); }

Reachability::Reachability(const Repo& repo, RecordParents record)
    : repo_(repo), record_parents_(record == RecordParents::yes) {}

bool Reachability::insert(const ObjectName& object, const ObjectName* parent) {
  bool inserted = objects_.insert(object).second;
  if (record_parents_ && parent) {
    auto& list = parents_[object];
    // Entries of one dirtree arrive together: this drops the repeats of a
    // file that one directory holds under many names.
    if (list.empty() || !(list.back() == *parent)) list.push_back(*parent);
  }
  return inserted;
}

void Reachability::problem(const ObjectName& object, bool missing, std::string message, bool tolerate_missing) {
  if (missing && tolerate_missing) return;
  problems_.push_back({object, missing, std::move(message)});
}

void Reachability::add_commit(const Digest& commit, int depth, TraverseScope scope) {
  Digest cur = commit;
  int remaining = depth < 0 ? -1 : depth;
  for (bool first = true;; first = false) {
    const ObjectName key{cur, ObjectType::commit};
    bool walked = false;
    if (auto it = commit_depth_.find(cur); it != commit_depth_.end()) {
      int done = it->second;
      if (done < 0 || (remaining >= 0 && done >= remaining)) return;
      it->second = remaining;  // deeper than before: continue into older history
      walked = true;
    } else {
      commit_depth_.emplace(cur, remaining);
    }

    auto bytes = repo_.load_metadata_opt(ObjectType::commit, cur);
    if (!bytes) {
      // A missing parent is where history was pruned: the normal end of a walk.
      if (first) {
        insert(key, nullptr);
        problem(key, true, "No such metadata object " + key.str(), false);
      }
      return;
    }
    if (!walked) insert(key, nullptr);
    Commit c;
    try {
      c = decode_commit(*bytes);
    } catch (const Error& e) {
      if (!walked) problem(key, false, "commit " + digest_hex(cur) + ": " + e.what(), false);
      return;
    }
    if (!walked) {
      if (repo_.has_object(ObjectType::commit_meta, cur)) insert({cur, ObjectType::commit_meta}, &key);
      if (scope == TraverseScope::everything) walk_tree(c.root_tree, c.root_meta, key, is_commit_partial(repo_, cur));
    }
    if (remaining == 0 || !c.parent) return;
    if (remaining > 0) remaining--;
    cur = *c.parent;
  }
}

void Reachability::walk_tree(const Digest& root_tree, const Digest& root_meta, const ObjectName& commit,
                             bool tolerate_missing) {
  insert({root_meta, ObjectType::dir_meta}, &commit);
  // An explicit stack: a hostile repository may nest directories far deeper
  // than the call stack would allow.
  std::vector<std::pair<Digest, ObjectName>> stack;
  stack.emplace_back(root_tree, commit);
  while (!stack.empty()) {
    auto [tree_csum, parent] = stack.back();
    stack.pop_back();
    const ObjectName name{tree_csum, ObjectType::dir_tree};
    if (!insert(name, &parent)) continue;  // shared subtree, walked already
    auto bytes = repo_.load_metadata_opt(ObjectType::dir_tree, tree_csum);
    if (!bytes) {
      problem(name, true, "No such metadata object " + name.str(), tolerate_missing);
      continue;
    }
    DirTree tree;
    try {
      tree = decode_dirtree(*bytes);
    } catch (const Error& e) {
      problem(name, false, "dirtree " + digest_hex(tree_csum) + ": " + e.what(), false);
      continue;
    }
    for (auto& f : tree.files) insert({f.checksum, ObjectType::file}, &name);
    for (auto it = tree.dirs.rbegin(); it != tree.dirs.rend(); ++it) {
      insert({it->meta, ObjectType::dir_meta}, &name);
      stack.emplace_back(it->tree, name);
    }
  }
}

std::vector<Digest> Reachability::commits_containing(const ObjectName& object) const {
  std::vector<Digest> out;
  ObjectSet seen{object};
  std::vector<ObjectName> todo{object};
  while (!todo.empty()) {
    ObjectName cur = todo.back();
    todo.pop_back();
    if (cur.type == ObjectType::commit) {
      out.push_back(cur.checksum);
      continue;
    }
    auto it = parents_.find(cur);
    if (it == parents_.end()) continue;
    for (auto& p : it->second)
      if (seen.insert(p).second) todo.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

ObjectSet reachable_objects(const Repo& repo, const std::vector<Digest>& commits, int depth,
                            std::vector<TraverseProblem>* problems) {
  Reachability r(repo);
  for (auto& c : commits) r.add_commit(c, depth);
  if (problems) *problems = r.problems();
  return r.objects();
}

}  // namespace ot::store
