#pragma once
// Removing what no live deployment needs: deployment directories that left
// the list, kernels no entry boots, the inactive boot configuration, stale
// ostree/N/M/I refs; then objects no ref reaches. Each removal only touches
// state nothing live points at, so an interrupted cleanup is simply redone.
#include "deploy/sysroot.hpp"
#include "store/prune.hpp"

namespace ot::deploy {

// Deletes unreferenced deployments (with their .origin), /boot/ostree
// kernel directories, the inactive /boot/loader.N and ostree/boot.N[.M], and
// refs under ostree/ other than the live boot.N.M's. The caller holds the
// sysroot lock; sysroot must be loaded.
void cleanup_sysroot(Sysroot& sysroot);

// Prunes the sysroot's repository to what refs reach (only the commits
// themselves, no history), as upstream does after a deployment change.
store::PruneResult prune_sysroot_repo(Sysroot& sysroot);

// Clears the immutable flag of a deployment directory and removes it.
void remove_deployment_dir(int sysroot_dfd, const std::string& relpath);

}  // namespace ot::deploy
