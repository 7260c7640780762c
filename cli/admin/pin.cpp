#include "base/error.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/deployment_list.hpp"
#include "deploy/origin.hpp"

namespace {
using namespace ot::cli;

void run_pin(Invocation& inv) {
  bool unpin = false;
  const auto args = inv.parse("INDEX", {flag("unpin", 'u', unpin, "Unset pin")}, Scope::admin);
  if (args.empty())
    inv.usage_error("INDEX must be specified");
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  auto lock = sysroot.lock();
  for (const std::string& arg : args) {
    const int index = admin::parse_index(inv, {arg});
    ot::deploy::check_index(sysroot, index);
    const ot::deploy::Deployment& d = sysroot.deployments()[static_cast<size_t>(index)];
    const bool pinned = ot::deploy::is_pinned(d);
    if (pinned == !unpin) {
      print("Deployment {} is already {}\n", index, unpin ? "unpinned" : "pinned");
      continue;
    }
    ot::KeyFile origin = ot::deploy::without_comments(d.origin);
    ot::deploy::set_pinned(origin, !unpin);
    ot::deploy::write_origin(sysroot.dfd(), d, origin);
    print("Deployment {} is now {}\n", index, unpin ? "unpinned" : "pinned");
  }
}

const Registrar registrar{{.group = "admin",
                           .name = "pin",
                           .description = "Change the \"pinning\" state of a deployment",
                           .run = run_pin,
                           .flags = CommandFlags::no_repo}};
}  // namespace
