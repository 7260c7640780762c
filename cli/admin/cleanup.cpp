#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "deploy/cleanup.hpp"

namespace {
using namespace ot::cli;

void run_cleanup(Invocation& inv) {
  inv.parse("", {}, Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  ot::deploy::cleanup_sysroot(sysroot);
  ot::deploy::prune_sysroot_repo(sysroot);
}

const Registrar registrar{{.group = "admin",
                           .name = "cleanup",
                           .description = "Delete untagged deployments and repository objects",
                           .run = run_cleanup,
                           .flags = CommandFlags::no_repo}};
}  // namespace
