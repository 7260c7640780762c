#include "cli/admin/kargs_options.hpp"

#include "boot/kernel_args.hpp"

namespace ot::cli::admin {

std::vector<Option> KargsOptions::options() {
  return {
      flag("karg-proc-cmdline", 0, proc_cmdline, "Import current /proc/cmdline"),
      texts("karg", 0, replace,
            "Set kernel argument, like root=/dev/sda1; this overrides any earlier argument with the same name",
            "NAME=VALUE"),
      texts("karg-append", 0, append,
            "Append kernel argument; useful with e.g. console= that can be used multiple times", "NAME=VALUE"),
      flag("karg-none", 0, none, "Do not import kernel arguments"),
      texts("karg-delete", 0, remove, "Delete kernel argument if exists", "NAME=VALUE"),
  };
}

std::string KargsOptions::apply(const deploy::Deployment* merge) const {
  boot::KernelArgs kargs;
  if (proc_cmdline)
    kargs = boot::kernel_args_from_proc_cmdline();
  else if (merge && !none)
    kargs = boot::KernelArgs::parse(merge->kargs);
  for (const auto& k : replace)
    kargs.replace(k);
  for (const auto& k : append)
    kargs.append(k);
  for (const auto& k : remove)
    kargs.remove(k);
  return kargs.to_string();
}

}  // namespace ot::cli::admin
