#pragma once
// The kernel-argument options `admin deploy`, `switch` and `upgrade` share
// with upstream: --karg, --karg-append, --karg-delete, --karg-proc-cmdline,
// --karg-none.
#include "cli/options.hpp"
#include "deploy/deployment.hpp"

#include <string>
#include <vector>

namespace ot::cli::admin {

struct KargsOptions {
  std::vector<std::string> replace;
  std::vector<std::string> append;
  std::vector<std::string> remove;
  bool proc_cmdline = false;
  bool none = false;

  std::vector<Option> options();
  // The new deployment's arguments: the merge deployment's (none without
  // one, or with --karg-none; /proc/cmdline's with --karg-proc-cmdline),
  // then --karg replacements, --karg-append and --karg-delete.
  std::string apply(const deploy::Deployment* merge) const;
};

}  // namespace ot::cli::admin
