#pragma once
// The builtin registry. Each builtin file registers itself with a static
// Registrar, so adding a command is adding a file (cli/ links its sources
// into the executable directly, so no registrar is dropped by the linker):
//
//   namespace {
//   void run(ot::cli::Invocation& inv) { ... }
//   const ot::cli::Registrar registrar{{.name = "refs", .description = "List refs", .run = run}};
//   }
//
// Subcommands of a group name it: {.group = "admin", .name = "status", ...}.
// Listings follow upstream's order for the names upstream has; any other
// name comes after them, alphabetically.
#include <string_view>
#include <vector>

namespace ot::cli {

class Invocation;

enum class CommandFlags : unsigned {
  none = 0,
  no_repo = 1u << 0,   // takes no --repo (admin, checksum, remote and other groups)
  no_check = 1u << 1,  // --repo is not required to exist yet (init)
  hidden = 1u << 2,    // runnable but not listed
};
constexpr CommandFlags operator|(CommandFlags a, CommandFlags b) {
  return static_cast<CommandFlags>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(CommandFlags set, CommandFlags flag) {
  return (static_cast<unsigned>(set) & static_cast<unsigned>(flag)) != 0;
}

// A builtin's entry point. Errors are thrown as ot::Error; main prints
// "error: <message>" and exits 1.
using CommandFn = void (*)(Invocation&);

struct Command {
  std::string_view group = {};        // "" for top level; "admin", "remote", "admin instutil"...
  std::string_view name = {};         // as typed on the command line
  std::string_view description = {};  // one line, listed in the group's help and used as the
                                 // command's help summary
  CommandFn run = nullptr;
  CommandFlags flags = CommandFlags::none;
};

// Registers a command during static initialisation. The Command is copied;
// its strings must outlive the program (string literals do).
class Registrar {
public:
  explicit Registrar(const Command& command);
};

// The commands of a group in listing order (hidden ones included).
std::vector<const Command*> commands_in(std::string_view group);

// The command named name in group, or nullptr.
const Command* find_command(std::string_view group, std::string_view name);

}  // namespace ot::cli
