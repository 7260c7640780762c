#include "cli/command.hpp"

#include <algorithm>
#include <deque>
#include <string>
#include <utility>

namespace ot::cli {

namespace {

// Upstream's listing order per group (ostree 2022.7 `--help` output). Users
// read these lists; keeping the order makes our help diff clean against theirs.
struct GroupOrder {
  std::string_view group;
  std::vector<std::string_view> names;
};

const std::vector<GroupOrder>& upstream_orders() {
  static const std::vector<GroupOrder> orders = {
      {"",
       {"admin", "cat", "checkout", "checksum", "commit", "config", "diff", "export",
        "find-remotes", "create-usb", "fsck", "gpg-sign", "init", "log", "ls", "prune",
        "pull-local", "pull", "refs", "remote", "reset", "rev-parse", "sign", "show",
        "static-delta", "summary"}},
      {"admin",
       {"cleanup", "config-diff", "deploy", "init-fs", "os-init", "pin", "set-origin", "status",
        "switch", "undeploy", "unlock", "upgrade", "kargs"}},
      {"remote",
       {"add", "delete", "show-url", "list", "gpg-import", "gpg-list-keys", "add-cookie",
        "delete-cookie", "list-cookies", "refs", "summary"}},
      {"static-delta",
       {"list", "show", "delete", "generate", "apply-offline", "verify", "indexes", "reindex"}},
      {"admin instutil", {"selinux-ensure-labeled", "set-kargs", "grub2-generate"}},
  };
  return orders;
}

std::size_t rank(std::string_view group, std::string_view name) {
  for (const GroupOrder& order : upstream_orders()) {
    if (order.group != group) continue;
    const auto it = std::find(order.names.begin(), order.names.end(), name);
    return static_cast<std::size_t>(it - order.names.begin());
  }
  return 0;
}

// A function-local static, so registrars in other translation units can run
// before or after this file's own static initialisation. A deque keeps the
// addresses handed out stable while registration appends.
std::deque<Command>& registry() {
  static std::deque<Command> commands;
  return commands;
}

}  // namespace

Registrar::Registrar(const Command& command) { registry().push_back(command); }

std::vector<const Command*> commands_in(std::string_view group) {
  std::vector<const Command*> out;
  for (const Command& c : registry()) {
    if (c.group == group) out.push_back(&c);
  }
  std::sort(out.begin(), out.end(), [group](const Command* a, const Command* b) {
    return std::pair(rank(group, a->name), a->name) < std::pair(rank(group, b->name), b->name);
  });
  return out;
}

const Command* find_command(std::string_view group, std::string_view name) {
  for (const Command& c : registry()) {
    if (c.group == group && c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace ot::cli
