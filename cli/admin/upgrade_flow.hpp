#pragma once
// `admin upgrade` and `admin switch`: follow (or change) the merge
// deployment's origin, pull when it names a remote, and deploy the result
// with the merge deployment's /etc and kernel arguments.
#include "cli/invocation.hpp"

#include <optional>
#include <string>

namespace ot::cli::admin {

struct UpgradeRequest {
  std::optional<std::string> os;
  std::optional<std::string> new_refspec;     // switch: the new origin
  std::optional<std::string> override_commit; // deploy this commit instead of the ref's
  bool allow_downgrade = false;
  bool pull_only = false;
  bool deploy_only = false;
  bool stage = false;                          // finalize at shutdown
};

void run_upgrade_flow(const Invocation& inv, const UpgradeRequest& request);

}  // namespace ot::cli::admin
