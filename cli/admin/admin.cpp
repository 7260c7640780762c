// `ostree admin`: the group; `--print-current-dir` prints the booted
// deployment's directory.
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/repo_path.hpp"

namespace {
using namespace ot::cli;

// Upstream prints the default deployment's directory (the first one), as
// an absolute path, booted or not.
void handle_print_current_dir(Invocation& inv) {
  if (!inv.print_current_dir())
    return;
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  if (sysroot.deployments().empty())
    throw ot::Error("Unable to find a deployment in sysroot");
  std::string root = absolute_path(sysroot.path(), current_dir());
  if (!root.ends_with('/'))
    root += '/';
  print("{}{}\n", root, sysroot.deployments().front().relpath());
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
