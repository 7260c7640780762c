#include "cli/command.hpp"
#include "cli/invocation.hpp"
#include "deploy/init_fs.hpp"

namespace {
using namespace ot::cli;

void run_init_fs(Invocation& inv) {
  bool modern = false;
  const auto args = inv.parse("PATH", {flag("modern", 0, modern, "Only create /boot and /ostree")}, Scope::admin);
  if (args.empty())
    inv.usage_error("PATH must be specified");
  ot::deploy::init_fs(args[0], modern);
}

const Registrar registrar{{.group = "admin",
                           .name = "init-fs",
                           .description = "Initialize a root filesystem",
                           .run = run_init_fs,
                           .flags = CommandFlags::no_repo}};
}  // namespace
