#include "deploy/deploy_tree.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/fault_point.hpp"
#include "base/immutable.hpp"
#include "base/sys.hpp"
#include "boot/kernel_layout.hpp"
#include "deploy/cleanup.hpp"
#include "deploy/origin.hpp"
#include "store/checkout.hpp"

#include <algorithm>

namespace ot::deploy {

namespace {

// One past the highest serial of this commit among the stateroot's
// deployment directories, live or not yet cleaned up.
int allocate_deployserial(int deploy_dfd, const std::string& csum) {
  int next = 0;
  for (const sys::DirEntry& e : sys::list_dir(deploy_dfd)) {
    if (auto name = parse_deploy_dirname(e.name); name && name->csum == csum)
      next = std::max(next, name->deployserial + 1);
  }
  return next;
}

// A tree may ship its defaults in /etc (older build tools): they move to
// /usr/etc, where every deployment's defaults live.
void normalize_etc(int dfd) {
  const bool has_etc = sys::stat_at_opt(dfd, "etc").has_value();
  const bool has_usr_etc = sys::stat_at_opt(dfd, "usr/etc").has_value();
  if (has_etc && has_usr_etc) {
    // An empty /etc beside /usr/etc is a leftover mountpoint: upstream drops it.
    if (::unlinkat(dfd, "etc", AT_REMOVEDIR) == 0)
      return;
    throw Error("Tree contains both /etc and /usr/etc");
  }
  if (has_etc) {
    sys::mkdir_at_opt(dfd, "usr", 0755);
    sys::rename_at(dfd, "etc", dfd, "usr/etc");
  }
}

// Removes the half-built deployment unless release()d.
class DeploymentGuard {
public:
  DeploymentGuard(int sysroot_dfd, std::string relpath) : sysroot_dfd_(sysroot_dfd), relpath_(std::move(relpath)) {}
  ~DeploymentGuard() {
    if (relpath_.empty())
      return;
    try {
      ::unlinkat(sysroot_dfd_, (relpath_ + ".origin").c_str(), 0);
      remove_deployment_dir(sysroot_dfd_, relpath_);
    } catch (...) {
      // cleanup_sysroot() removes whatever is left.
    }
  }
  void release() { relpath_.clear(); }

private:
  int sysroot_dfd_;
  std::string relpath_;
};

}  // namespace

Deployment initialize_deployment(Sysroot& sysroot, const DeployTreeOptions& options, bool etc_defaults) {
  if (!sysroot.has_stateroot(options.stateroot))
    throw Error("No such stateroot: " + options.stateroot + " (create it with ostree admin os-init)");
  const std::string deploy_dir = "ostree/deploy/" + options.stateroot + "/deploy";
  sys::mkdir_at_opt(sysroot.dfd(), deploy_dir, 0755);
  UniqueFd deploy_dfd = sys::open_dir(sysroot.dfd(), deploy_dir, sys::FollowLinks::no);

  Deployment d;
  d.stateroot = options.stateroot;
  d.csum = options.csum;
  d.deployserial = allocate_deployserial(deploy_dfd.get(), options.csum);
  d.kargs = options.kargs;
  d.origin = options.origin;
  d.has_origin = true;

  return with_context("deploying " + d.dirname(), [&] {
    store::CheckoutOptions checkout;
    checkout.links = store::LinkPolicy::prefer_hardlinks;
    // Guarded from the start: a checkout that fails half way (a full disk)
    // leaves nothing behind. The serial is fresh, so nothing else is there.
    DeploymentGuard guard(sysroot.dfd(), d.relpath());
    store::checkout(sysroot.repo(), store::digest_from_hex(d.csum), deploy_dfd.get(), d.dirname(), checkout);
    fault_point("deployment checked out");
    UniqueFd dfd = sys::open_dir(deploy_dfd.get(), d.dirname(), sys::FollowLinks::no);
    normalize_etc(dfd.get());
    auto layout = boot::find_kernel(dfd.get());
    if (!layout)
      throw Error("Failed to find kernel in /usr/lib/modules, /usr/lib/ostree-boot or /boot");
    d.bootcsum = layout->bootcsum;
    if (etc_defaults && sys::stat_at_opt(dfd.get(), "usr/etc"))
      copy_etc_defaults(dfd.get());
    write_origin(sysroot.dfd(), d, options.origin);
    guard.release();
    return d;
  });
}

DeployedTree finalize_deployment(Sysroot& sysroot, const Deployment& deployment, const Deployment* merge) {
  DeployedTree result;
  result.deployment = deployment;
  const Deployment& d = result.deployment;
  return with_context("deploying " + d.dirname(), [&] {
    DeploymentGuard guard(sysroot.dfd(), d.relpath());
    UniqueFd dfd = sys::open_dir(sysroot.dfd(), d.relpath(), sys::FollowLinks::no);
    const bool has_etc = sys::stat_at_opt(dfd.get(), "etc").has_value();
    if (merge) {
      // A staged deployment's /etc is a pristine copy of /usr/etc.
      if (has_etc)
        sys::remove_tree_at(dfd.get(), "etc");
      UniqueFd merge_dfd = sys::open_dir(sysroot.dfd(), merge->relpath(), sys::FollowLinks::no);
      result.etc_changes = merge_etc(merge_dfd.get(), dfd.get());
    } else if (!has_etc && sys::stat_at_opt(dfd.get(), "usr/etc")) {
      copy_etc_defaults(dfd.get());
    }
    fault_point("etc merged");

    if (auto var = sys::open_dir_opt(dfd.get(), "var", sys::FollowLinks::no))
      for (const sys::DirEntry& e : sys::list_dir(var->get()))
        result.ignored_var_entries.push_back(e.name);

    // Upstream relabels the shared /var for SELinux once per stateroot and
    // records it with a stamp file; the stamp is part of the layout.
    const std::string stamp = "ostree/deploy/" + d.stateroot + "/var/.ostree-selabeled";
    if (!sys::stat_at_opt(sysroot.dfd(), stamp)) {
      write_file_atomic(sysroot.dfd(), stamp, "", 0644);
      result.var_labeled = true;
    }

    // Everything of the new tree on disk before anything can point at it.
    sys::syncfs(dfd.get());
    set_immutable(dfd.get(), true);
    guard.release();
    return result;
  });
}

DeployedTree deploy_tree(Sysroot& sysroot, const DeployTreeOptions& options) {
  const Deployment d = initialize_deployment(sysroot, options);
  return finalize_deployment(sysroot, d, options.merge);
}

}  // namespace ot::deploy
