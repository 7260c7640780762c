#pragma once
// What every `ostree admin` command shares: the sysroot from --sysroot
// (default /), and upstream's summary line after a deployment change.
#include "cli/invocation.hpp"
#include "deploy/deploy_tree.hpp"
#include "deploy/sysroot.hpp"
#include "deploy/write_deployments.hpp"

#include <vector>

namespace ot::cli::admin {

// Opens the sysroot named by --sysroot, or "/".
deploy::Sysroot open_sysroot(const Invocation& inv);

// Writes the new list, prints upstream's "Bootloader updated; ..." line,
// and prunes the repository unless no_prune.
void commit_deployments(deploy::Sysroot& sysroot, std::vector<deploy::Deployment> list, bool no_prune = false);

// What upstream tells about a new deployment: notes on content in the
// commit's /var, the first relabel of the stateroot's /var, and (merged
// from a previous deployment) "Copying /etc changes: ...".
void report_deployed(const deploy::DeployedTree& deployed, bool merged);

// Parses INDEX as upstream does (a non-negative decimal); usage error else.
int parse_index(const Invocation& inv, const std::vector<std::string>& args);

}  // namespace ot::cli::admin
