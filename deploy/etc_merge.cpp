#include "deploy/etc_merge.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ot::deploy {
namespace {

constexpr const char* kStaging = "etc.tmp";

bool dir_is_empty(int dfd, const std::string& path) {
  auto fd = sys::open_dir(dfd, path, sys::FollowLinks::no);
  bool empty = true;
  sys::for_each_dirent(fd.get(), [&](const char*, unsigned char) { empty = false; });
  return empty;
}

// Upstream's rules for what a freshly checked out tree may hold. Returns
// whether usr/etc exists (afterwards).
bool prepare_tree(int deployment_dfd) {
  bool usr_etc = false;
  if (auto st = sys::stat_at_opt(deployment_dfd, "usr/etc")) {
    if (!S_ISDIR(st->st_mode)) throw Error("usr/etc is not a directory", ENOTDIR);
    usr_etc = true;
  }
  auto etc = sys::stat_at_opt(deployment_dfd, "etc");
  if (!etc) return usr_etc;
  if (!S_ISDIR(etc->st_mode)) throw Error("etc is not a directory", ENOTDIR);
  if (dir_is_empty(deployment_dfd, "etc")) {
    if (usr_etc) sys::unlink_at(deployment_dfd, "etc", AT_REMOVEDIR);
    return usr_etc;
  }
  if (usr_etc) throw Error("Tree contains both /etc and /usr/etc", EEXIST);
  // Trees from before usr/etc existed ship their defaults in etc/.
  sys::rename_at(deployment_dfd, "etc", deployment_dfd, "usr/etc");
  return true;
}

// The new /etc while it is being built: etc.tmp beside usr/etc, filled with
// a copy of the defaults, removed again unless land() renames it to etc.
class StagedEtc {
public:
  StagedEtc(int deployment_dfd, CopyStats& stats) : deployment_(deployment_dfd) {
    // A crash while an earlier one was being built leaves it behind.
    sys::remove_tree_at(deployment_, kStaging);
    try {
      copy_tree(deployment_, "usr/etc", deployment_, kStaging, Times::now, stats);
      fd_ = sys::open_dir(deployment_, kStaging, sys::FollowLinks::no);
    } catch (...) {
      discard();  // the destructor of a half-constructed object never runs
      throw;
    }
    armed_ = true;
  }
  StagedEtc(const StagedEtc&) = delete;
  StagedEtc& operator=(const StagedEtc&) = delete;
  ~StagedEtc() {
    if (armed_) discard();
  }

  int fd() const { return fd_.get(); }

  // One syncfs puts every copied file and directory on disk before the
  // rename makes them visible as etc: cheaper than an fsync per file, and
  // after a crash either no etc exists or a complete one does.
  void land() {
    sys::syncfs(fd_.get());
    sys::rename_at(deployment_, kStaging, deployment_, "etc");
    armed_ = false;
    sys::fsync(deployment_);
  }

private:
  void discard() noexcept {
    int saved = errno;
    try {
      sys::remove_tree_at(deployment_, kStaging);
    } catch (...) {
      // Leaves etc.tmp for the next attempt to remove; never hides the
      // error that brought us here.
    }
    errno = saved;
  }

  int deployment_;
  bool armed_ = false;
  UniqueFd fd_;
};

// Applies one deployment's /etc changes to a copy of the new defaults, the
// way upstream's merge_configuration_from does, path by path.
class Merger {
public:
  Merger(int modified_etc, int new_etc, CopyStats& stats)
      : modified_(modified_etc), new_(new_etc), stats_(stats) {}

  // rm -rf; a path whose parent is gone (or no longer a directory) in the
  // new defaults is already removed.
  void remove(const std::string& path) {
    auto [parent, name] = split_parent(path);
    std::optional<UniqueFd> dir;
    try {
      dir = open_dir_beneath_opt(new_, parent);
    } catch (const Error& e) {
      if (e.errnum() == ENOTDIR) return;
      throw;
    }
    if (dir) sys::remove_tree_at(dir->get(), name);
  }

  // Puts the old etc's entry at path into the new etc, replacing what the
  // defaults have there, and creating missing parents with the old etc's
  // directory metadata.
  void copy_modified(const std::string& path) {
    auto [parent, name] = split_parent(path);
    auto src_parent = open_dir_no_symlinks(modified_, parent);
    const struct stat mst =
        with_context("Reading modified config file", [&] { return sys::stat_at(src_parent.get(), name); });
    UniqueFd dst_parent = parent.empty() ? sys::open_dir(new_, ".") : ensure_dir(parent);
    if (auto nst = sys::stat_at_opt(dst_parent.get(), name)) {
      if (S_ISDIR(nst->st_mode)) {
        if (!S_ISDIR(mst.st_mode))
          throw Error("Modified config file newly defaults to directory '" + path + "', cannot merge", EISDIR);
        // Upstream keeps the new default directory as it is: what changed
        // below it is in the lists on its own.
        return;
      }
      sys::unlink_at(dst_parent.get(), name);
    }
    if (S_ISDIR(mst.st_mode))
      copy_tree(src_parent.get(), name, dst_parent.get(), name, Times::keep, stats_);
    else if (S_ISREG(mst.st_mode) || S_ISLNK(mst.st_mode))
      copy_leaf(src_parent.get(), name, mst, dst_parent.get(), name, Times::keep, stats_);
    // fifos, sockets and devices in /etc are left out, as upstream does.
  }

private:
  // The directory path in the new etc, created (with missing parents) as
  // needed. Only directories this creates or finds at path itself take the
  // old etc's metadata; existing parents keep the new defaults'.
  UniqueFd ensure_dir(const std::string& path) {
    auto src = open_dir_no_symlinks(modified_, path);
    auto [parent, name] = split_parent(path);
    UniqueFd dst_parent;
    if (parent.empty()) {
      dst_parent = sys::open_dir(new_, ".");
    } else if (auto found = open_dir_beneath_opt(new_, parent)) {
      dst_parent = std::move(*found);
    } else {
      dst_parent = ensure_dir(parent);
    }
    sys::mkdir_at_opt(dst_parent.get(), name, 0700);
    auto dst = open_dir_beneath_opt(new_, path);
    if (!dst) throw Error("'" + path + "' in the new /etc is a dangling symlink", ENOENT);
    copy_dir_metadata(src.get(), dst->get());
    return std::move(*dst);
  }

  int modified_;
  int new_;
  CopyStats& stats_;
};

}  // namespace

std::string etc_changes_message(const EtcChanges& c) {
  return "Copying /etc changes: " + std::to_string(c.modified.size()) + " modified, " +
         std::to_string(c.removed.size()) + " removed, " + std::to_string(c.added.size()) + " added";
}

void copy_etc_defaults(int new_deployment_dfd, CopyStats& stats) {
  with_context("Preparing /etc", [&] {
    if (!prepare_tree(new_deployment_dfd)) return;
    StagedEtc staged(new_deployment_dfd, stats);
    staged.land();
  });
}

void copy_etc_defaults(int new_deployment_dfd) {
  CopyStats stats;
  copy_etc_defaults(new_deployment_dfd, stats);
}

EtcChanges merge_etc(int old_deployment_dfd, int new_deployment_dfd, CopyStats& stats) {
  return with_context("During /etc merge", [&] {
    // Changes read from the old deployment, the new defaults copied, the
    // changes applied on top: the result upstream's deploy produces.
    EtcChanges changes = diff_etc(old_deployment_dfd);
    auto modified = sys::open_dir(old_deployment_dfd, "etc", sys::FollowLinks::no);
    const bool has_defaults =
        with_context("Preparing /etc", [&] { return prepare_tree(new_deployment_dfd); });
    if (!has_defaults) throw Error("the new deployment has no usr/etc to merge into", ENOENT);
    StagedEtc staged(new_deployment_dfd, stats);
    Merger merger(modified.get(), staged.fd(), stats);
    // Sorted lists keep each directory ahead of its contents, as upstream's
    // walk order does; removals first, then modifications, then additions.
    for (auto& p : changes.removed) merger.remove(p);
    for (auto& p : changes.modified) merger.copy_modified(p);
    for (auto& p : changes.added) merger.copy_modified(p);
    staged.land();
    return changes;
  });
}

EtcChanges merge_etc(int old_deployment_dfd, int new_deployment_dfd) {
  CopyStats stats;
  return merge_etc(old_deployment_dfd, new_deployment_dfd, stats);
}

}  // namespace ot::deploy
