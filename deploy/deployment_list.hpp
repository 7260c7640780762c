#pragma once
// Which deployments stay when a new one arrives, and the reorderings
// (set-default, rollback, undeploy), as pure functions of the current list.
#include "deploy/deployment.hpp"
#include "deploy/sysroot.hpp"

#include <vector>

namespace ot::deploy {

struct RetainPolicy {
  bool retain = false;           // --retain: keep every deployment
  bool retain_pending = false;   // keep those queued before the booted one
  bool retain_rollback = false;  // keep those after it
  bool not_as_default = false;   // --not-as-default: add after the booted one
};

// upstream's ostree_sysroot_simple_write_deployment: the new deployment
// first (or right after the booted/merge one), keeping other stateroots',
// pinned, booted and merge deployments and what `policy` asks to retain.
std::vector<Deployment> list_with_new_deployment(const Sysroot& sysroot, const Deployment& added,
                                                 const Deployment* merge, const RetainPolicy& policy);

// The list with deployment `index` first. Throws on an index out of range.
std::vector<Deployment> list_with_default(const Sysroot& sysroot, int index);
// The list without deployment `index`; the booted one cannot go.
std::vector<Deployment> list_without(const Sysroot& sysroot, int index);
// Boot the previous deployment next: when the booted (or, unbooted, the
// first) deployment is the default, the one after it moves to the front;
// when something newer is queued before the booted one, the booted one does.
std::vector<Deployment> list_for_rollback(const Sysroot& sysroot);

// Throws upstream's "Out of range deployment index N, expected < M".
void check_index(const Sysroot& sysroot, int index);

}  // namespace ot::deploy
