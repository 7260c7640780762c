// `admin kargs edit-in-place`: change the kernel arguments of every
// deployment without deploying anything new.
#include "boot/kernel_args.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"

namespace {
using namespace ot::cli;

void run_kargs(Invocation& inv) { inv.dispatch({.parameters = "COMMAND", .name_width = 19, .scope = Scope::admin}); }

void run_edit_in_place(Invocation& inv) {
  std::vector<std::string> append_if_missing;
  inv.parse("ARGS",
            {texts("append-if-missing", 0, append_if_missing, "Append kernel arguments if they do not exist",
                   "NAME=VALUE")},
            Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  sysroot.reload();
  std::vector<ot::deploy::Deployment> list = sysroot.deployments();
  for (ot::deploy::Deployment& d : list) {
    ot::boot::KernelArgs kargs = ot::boot::KernelArgs::parse(d.kargs);
    for (const std::string& arg : append_if_missing) {
      const std::string key = arg.substr(0, arg.find('='));
      if (!kargs.contains(key))
        kargs.append(arg);
    }
    d.kargs = kargs.to_string();
  }
  ot::deploy::write_deployments(sysroot, std::move(list));
}

const Registrar kargs{{.group = "admin",
                       .name = "kargs",
                       .description = "Change kernel arguments",
                       .run = run_kargs,
                       .flags = CommandFlags::no_repo}};
const Registrar edit_in_place{
    {.group = "admin kargs",
     .name = "edit-in-place",
     .description = "Set new kernel command line arguments in place (applies to all deployments by default)",
     .run = run_edit_in_place,
     .flags = CommandFlags::no_repo}};
}  // namespace
