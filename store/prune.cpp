#include "store/prune.hpp"

#include "base/error.hpp"
#include "base/format_size.hpp"
#include "base/sys.hpp"
#include "store/commit_partial.hpp"
#include "store/repo_lock.hpp"
#include "store/traverse.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace ot::store {
namespace {

// Every ref's commit: local, remote ("remote:ref") and mirrored collection
// refs, which upstream's prune also keeps.
std::vector<std::pair<std::string, Digest>> all_refs(const Repo& repo) {
  auto refs = repo.list_refs();
  std::vector<std::pair<std::string, std::string>> stack{{"refs/mirrors", ""}};
  while (!stack.empty()) {
    auto [dir, prefix] = stack.back();
    stack.pop_back();
    auto fd = sys::open_dir_opt(repo.dfd(), dir, sys::FollowLinks::no);
    if (!fd) continue;
    for (auto& e : sys::list_dir(fd->get())) {
      auto st = sys::stat_at(fd->get(), e.name);
      std::string name = prefix.empty() ? e.name : prefix + "/" + e.name;
      if (S_ISDIR(st.st_mode)) {
        stack.emplace_back(dir + "/" + e.name, name);
      } else if (S_ISREG(st.st_mode)) {
        auto text = sys::read_file_at(fd->get(), e.name);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        if (is_valid_checksum(text)) refs.emplace_back("mirror:" + name, digest_from_hex(text));
      }
    }
  }
  return refs;
}

// Upstream lists loose objects of these types only; detached metadata and
// tombstones go with their commit.
bool counted_type(ObjectType t, bool commit_only) {
  if (commit_only) return t == ObjectType::commit;
  return t == ObjectType::file || t == ObjectType::dir_tree || t == ObjectType::dir_meta || t == ObjectType::commit;
}

uint64_t storage_size(const Repo& repo, const ObjectName& o) {
  auto st = sys::stat_at_opt(repo.objects_dfd(), loose_object_path(o.checksum, o.type, repo.mode()));
  return st ? uint64_t(st->st_size) : 0;
}

void remove_commit(Repo& repo, const Digest& commit) {
  repo.delete_object(ObjectType::commit, commit);
  repo.delete_object(ObjectType::commit_meta, commit);
  unmark_commit_partial(repo, commit);
  if (repo.config().get_bool("core", "tombstone-commits").value_or(false)) {
    // Upstream stores the checksum as a NUL-terminated bytestring ("ay").
    auto tomb = gv::array(
        "{sv}", {gv::dict_entry(gv::str("commit"), gv::variant(gv::bytes(digest_hex(commit) + std::string(1, '\0'))))});
    repo.write_metadata_trusted(ObjectType::tombstone_commit, commit, gv::encode(tomb));
  }
}

// Static deltas live in deltas/XX/REST, named by the modified base64 ('_' for
// '/', no padding) of "[FROM-]TO"; a delta whose target commit is gone is
// useless. Returns the target, or nullopt for a name that is not a delta.
std::optional<Digest> delta_target(const std::string& name) {
  auto dash = name.rfind('-');
  std::string to = dash == std::string::npos ? name : name.substr(dash + 1);
  if (to.size() != 43) return std::nullopt;
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_";
  Digest out{};
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : to) {
    const char* p = std::strchr(kAlphabet, c);
    if (!p || !c) return std::nullopt;
    acc = (acc << 6) | uint32_t(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < out.size()) out[n++] = uint8_t(acc >> bits);
    }
  }
  return n == out.size() ? std::optional(out) : std::nullopt;
}

void prune_static_deltas(const Repo& repo) {
  auto deltas = sys::open_dir_opt(repo.dfd(), "deltas", sys::FollowLinks::no);
  if (!deltas) return;
  for (auto& prefix : sys::list_dir(deltas->get())) {
    auto sub = sys::open_dir_opt(deltas->get(), prefix.name, sys::FollowLinks::no);
    if (!sub) continue;
    for (auto& e : sys::list_dir(sub->get())) {
      auto to = delta_target(prefix.name + e.name);
      if (to && !repo.has_object(ObjectType::commit, *to)) sys::remove_tree_at(sub->get(), e.name);
    }
  }
}

// Per ref: its commit, then ancestors while they are at least `since`.
void keep_younger_than(const Repo& repo, Reachability& reach, const Digest& tip, int64_t since, TraverseScope scope) {
  reach.add_commit(tip, 0, scope);
  std::optional<Digest> cur = tip;
  while (cur) {
    auto bytes = repo.load_metadata_opt(ObjectType::commit, *cur);
    if (!bytes) break;  // pruned already
    auto c = decode_commit(*bytes);
    if (int64_t(c.timestamp) < since) break;
    reach.add_commit(*cur, 0, scope);
    cur = c.parent;
  }
}

// What the walk could not read makes the reachable set unknown below it.
void require_complete(const Reachability& reach) {
  for (auto& p : reach.problems()) {
    if (p.missing && p.object.type == ObjectType::commit) continue;  // a ref to a pruned commit
    throw Error("Cannot prune: " + p.message + " (fsck can tell what is damaged)");
  }
}

}  // namespace

std::pair<std::string, int> parse_branch_depth(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) throw Error("Invalid value " + spec + ", must specify BRANCH=DEPTH");
  std::string depth = spec.substr(eq + 1);
  try {
    size_t used = 0;
    int d = std::stoi(depth, &used);
    if (used != depth.size()) throw std::invalid_argument(depth);
    return {spec.substr(0, eq), d};
  } catch (const std::out_of_range&) {
    throw Error("Out of range depth " + depth);
  } catch (const std::exception&) {
    throw Error("Invalid depth " + depth);
  }
}

PruneResult prune(Repo& repo, const PruneOptions& opts) {
  // Deleting must exclude writers; counting only needs a stable view.
  std::optional<RepoLock> lock;
  if (!opts.no_prune) lock.emplace(repo, LockKind::exclusive);

  const TraverseScope scope = opts.commit_only ? TraverseScope::commits_only : TraverseScope::everything;
  const bool advanced = opts.keep_younger_than || !opts.retain_branch_depth.empty() || !opts.only_branches.empty();
  Reachability reach(repo);

  // 1. The roots and how far back each one reaches.
  if (!advanced && !opts.refs_only) {
    for (auto& [csum, type] : repo.list_objects())
      if (type == ObjectType::commit) reach.add_commit(csum, opts.depth, scope);
  } else {
    auto refs = all_refs(repo);
    std::map<std::string, int> depth_of(opts.retain_branch_depth.begin(), opts.retain_branch_depth.end());
    if (!opts.only_branches.empty()) {
      std::set<std::string> only;
      for (auto& b : opts.only_branches) {
        repo.resolve_rev(b);  // must exist: "Refspec 'b' not found"
        only.insert(b);
      }
      for (auto& [name, csum] : refs)
        if (!only.count(name)) depth_of.emplace(name, -1);
    }
    for (auto& [name, csum] : refs) {
      if (auto it = depth_of.find(name); it != depth_of.end())
        reach.add_commit(csum, it->second, scope);
      else if (opts.keep_younger_than)
        keep_younger_than(repo, reach, csum, *opts.keep_younger_than, scope);
      else
        reach.add_commit(csum, opts.depth, scope);
    }
  }
  require_complete(reach);

  // 2. Everything loose that nothing reaches goes.
  PruneResult result;
  result.no_prune = opts.no_prune;
  result.commit_only = opts.commit_only;
  for (auto& [csum, type] : repo.list_objects()) {
    if (!counted_type(type, opts.commit_only)) continue;
    result.objects_total++;
    ObjectName o{csum, type};
    if (reach.contains(o)) continue;
    result.objects_pruned++;
    result.bytes_freed += storage_size(repo, o);
    if (opts.no_prune) continue;
    if (type == ObjectType::commit)
      remove_commit(repo, csum);
    else
      repo.delete_object(type, csum);
  }
  if (!opts.no_prune) prune_static_deltas(repo);
  return result;
}

std::string format_prune_result(const PruneResult& r) {
  std::string out = (r.commit_only ? "Total (commit only) objects: " : "Total objects: ") +
                    std::to_string(r.objects_total) + "\n";
  if (r.objects_pruned == 0)
    out += "No unreachable objects\n";
  else if (r.no_prune)
    out += "Would delete: " + std::to_string(r.objects_pruned) + " objects, freeing " + format_size(r.bytes_freed) + "\n";
  else
    out += "Deleted " + std::to_string(r.objects_pruned) + " objects, " + format_size(r.bytes_freed) + " freed\n";
  return out;
}

void delete_commit(Repo& repo, const Digest& commit) {
  for (auto& [name, csum] : all_refs(repo))
    if (csum == commit) throw Error("Commit '" + digest_hex(commit) + "' is referenced by '" + name + "'");
  RepoLock lock(repo, LockKind::exclusive);
  if (!repo.has_object(ObjectType::commit, commit))
    throw Error("No such metadata object " + digest_hex(commit) + ".commit", ENOENT);
  remove_commit(repo, commit);
}

}  // namespace ot::store
