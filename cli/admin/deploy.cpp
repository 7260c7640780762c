#include "base/error.hpp"
#include "base/keyfile.hpp"
#include "base/sys.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/admin/kargs_options.hpp"
#include "cli/admin/staging.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/deploy_tree.hpp"
#include "deploy/deployment_list.hpp"
#include "deploy/origin.hpp"

namespace {
using namespace ot::cli;

void run_deploy(Invocation& inv) {
  std::optional<std::string> os, origin_file, overlay_initrd;
  bool no_prune = false, no_merge = false, stage = false;
  ot::deploy::RetainPolicy retain;
  admin::KargsOptions kargs;
  std::vector<Option> options = {
      text("os", 0, os, "Use a different operating system root than the current one", "OSNAME"),
      path("origin-file", 0, origin_file, "Specify origin file", "FILENAME"),
      flag("no-prune", 0, no_prune, "Don't prune the repo when done"),
      flag("no-merge", 0, no_merge,
           "Do not apply configuration (/etc and kernel arguments) from booted deployment"),
      flag("retain", 0, retain.retain, "Do not delete previous deployments"),
      flag("stage", 0, stage, "Complete deployment at OS shutdown"),
      flag("retain-pending", 0, retain.retain_pending, "Do not delete pending deployments"),
      flag("retain-rollback", 0, retain.retain_rollback, "Do not delete rollback deployments"),
      flag("not-as-default", 0, retain.not_as_default, "Append rather than prepend new deployment"),
  };
  for (auto& o : kargs.options())
    options.push_back(std::move(o));
  options.push_back(path("overlay-initrd", 0, overlay_initrd, "Overlay iniramfs file", "FILE"));
  const auto args = inv.parse("REFSPEC", std::move(options), Scope::admin);
  if (args.empty())
    inv.usage_error("REFSPEC must be specified");
  if (overlay_initrd)
    throw ot::Error("--overlay-initrd is not supported");
  const std::string& refspec = args[0];

  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  if (stage && retain.not_as_default)
    throw ot::Error("--stage cannot currently be combined with --not-as-default");
  const std::string stateroot =
      ot::with_context("Looking for booted deployment", [&] { return sysroot.stateroot_or_booted(os); });

  ot::KeyFile origin = ot::deploy::origin_for_refspec(refspec);
  if (origin_file)
    origin = ot::deploy::without_comments(ot::KeyFile::parse(ot::sys::read_file_at(AT_FDCWD, *origin_file)));
  const std::string csum = ot::store::digest_hex(sysroot.repo().resolve_rev(refspec));
  const ot::deploy::Deployment* merge = no_merge ? nullptr : sysroot.merge_deployment(stateroot);

  const ot::deploy::DeployTreeOptions tree{
      .stateroot = stateroot, .csum = csum, .origin = origin, .merge = merge, .kargs = kargs.apply(merge)};
  if (stage) {
    admin::stage_deployment(sysroot, tree);
    return;
  }
  const auto deployed = ot::deploy::deploy_tree(sysroot, tree);
  admin::report_deployed(deployed, merge != nullptr);
  admin::commit_deployments(
      sysroot, ot::deploy::list_with_new_deployment(sysroot, deployed.deployment, merge, retain), no_prune);
}

const Registrar registrar{{.group = "admin",
                           .name = "deploy",
                           .description = "Checkout revision REFSPEC as the new default deployment",
                           .run = run_deploy,
                           .flags = CommandFlags::no_repo}};
}  // namespace
