#pragma once
// One run of one command: its arguments, option parsing with upstream's
// global options, the repository it works on, and dispatch into subcommand
// groups. A builtin is "parse options, call one library function, print":
//
//   void run(ot::cli::Invocation& inv) {
//     bool force = false;
//     const auto args = inv.parse("[PREFIX]", {ot::cli::flag("force", 0, force, "...")});
//     auto repo = inv.open_repo([](const std::string& p) { return ot::store::Repo::open(p); });
//     ...
//   }
#include <cerrno>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"

namespace ot::cli {

// Thrown to end the program with status after output is complete (--help,
// --version); main() returns it without printing anything.
struct Exit {
  int status = 0;
};

// Which extra options every command of a family takes.
enum class Scope {
  plain,
  admin,  // admin subcommands: --sysroot=PATH and the hidden --print-current-dir first
};

// How Invocation::dispatch() finds and lists a group's subcommands.
struct GroupSpec {
  std::string_view parameters = "COMMAND";  // usage line, e.g. "--print-current-dir|COMMAND"
  int name_width = 18;                      // column where descriptions start in the list
  Scope scope = Scope::plain;
  // admin and remote stop looking for the subcommand at "--" and drop the
  // arguments after it; the top level and static-delta do not.
  bool stop_at_double_dash = true;
  // Runs after a successful group-level parse when no subcommand matched
  // (admin uses it for --print-current-dir); may throw Exit.
  std::function<void(class Invocation&)> after_parse = {};
};

class Invocation {
public:
  // prgname is the program name as shown in usage lines ("ostree refs");
  // args are the arguments after the command name.
  Invocation(std::string prgname, const Command& command, std::vector<std::string> args);

  const std::string& prgname() const { return prgname_; }
  const Command& command() const { return *command_; }
  // The arguments after the command name, before option parsing.
  const std::vector<std::string>& raw_args() const { return args_; }

  // Parses the arguments as upstream's ostree_option_context_parse does and
  // returns the positional ones (without program or command name):
  //  - options are --repo=PATH (unless the command is no_repo), then
  //    `options`, then -v/--verbose and --version; Scope::admin puts
  //    --sysroot and --print-current-dir first;
  //  - -h/--help prints the help to stdout and throws Exit{0}; --version
  //    prints the version block and throws Exit{0};
  //  - the first "--" left among the arguments is dropped;
  //  - for a command with a repository and no --repo, the default
  //    repository is looked up and, when absent, the help goes to stderr
  //    and Error("Command requires a --repo argument") is thrown.
  // `parameters` follows "[OPTION…]" in the usage line, e.g. "[PATH]".
  std::vector<std::string> parse(std::string_view parameters, std::vector<Option> options = {},
                                 Scope scope = Scope::plain);

  // Same, with extra text after the command's description in --help.
  std::vector<std::string> parse(std::string_view parameters, std::string_view summary,
                                 std::vector<Option> options, Scope scope);

  // The repository path (absolute), from --repo or the default lookup.
  // Only after parse() of a command that is not no_repo.
  const std::string& repo_path() const;
  bool repo_path_is_explicit() const { return repo_explicit_; }

  // Opens the repository with open(repo_path()). Open it right after
  // parse(): upstream reports a bad repository before any argument error.
  // When the path was defaulted and open fails with ENOENT, reports
  // "Command requires a --repo argument" (with help on stderr) as upstream.
  template <typename Open>
  auto open_repo(Open&& open) const -> decltype(open(std::string())) {
    try {
      return std::forward<Open>(open)(repo_path());
    } catch (const Error& e) {
      if (repo_explicit_ || e.errnum() != ENOENT) throw;
      throw_repo_required();
    }
  }

  // Resolves a repository path the way parse() does for --repo, for
  // commands that declare --repo themselves (remote subcommands, which also
  // take --sysroot). Records the result for repo_path().
  const std::string& resolve_repo(const std::optional<std::string>& explicit_path);

  // Prints this command's help to stderr and throws Error(message), as
  // upstream's ot_util_usage_error.
  [[noreturn]] void usage_error(std::string_view message) const;

  // The --help text of the last parse().
  std::string help() const;

  bool verbose() const { return verbose_; }
  // Scope::admin results: --sysroot as given, and --print-current-dir.
  const std::optional<std::string>& sysroot() const { return sysroot_; }
  bool print_current_dir() const { return print_current_dir_; }

  // Runs the subcommand named by the first non-option argument of this
  // (group) command, registered with .group equal to this command's path
  // ("admin", "admin instutil"). With no or an unknown subcommand, parses
  // the group's own options (so --help/--version work), prints the group's
  // usage with its subcommand list to stderr and throws upstream's error
  // ("No \"admin\" subcommand specified", "Unknown \"admin\" subcommand 'x'").
  void dispatch(const GroupSpec& spec = {});

  // Runs sub with args, as "<prgname> <sub.name>".
  void run_subcommand(const Command& sub, std::vector<std::string> args) const;

  // This command's path: "" for the top level, "admin", "admin instutil".
  std::string command_path() const;

  [[noreturn]] void throw_repo_required() const;

private:
  std::vector<std::string> parse_impl(std::string_view parameters, std::string_view summary,
                                      std::vector<Option> options, Scope scope, bool with_repo);

  std::string prgname_;
  const Command* command_;
  std::vector<std::string> args_;
  std::optional<OptionContext> context_;
  std::optional<std::string> repo_;
  bool repo_explicit_ = false;
  bool verbose_ = false;
  std::optional<std::string> sysroot_;
  bool print_current_dir_ = false;
  // Option targets of the entries parse() adds itself; members because the
  // stored context refers to them.
  std::optional<std::string> opt_repo_;
  std::optional<std::string> opt_sysroot_;
  bool opt_print_current_dir_ = false;
  bool opt_verbose_ = false;
  bool opt_version_ = false;
};

// True once any command parsed -v/--verbose (upstream turns on debug output
// process-wide).
bool verbose_enabled();

// The whole `ostree` program: finds the command in argv, runs it, prints an
// error as "error: <message>" and returns the exit status.
int run_main(int argc, char** argv);

}  // namespace ot::cli
