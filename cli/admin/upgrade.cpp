#include "cli/admin/upgrade_flow.hpp"
#include "cli/command.hpp"

namespace {
using namespace ot::cli;

void run_upgrade(Invocation& inv) {
  admin::UpgradeRequest req;
  bool reboot = false;
  inv.parse("",
            {text("os", 0, req.os, "Use a different operating system root than the current one", "OSNAME"),
             flag("reboot", 'r', reboot, "Reboot after a successful upgrade"),
             flag("allow-downgrade", 0, req.allow_downgrade, "Permit deployment of chronologically older trees"),
             text("override-commit", 0, req.override_commit, "Deploy CHECKSUM instead of the latest tree", "CHECKSUM"),
             flag("pull-only", 0, req.pull_only, "Do not create a deployment, just download"),
             flag("deploy-only", 0, req.deploy_only, "Do not pull, only deploy"),
             flag("stage", 0, req.stage, "Enable staging (finalization at reboot time)")},
            Scope::admin);
  if (req.pull_only && req.deploy_only)
    inv.usage_error("Cannot simultaneously specify --pull-only and --deploy-only");
  if (req.pull_only && reboot)
    inv.usage_error("Cannot simultaneously specify --pull-only and --reboot");
  admin::run_upgrade_flow(inv, req);
}

const Registrar registrar{{.group = "admin",
                           .name = "upgrade",
                           .description = "Construct new tree from current origin and deploy it, if it changed",
                           .run = run_upgrade,
                           .flags = CommandFlags::no_repo}};
}  // namespace
