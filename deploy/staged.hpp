#pragma once
// A staged deployment: checked out now, finalized (its /etc merged from the
// then-running system, then made the default) when the system shuts down,
// so /etc changes made in between are not lost. The plan lives in
// /run/ostree/staged-deployment, an a{sv} GVariant in upstream's format
// ("target" and "merge-deployment" are {name, osname, bootcsum}; "kargs" as),
// so either implementation can finalize what the other staged.
#include "deploy/deployment.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ot::deploy {

inline constexpr const char* kStagedStatePath = "/run/ostree/staged-deployment";

struct StagedState {
  Deployment target;                 // stateroot, csum, deployserial, bootcsum
  std::optional<Deployment> merge;   // same fields
  std::optional<std::vector<std::string>> kargs;
};

void write_staged_state(const StagedState& state);
// nullopt when nothing is staged; throws naming the file when it is corrupt.
std::optional<StagedState> read_staged_state();
void remove_staged_state();

}  // namespace ot::deploy
