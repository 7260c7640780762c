// `ostree admin`: the group; `--print-current-dir` prints the booted
// deployment's directory.
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"

namespace {
using namespace ot::cli;

void handle_print_current_dir(Invocation& inv) {
  if (!inv.print_current_dir())
    return;
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  const ot::deploy::Deployment* booted = sysroot.booted();
  if (!booted)
    throw ot::Error("Not currently booted into an OSTree system");
  print("{}/{}\n", sysroot.path(), booted->relpath());
  throw Exit{0};
}

void run_admin(Invocation& inv) {
  inv.dispatch({.parameters = "--print-current-dir|COMMAND",
                .name_width = 19,
                .scope = Scope::admin,
                .after_parse = handle_print_current_dir});
}

const Registrar registrar{{.name = "admin",
                           .description = "Commands for managing a host system booted with ostree",
                           .run = run_admin,
                           .flags = CommandFlags::no_repo}};
}  // namespace
