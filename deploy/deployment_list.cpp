#include "deploy/deployment_list.hpp"

#include "base/error.hpp"
#include "deploy/origin.hpp"

namespace ot::deploy {

namespace {

bool same(const Deployment& a, const Deployment* b) {
  return b != nullptr && a.stateroot == b->stateroot && a.csum == b->csum && a.deployserial == b->deployserial;
}

}  // namespace

void check_index(const Sysroot& sysroot, int index) {
  const auto n = static_cast<int>(sysroot.deployments().size());
  if (index < 0 || index >= n)
    throw Error("Out of range deployment index " + std::to_string(index) + ", expected < " + std::to_string(n));
}

std::vector<Deployment> list_with_new_deployment(const Sysroot& sysroot, const Deployment& added,
                                                 const Deployment* merge, const RetainPolicy& policy) {
  const Deployment* booted = sysroot.booted();
  bool retain = policy.retain;
  const bool retain_pending = retain || policy.retain_pending;
  const bool retain_rollback = retain || policy.retain_rollback;
  // Without a booted or merge deployment there is no pending/rollback
  // boundary: retaining either means retaining everything.
  if (!booted && !merge && (retain_pending || retain_rollback))
    retain = true;

  std::vector<Deployment> list;
  bool added_new = false;
  if (!policy.not_as_default) {
    list.push_back(added);
    added_new = true;
  }
  bool before_booted = true;
  bool before_merge = true;
  for (const Deployment& d : sysroot.deployments()) {
    const bool is_booted = same(d, booted);
    const bool is_merge = same(d, merge);
    if (is_booted)
      before_booted = false;
    if (is_merge)
      before_merge = false;
    // The booted deployment separates pending from rollback deployments;
    // unbooted, the merge deployment does.
    const bool passed_crossover = booted ? !before_booted : !before_merge;
    if (retain || is_pinned(d) || d.stateroot != added.stateroot || (retain_pending && !passed_crossover) ||
        is_booted || is_merge || (retain_rollback && passed_crossover))
      list.push_back(d);
    if (!added_new && passed_crossover) {
      list.push_back(added);
      added_new = true;
    }
  }
  if (!added_new)
    list.push_back(added);
  return list;
}

std::vector<Deployment> list_with_default(const Sysroot& sysroot, int index) {
  check_index(sysroot, index);
  std::vector<Deployment> list = sysroot.deployments();
  Deployment chosen = list[static_cast<size_t>(index)];
  list.erase(list.begin() + index);
  list.insert(list.begin(), std::move(chosen));
  return list;
}

std::vector<Deployment> list_without(const Sysroot& sysroot, int index) {
  check_index(sysroot, index);
  if (const Deployment* b = sysroot.booted(); b && b->index == index)
    throw Error("Cannot undeploy currently booted deployment " + std::to_string(index));
  std::vector<Deployment> list = sysroot.deployments();
  list.erase(list.begin() + index);
  return list;
}

std::vector<Deployment> list_for_rollback(const Sysroot& sysroot) {
  const auto& list = sysroot.deployments();
  const Deployment* booted = sysroot.booted();
  const int current = booted ? booted->index : 0;
  if (current > 0)
    return list_with_default(sysroot, current);
  if (list.size() < 2)
    throw Error("No rollback deployment: there is only " + std::to_string(list.size()) + " deployment");
  return list_with_default(sysroot, current + 1);
}

}  // namespace ot::deploy
