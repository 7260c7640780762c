// `admin set-default INDEX` (newer upstream) and `admin rollback` (ours):
// reorder the deployments so another one boots next.
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/deployment_list.hpp"

namespace {
using namespace ot::cli;

void run_set_default(Invocation& inv) {
  const auto args = inv.parse("INDEX", {}, Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  const int index = admin::parse_index(inv, args);
  auto lock = sysroot.lock();
  ot::deploy::check_index(sysroot, index);
  if (index == 0) {
    print("Deployment 0 is already the default\n");
    return;
  }
  admin::commit_deployments(sysroot, ot::deploy::list_with_default(sysroot, index));
}

void run_rollback(Invocation& inv) {
  inv.parse("", {}, Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  auto list = ot::deploy::list_for_rollback(sysroot);
  // Named as status names it: two stateroots may deploy the same commit.
  const std::string next = list.front().stateroot + " " + list.front().dirname();
  admin::commit_deployments(sysroot, std::move(list));
  print("Deployment {} is now the default\n", next);
}

const Registrar set_default{{.group = "admin",
                             .name = "set-default",
                             .description = "Set deployment INDEX to be the next boot default",
                             .run = run_set_default,
                             .flags = CommandFlags::no_repo}};
const Registrar rollback{{.group = "admin",
                          .name = "rollback",
                          .description = "Make the previous deployment the default",
                          .run = run_rollback,
                          .flags = CommandFlags::no_repo}};
}  // namespace
