#include "store/commit.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

namespace ot::store {
namespace {

uint64_t default_timestamp() {
  // Reproducible builds set SOURCE_DATE_EPOCH; upstream honours it too.
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(sde, &end, 10);
    if (end != sde && *end == '\0') return v;
    throw Error(std::string("Failed to convert SOURCE_DATE_EPOCH '") + sde + "'");
  }
  return static_cast<uint64_t>(std::time(nullptr));
}

std::optional<Digest> resolve_parent(const Repo& repo, const CommitRequest& req) {
  if (req.parent) {
    if (*req.parent == "none") return std::nullopt;
    return repo.resolve_rev(*req.parent);
  }
  if (req.branch && !req.orphan) return repo.resolve_rev_opt(*req.branch);
  return std::nullopt;
}

gv::Value build_metadata(const Repo& repo, const CommitRequest& req, const std::optional<Digest>& parent) {
  gv::Children entries;
  auto add = [&](const std::string& key, gv::Value value) {
    // A later value for the same key replaces the earlier one.
    std::erase_if(entries, [&](const gv::Value& e) { return e[0].str() == key; });
    entries.push_back(gv::dict_entry(gv::str(key), gv::variant(std::move(value))));
  };
  for (auto& [k, v] : req.metadata_strings) add(k, gv::str(v));
  for (auto& [k, v] : req.metadata_values) add(k, v);
  if (!req.keep_metadata.empty() && parent) {
    auto pmeta = repo.load_commit(*parent).metadata;
    for (auto& key : req.keep_metadata)
      if (auto* v = lookup_metadata(pmeta, key)) add(key, *v);
  }
  if (!req.no_bindings) {
    std::vector<std::string> refs = req.bind_refs;
    if (req.branch) refs.push_back(*req.branch);
    std::sort(refs.begin(), refs.end());
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
    // Upstream writes the binding even when empty (an orphan commit).
    gv::Children names;
    for (auto& r : refs) names.push_back(gv::str(r));
    add("ostree.ref-binding", gv::array("s", std::move(names)));
    if (auto collection = repo.config().get("core", "collection-id"))
      add("ostree.collection-binding", gv::str(*collection));
  }
  return gv::array("{sv}", std::move(entries));
}

}  // namespace

CommitResult commit(Repo& repo, const CommitRequest& req) {
  if (!req.branch && !req.orphan) throw Error("A branch must be specified with --branch, or use --orphan");
  if (req.trees.empty()) throw Error("no tree to commit");

  // 1. Resolve the parent before writing anything.
  auto parent = resolve_parent(repo, req);

  // 2. Store the trees' objects in one transaction.
  repo.begin_transaction();
  try {
    CommitBuilder builder(repo, req.modifiers);
    for (auto& t : req.trees) {
      if (t.kind == TreeSource::Kind::dir)
        builder.add_directory(AT_FDCWD, t.value);
      else
        builder.add_commit_tree(repo.resolve_rev(t.value));
    }
    auto [root_tree, root_meta] = builder.write_tree();

    // 3. Nothing new: keep the parent, as upstream's --skip-if-unchanged does.
    if (req.skip_if_unchanged && parent) {
      auto p = repo.load_commit(*parent);
      if (p.root_tree == root_tree && p.root_meta == root_meta) {
        repo.commit_transaction();
        return {*parent, true};
      }
    }

    // 4. The commit object and its detached metadata.
    CommitInfo info;
    info.subject = req.subject;
    info.body = req.body;
    info.timestamp = req.timestamp ? *req.timestamp : default_timestamp();
    info.parent = parent;
    info.metadata = build_metadata(repo, req, parent);
    Digest csum = write_commit(repo, info, root_tree, root_meta);
    repo.commit_transaction();
    if (!req.detached_metadata_strings.empty()) {
      gv::Children entries;
      for (auto& [k, v] : req.detached_metadata_strings)
        entries.push_back(gv::dict_entry(gv::str(k), gv::variant(gv::str(v))));
      repo.write_commitmeta(csum, gv::array("{sv}", std::move(entries)));
    }

    // 5. Move the branch only once every object has landed.
    if (req.branch && !req.orphan) repo.set_ref(*req.branch, csum);

    // 6. --consume: the source directories go once the commit is safe.
    if (req.consume)
      for (auto& t : req.trees)
        if (t.kind == TreeSource::Kind::dir) sys::remove_tree_at(AT_FDCWD, t.value);
    return {csum, false};
  } catch (...) {
    repo.abort_transaction();
    throw;
  }
}

}  // namespace ot::store
