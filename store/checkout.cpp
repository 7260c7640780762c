#include "store/checkout.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/checkout_walker.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <variant>

namespace ot::store {
namespace {

using detail::CheckoutPlan;

// What --subpath names inside the commit.
struct DirTarget {
  Digest tree, meta;
};
struct FileTarget {
  std::string name;
  Digest checksum;
};
using Target = std::variant<std::monostate, DirTarget, FileTarget>;

Target resolve_subpath(const Repo& repo, const Commit& commit, const std::string& subpath) {
  DirTarget dir{commit.root_tree, commit.root_meta};
  std::vector<std::string> parts;
  for (size_t start = 0; start <= subpath.size();) {
    size_t end = subpath.find('/', start);
    if (end == std::string::npos) end = subpath.size();
    std::string part = subpath.substr(start, end - start);
    if (part == "..") throw Error("Invalid subpath " + subpath + ": '..' is not allowed");
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = end + 1;
  }
  for (size_t i = 0; i < parts.size(); i++) {
    auto tree = repo.load_dirtree(dir.tree);
    auto d = std::find_if(tree.dirs.begin(), tree.dirs.end(), [&](auto& e) { return e.name == parts[i]; });
    if (d != tree.dirs.end()) {
      dir = {d->tree, d->meta};
      continue;
    }
    auto f = std::find_if(tree.files.begin(), tree.files.end(), [&](auto& e) { return e.name == parts[i]; });
    if (f == tree.files.end()) return std::monostate{};
    if (i + 1 != parts.size()) throw Error("Not a directory", ENOTDIR);
    return FileTarget{f->name, f->checksum};
  }
  return dir;
}

CheckoutPlan make_plan(const Repo& repo, const CheckoutOptions& opts) {
  const RepoMode mode = repo.mode();
  if (opts.overwrite == OverwriteMode::union_identical && opts.links != LinkPolicy::require_hardlinks)
    throw Error("--union-identical requires --require-hardlinks");

  CheckoutPlan plan{repo, opts};
  // A bare-user-only repo cannot record owners: only a user checkout makes sense.
  plan.user_mode = opts.mode == CheckoutMode::user || mode == RepoMode::bare_user_only;
  const bool user_repo = mode == RepoMode::bare_user || mode == RepoMode::bare_user_only;
  // Objects already carry what the checkout needs only when the modes agree:
  // a bare object has the real owner, mode and xattrs; a bare-user(-only)
  // object is owned by the repo's user, as a user checkout wants.
  const bool hardlinkable = (mode == RepoMode::bare && !plan.user_mode) || (user_repo && plan.user_mode);
  if (opts.links == LinkPolicy::require_hardlinks && !hardlinkable)
    throw Error(user_repo ? "User repository mode requires user checkout mode to hardlink"
                          : "Bare repository mode cannot hardlink in user checkout mode");
  plan.try_hardlinks = hardlinkable && opts.links != LinkPolicy::force_copy;
  plan.symlinks_are_files = mode == RepoMode::bare_user;
  plan.mask_dir_modes = mode == RepoMode::bare_user_only || opts.bareuseronly_dirs;
  plan.track_paths = !opts.skip_paths.empty();
  return plan;
}

UniqueFd open_uncompressed_cache(const Repo& repo, const CheckoutOptions& opts, const CheckoutPlan& plan) {
  if (!opts.uncompressed_cache || repo.mode() != RepoMode::archive || !plan.user_mode ||
      opts.links != LinkPolicy::prefer_hardlinks)
    return {};
  if (!repo.config().get_bool("core", "enable-uncompressed-cache").value_or(true)) return {};
  if (::faccessat(repo.dfd(), ".", W_OK, AT_EACCESS) != 0) return {};  // read-only repo: no cache, as upstream
  sys::mkdir_at_opt(repo.dfd(), "uncompressed-objects-cache", 0755);
  return sys::open_dir(repo.dfd(), "uncompressed-objects-cache", sys::FollowLinks::no);
}

void require_same_device(const Repo& repo, int dfd) {
  auto a = sys::fstat(repo.dfd());
  auto b = sys::fstat(dfd);
  if (a.st_dev != b.st_dev)
    throw Error("Unable to do hardlink checkout across devices (src=" + std::to_string(a.st_dev) +
                    " destination=" + std::to_string(b.st_dev) + ")",
                EXDEV);
}

// Splits "a/b/c" into ("a/b", "c"); trailing slashes do not count.
std::pair<std::string, std::string> split_destination(std::string dest) {
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  auto slash = dest.find_last_of('/');
  if (slash == std::string::npos) return {"", dest};
  return {slash == 0 ? "/" : dest.substr(0, slash), dest.substr(slash + 1)};
}

CheckoutStats to_stats(const detail::AtomicStats& s) {
  CheckoutStats out;
  out.files_linked = s.linked;
  out.files_copied = s.copied;
  out.files_skipped = s.skipped;
  out.directories = s.dirs;
  return out;
}

}  // namespace

CheckoutStats checkout(const Repo& repo, const Digest& commit_csum, int dfd, const std::string& destination,
                       const CheckoutOptions& options) {
  return with_context("checkout of " + digest_hex(commit_csum), [&] {
    // 1. Decide once how files will be written.
    CheckoutPlan plan = make_plan(repo, options);
    UniqueFd cache = open_uncompressed_cache(repo, options, plan);
    plan.cache_dfd = cache ? cache.get() : -1;
    detail::AtomicStats stats;

    // 2. Find what to check out.
    const Commit commit = repo.load_commit(commit_csum);
    Target target = resolve_subpath(repo, commit, options.subpath);
    if (std::holds_alternative<std::monostate>(target)) {
      if (options.allow_noent) {
        CheckoutStats none;
        none.nothing_to_do = true;
        return none;
      }
      throw Error("No such file or directory: " + options.subpath, ENOENT);
    }

    // 3. A single file goes inside the destination directory, created if needed.
    if (auto* file = std::get_if<FileTarget>(&target)) {
      sys::mkdir_at_opt(dfd, destination, 0700);
      auto dir = sys::open_dir(dfd, destination);
      if (options.links == LinkPolicy::require_hardlinks) require_same_device(repo, dir.get());
      detail::CheckoutWalker(plan, stats).checkout_one_file(dir.get(), file->name, file->checksum);
      if (options.fsync) sys::fsync(dir.get());
      return to_stats(stats);
    }
    const auto& dir = std::get<DirTarget>(target);

    // 4. Union modes may fill an existing directory in place.
    if (auto st = sys::stat_at_opt(dfd, destination, 0)) {
      if (options.overwrite == OverwriteMode::none) throw_errno("mkdirat", destination, EEXIST);
      if (!S_ISDIR(st->st_mode)) throw_errno("opendir", destination, ENOTDIR);
      auto root = sys::open_dir(dfd, destination);
      if (options.links == LinkPolicy::require_hardlinks) require_same_device(repo, root.get());
      detail::CheckoutWalker(plan, stats).run(root.get(), true, dir.tree, dir.meta);
      return to_stats(stats);
    }

    // 5. Otherwise build the tree beside the destination and rename it into
    //    place: a failure removes the temporary directory and leaves nothing.
    auto [parent_path, base] = split_destination(destination);
    UniqueFd parent_owned;
    int parent = dfd;
    if (!parent_path.empty()) {
      parent_owned = sys::open_dir(dfd, parent_path);
      parent = parent_owned.get();
    }
    if (options.links == LinkPolicy::require_hardlinks) require_same_device(repo, parent);
    TempDir tmp(parent, ".tmp-checkout-");
    detail::CheckoutWalker(plan, stats).run(tmp.fd(), false, dir.tree, dir.meta);
    if (::renameat2(parent, tmp.name().c_str(), parent, base.c_str(), RENAME_NOREPLACE) < 0)
      throw_errno("renameat2", destination);
    tmp.release();
    if (options.fsync) sys::fsync(parent);
    return to_stats(stats);
  });
}

}  // namespace ot::store
