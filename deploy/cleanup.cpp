#include "deploy/cleanup.hpp"

#include "base/error.hpp"
#include "base/fault_point.hpp"
#include "base/immutable.hpp"
#include "base/sys.hpp"
#include "deploy/boot_entries.hpp"

#include <set>

namespace ot::deploy {

namespace {

void remove_inactive_boot_config(const Sysroot& sysroot) {
  const int bv = sysroot.bootversion();
  const int other = 1 - bv;
  sys::remove_tree_at(sysroot.boot_dfd(), "loader." + std::to_string(other));
  UniqueFd ostree_dfd = sys::open_dir(sysroot.dfd(), "ostree");
  sys::unlink_at_opt(ostree_dfd.get(), "boot." + std::to_string(other));
  for (int sub : {0, 1})
    sys::remove_tree_at(ostree_dfd.get(), "boot." + std::to_string(other) + "." + std::to_string(sub));
  sys::remove_tree_at(ostree_dfd.get(),
                      "boot." + std::to_string(bv) + "." + std::to_string(1 - sysroot.subbootversion()));
  for (const char* tmp_suffix : {".0.tmp", ".1.tmp"})
    for (int v : {0, 1})
      sys::remove_tree_at(ostree_dfd.get(), "boot." + std::to_string(v) + tmp_suffix);
  // What an interrupted write_loader()/swap_loader() left in /boot.
  for (const sys::DirEntry& e : sys::list_dir(sysroot.boot_dfd()))
    if (e.name.starts_with(".loader.") || e.name.starts_with("loader.tmp-"))
      sys::remove_tree_at(sysroot.boot_dfd(), e.name);
}

void remove_old_deployments(const Sysroot& sysroot) {
  std::set<std::string> live;
  for (const Deployment& d : sysroot.deployments())
    live.insert(d.relpath());
  auto deploy_root = sys::open_dir_opt(sysroot.dfd(), "ostree/deploy");
  if (!deploy_root)
    return;
  for (const sys::DirEntry& stateroot : sys::list_dir(deploy_root->get())) {
    const std::string dir = "ostree/deploy/" + stateroot.name + "/deploy";
    auto deploy_dfd = sys::open_dir_opt(sysroot.dfd(), dir, sys::FollowLinks::no);
    if (!deploy_dfd)
      continue;
    for (const sys::DirEntry& e : sys::list_dir(deploy_dfd->get())) {
      std::string name = e.name;
      const bool is_origin = name.size() > 7 && name.ends_with(".origin");
      if (is_origin)
        name.resize(name.size() - 7);
      // Half-built: a checkout not yet renamed into place, an etc merge.
      const bool is_tmp = name.ends_with(".tmp") || name.starts_with(".tmp-checkout-");
      if (!is_tmp && !parse_deploy_dirname(name))
        continue;  // not ours to judge
      if (live.contains(dir + "/" + name))
        continue;
      if (is_origin)
        sys::unlink_at_opt(deploy_dfd->get(), e.name);
      else
        remove_deployment_dir(sysroot.dfd(), dir + "/" + e.name);
      fault_point("old deployment removed");
    }
  }
}

void remove_unused_kernels(const Sysroot& sysroot) {
  std::set<std::string> live;
  for (const Deployment& d : sysroot.deployments())
    live.insert(boot_dir_name(d));
  auto dfd = sys::open_dir_opt(sysroot.boot_dfd(), "ostree", sys::FollowLinks::no);
  if (!dfd)
    return;
  for (const sys::DirEntry& e : sys::list_dir(dfd->get())) {
    if (!live.contains(e.name))
      sys::remove_tree_at(dfd->get(), e.name);
  }
}

// refs/heads/ostree/N/M/I for every deployment (the staged one included,
// as index 0) keep their commits from pruning; any other ref there goes.
void rewrite_deployment_refs(Sysroot& sysroot) {
  const std::string prefix =
      "ostree/" + std::to_string(sysroot.bootversion()) + "/" + std::to_string(sysroot.subbootversion()) + "/";
  store::Repo& repo = sysroot.repo();
  std::set<std::string> live;
  for (const Deployment& d : sysroot.deployments()) {
    const std::string name = prefix + std::to_string(d.index);
    live.insert(name);
    const auto csum = store::digest_from_hex(d.csum);
    if (repo.resolve_rev_opt(name) != csum)
      repo.set_ref(name, csum);
  }
  for (const auto& [name, csum] : repo.list_refs("ostree/")) {
    if (!live.contains(name))
      repo.delete_ref(name);
  }
}

}  // namespace

void remove_deployment_dir(int sysroot_dfd, const std::string& relpath) {
  if (auto dfd = sys::open_dir_opt(sysroot_dfd, relpath, sys::FollowLinks::no))
    set_immutable(dfd->get(), false);
  sys::remove_tree_at(sysroot_dfd, relpath);
}

void cleanup_sysroot(Sysroot& sysroot) {
  with_context("cleanup", [&] {
    remove_inactive_boot_config(sysroot);
    remove_old_deployments(sysroot);
    remove_unused_kernels(sysroot);
    rewrite_deployment_refs(sysroot);
  });
}

store::PruneResult prune_sysroot_repo(Sysroot& sysroot) {
  store::PruneOptions options;
  options.refs_only = true;
  options.depth = 0;
  return store::prune(sysroot.repo(), options);
}

}  // namespace ot::deploy
