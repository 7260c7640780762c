// `ostree admin config-diff [--os=OSNAME]`: what the administrator changed in
// a deployment's /etc relative to the defaults in its /usr/etc, one
// "M|D|A    path" line each, in upstream's order.
#include "base/error.hpp"
#include "base/sys.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/etc_diff.hpp"

namespace {
using namespace ot::cli;

void run_config_diff(Invocation& inv) {
  std::optional<std::string> os;
  inv.parse("", {text("os", 0, os, "Use a different operating system root than the current one", "OSNAME")},
            Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  // As upstream: the running system's /etc, or with --os the deployment the
  // next deploy of that stateroot would merge from.
  const ot::deploy::Deployment* deployment = nullptr;
  if (os) {
    deployment = sysroot.merge_deployment(*os);
    if (!deployment)
      throw ot::Error("No deployment for OS '" + *os + "'");
  } else {
    deployment = sysroot.booted();
    if (!deployment)
      throw ot::Error("Not currently booted into an OSTree system and no --os= argument given");
  }
  auto dfd = ot::sys::open_dir(sysroot.dfd(), deployment->relpath());
  for (const auto& line : ot::deploy::config_diff_lines(dfd.get()))
    print("{}", line);
}

const Registrar registrar{{.group = "admin",
                           .name = "config-diff",
                           .description = "Diff current /etc configuration versus default",
                           .run = run_config_diff,
                           .flags = CommandFlags::no_repo}};
}  // namespace
