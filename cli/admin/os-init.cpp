// `admin os-init` and its newer name `admin stateroot-init`.
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/init_fs.hpp"

namespace {
using namespace ot::cli;

void run_os_init(Invocation& inv) {
  const auto args = inv.parse("OSNAME", {}, Scope::admin);
  if (args.empty())
    inv.usage_error("OSNAME must be specified");
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  ot::deploy::init_stateroot(sysroot.dfd(), args[0]);
  print("ostree/deploy/{} initialized as OSTree root\n", args[0]);
}

const Registrar os_init{{.group = "admin",
                         .name = "os-init",
                         .description = "Initialize empty state for given operating system",
                         .run = run_os_init,
                         .flags = CommandFlags::no_repo}};
const Registrar stateroot_init{{.group = "admin",
                                .name = "stateroot-init",
                                .description = "Initialize empty state for given operating system",
                                .run = run_os_init,
                                .flags = CommandFlags::no_repo | CommandFlags::hidden}};
}  // namespace
