#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/deployment_list.hpp"

namespace {
using namespace ot::cli;

void run_undeploy(Invocation& inv) {
  const auto args = inv.parse("INDEX", {}, Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  const int index = admin::parse_index(inv, args);
  auto lock = sysroot.lock();
  auto list = ot::deploy::list_without(sysroot, index);
  const std::string name = sysroot.deployments()[static_cast<size_t>(index)].dirname();
  admin::commit_deployments(sysroot, std::move(list));
  print("Deleted deployment {}\n", name);
}

const Registrar registrar{{.group = "admin",
                           .name = "undeploy",
                           .description = "Delete deployment INDEX",
                           .run = run_undeploy,
                           .flags = CommandFlags::no_repo}};
}  // namespace
