// `admin finalize-staged`, run by ostree-finalize-staged.service at shutdown:
// merge the running system's /etc into the staged deployment and make it
// the default. Also `admin deploy --stage`'s half.
#include "base/error.hpp"
#include "boot/kernel_args.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/admin/staging.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/cleanup.hpp"
#include "deploy/deployment_list.hpp"
#include "deploy/staged.hpp"

namespace ot::cli::admin {

void stage_deployment(deploy::Sysroot& sysroot, const deploy::DeployTreeOptions& tree) {
  if (!sysroot.booted())
    throw Error("Cannot stage deployment: Not currently booted into an OSTree system");
  const deploy::Deployment d = deploy::initialize_deployment(sysroot, tree, /*etc_defaults=*/true);
  deploy::StagedState state;
  state.target = d;
  if (tree.merge)
    state.merge = *tree.merge;
  state.kargs = boot::KernelArgs::parse(tree.kargs).to_list();
  const deploy::Deployment* previous = sysroot.staged();
  const std::string previous_path = previous ? previous->relpath() : std::string();
  deploy::write_staged_state(state);
  if (!previous_path.empty() && previous_path != d.relpath()) {
    ::unlinkat(sysroot.dfd(), (previous_path + ".origin").c_str(), 0);
    deploy::remove_deployment_dir(sysroot.dfd(), previous_path);
  }
  sysroot.reload();
  deploy::cleanup_sysroot(sysroot);
}

}  // namespace ot::cli::admin

namespace {
using namespace ot::cli;

void run_finalize_staged(Invocation& inv) {
  inv.parse("", {}, Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  const auto& state = sysroot.staged_state();
  if (!state) {
    print("No deployment staged for finalization\n");
    return;
  }
  const ot::deploy::Deployment* merge = nullptr;
  if (state->merge) {
    for (const auto& d : sysroot.deployments())
      if (!d.staged && d.csum == state->merge->csum && d.deployserial == state->merge->deployserial)
        merge = &d;
    if (!merge)
      throw ot::Error("Failed to find merge deployment " + state->merge->dirname() + " for staged");
  }
  ot::deploy::Deployment target = *sysroot.staged();
  target.staged = false;
  if (state->kargs) {
    ot::boot::KernelArgs kargs;
    for (const auto& k : *state->kargs)
      kargs.append(k);
    target.kargs = kargs.to_string();
  } else if (merge) {
    target.kargs = merge->kargs;
  }
  // Dropped first: interrupted after this, the system boots what it booted.
  ot::deploy::remove_staged_state();
  const auto deployed = ot::deploy::finalize_deployment(sysroot, target, merge);
  auto list = ot::deploy::list_with_new_deployment(sysroot, deployed.deployment, merge, {});
  const auto result = ot::deploy::write_deployments(sysroot, std::move(list));
  print("{}\n", ot::deploy::describe(result));
}

const Registrar registrar{{.group = "admin",
                           .name = "finalize-staged",
                           .description = "Internal command to run at shutdown time",
                           .run = run_finalize_staged,
                           .flags = CommandFlags::no_repo | CommandFlags::hidden}};
}  // namespace
