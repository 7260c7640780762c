#pragma once
// Making a list of deployments the one the machine boots. Everything new is
// written beside the live state (kernels in /boot/ostree, the inactive
// ostree/boot.N.M symlink farm, the inactive /boot/loader.N), synced, and
// then one rename makes it live: the /boot/loader symlink when the boot
// entries change, else the ostree/boot.N symlink. Killed at any instant,
// the sysroot boots the old list or the new one.
#include "deploy/deployment.hpp"
#include "deploy/sysroot.hpp"

#include <vector>

namespace ot::deploy {

struct WriteResult {
  bool bootconfig_swapped = false;  // a new /boot/loader.N (else only boot.N.M)
  int bootversion = 0;
  int subbootversion = 0;
  int count_change = 0;  // new count minus old count
  // syslinux and u-boot configs are switched with the entries themselves;
  // upstream says "Transaction complete" for those, else "Bootloader updated".
  bool bootloader_atomic = false;
};

// Makes `deployments` (in boot order; each already checked out, with its
// bootcsum and kargs set) the sysroot's deployments, then removes what no
// longer belongs to any of them (cleanup_sysroot). The caller holds the
// sysroot lock. The sysroot is reloaded before returning.
WriteResult write_deployments(Sysroot& sysroot, std::vector<Deployment> deployments);

// upstream's "Bootloader updated; bootconfig swap: yes; bootversion:
// boot.0.1, deployment count change: 1".
std::string describe(const WriteResult& result);

}  // namespace ot::deploy
