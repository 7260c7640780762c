#pragma once
// `admin deploy --stage` and `admin finalize-staged`: a deployment checked
// out now and made the default when the system shuts down.
#include "deploy/deploy_tree.hpp"
#include "deploy/sysroot.hpp"

namespace ot::cli::admin {

// Checks out the tree and records the plan in /run; needs a booted sysroot.
// Replaces an earlier staged deployment.
void stage_deployment(deploy::Sysroot& sysroot, const deploy::DeployTreeOptions& tree);

}  // namespace ot::cli::admin
