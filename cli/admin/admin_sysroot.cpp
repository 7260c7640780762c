#include "cli/admin/admin_sysroot.hpp"

#include "base/error.hpp"
#include "base/format_size.hpp"
#include "cli/output.hpp"
#include "deploy/cleanup.hpp"

#include <charconv>

namespace ot::cli::admin {

deploy::Sysroot open_sysroot(const Invocation& inv) {
  return deploy::Sysroot::open(inv.sysroot().value_or("/"));
}

void commit_deployments(deploy::Sysroot& sysroot, std::vector<deploy::Deployment> list, bool no_prune) {
  const deploy::WriteResult result = deploy::write_deployments(sysroot, std::move(list));
  print("{}\n", deploy::describe(result));
  if (!no_prune) {
    const store::PruneResult pruned = deploy::prune_sysroot_repo(sysroot);
    if (pruned.bytes_freed > 0)
      print("Freed objects: {}\n", format_size(pruned.bytes_freed));
  }
}

void report_deployed(const deploy::DeployedTree& deployed, bool merged) {
  for (const std::string& name : deployed.ignored_var_entries)
    printerr("note: Deploying commit {} which contains content in /var/{} that will be ignored.\n",
             deployed.deployment.csum, name);
  if (deployed.var_labeled)
    print("Relabeling /var (no stamp file 'var/.ostree-selabeled' found)\n");
  if (merged) {
    const auto& c = deployed.etc_changes;
    print("Copying /etc changes: {} modified, {} removed, {} added\n", c.modified.size(), c.removed.size(),
          c.added.size());
  }
}

int parse_index(const Invocation& inv, const std::vector<std::string>& args) {
  if (args.empty())
    inv.usage_error("INDEX must be specified");
  const std::string& s = args[0];
  int value = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < 0)
    throw Error("Invalid index: " + s);
  return value;
}

}  // namespace ot::cli::admin
