// `admin kargs edit-in-place`: change the kernel arguments of every
// deployment without deploying anything new.
#include "base/error.hpp"
#include "boot/kernel_args.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "deploy/kargs_in_place.hpp"

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
  if (sysroot.deployments().empty())
    throw ot::Error("Unable to find a deployment in sysroot");
  ot::deploy::edit_kargs_in_place(sysroot, [&](const std::string& options) {
    ot::boot::KernelArgs kargs = ot::boot::KernelArgs::parse(options);
    for (const std::string& arg : append_if_missing)
      kargs.append_if_missing(arg);
    return kargs.to_string();
  });
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
