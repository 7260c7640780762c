#pragma once
// Checking out a commit as a new deployment: the tree under
// ostree/deploy/$stateroot/deploy/$csum.$serial, its /etc merged from the
// merge deployment, its .origin beside it. The new deployment is not booted
// by anything until write_deployments() puts it in the list.
#include "base/keyfile.hpp"
#include "deploy/deployment.hpp"
#include "deploy/etc_merge.hpp"
#include "deploy/sysroot.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ot::deploy {

struct DeployTreeOptions {
  std::string stateroot;
  std::string csum;                  // the commit, already resolved
  KeyFile origin;                    // written as the .origin
  const Deployment* merge = nullptr; // /etc comes from here; nullptr: the tree's defaults
  std::string kargs;                 // kernel arguments of the new deployment
};

struct DeployedTree {
  Deployment deployment;  // index unset: not in the list yet
  EtcChanges etc_changes; // what carried over from the merge deployment
  bool var_labeled = false;  // first deployment of the stateroot: /var got its stamp
  // Entries of the commit's own /var: the stateroot's shared /var is
  // mounted over it at boot, so they are never seen (upstream warns).
  std::vector<std::string> ignored_var_entries;
};

// Builds the deployment. On any error (unknown stateroot, a tree without a
// kernel, both /etc and /usr/etc) nothing is left behind and the sysroot is
// unchanged. The caller holds the sysroot lock.
DeployedTree deploy_tree(Sysroot& sysroot, const DeployTreeOptions& options);

// The two halves of deploy_tree, apart for staging: initialize checks out
// the tree, finds its kernel and writes the .origin, and with
// etc_defaults gives it an /etc copied from /usr/etc as upstream's staged
// deployments have; finalize builds /etc from `merge` (replacing such a
// copy) or keeps/copies the defaults, seals the directory (chattr +i) and
// syncs it. Each removes the deployment when it fails.
Deployment initialize_deployment(Sysroot& sysroot, const DeployTreeOptions& options, bool etc_defaults = false);
DeployedTree finalize_deployment(Sysroot& sysroot, const Deployment& deployment, const Deployment* merge);

}  // namespace ot::deploy
