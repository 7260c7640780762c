#include "cli/admin/upgrade_flow.hpp"
#include "cli/command.hpp"

namespace {
using namespace ot::cli;

void run_switch(Invocation& inv) {
  admin::UpgradeRequest req;
  bool reboot = false;
  const auto args =
      inv.parse("REFSPEC",
                {flag("reboot", 'r', reboot, "Reboot after switching trees"),
                 text("os", 0, req.os, "Use a different operating system root than the current one", "OSNAME")},
                Scope::admin);
  if (args.empty())
    inv.usage_error("REFSPEC must be specified");
  req.new_refspec = args[0];
  admin::run_upgrade_flow(inv, req);
}

const Registrar registrar{{.group = "admin",
                           .name = "switch",
                           .description = "Construct new tree from REFSPEC and deploy it",
                           .run = run_switch,
                           .flags = CommandFlags::no_repo}};
}  // namespace
