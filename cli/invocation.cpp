#include "cli/invocation.hpp"

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "cli/repo_path.hpp"
#include "cli/version.hpp"

namespace ot::cli {

namespace {

bool g_verbose = false;

constexpr std::string_view kRepoHelp =
    "Path to OSTree repository (defaults to current directory or /sysroot/ostree/repo)";

}  // namespace

bool verbose_enabled() { return g_verbose; }

Invocation::Invocation(std::string prgname, const Command& command, std::vector<std::string> args)
    : prgname_(std::move(prgname)), command_(&command), args_(std::move(args)) {}

std::vector<std::string> Invocation::parse(std::string_view parameters,
                                           std::vector<Option> options, Scope scope) {
  return parse(parameters, {}, std::move(options), scope);
}

std::vector<std::string> Invocation::parse(std::string_view parameters, std::string_view summary,
                                           std::vector<Option> options, Scope scope) {
  return parse_impl(parameters, summary, std::move(options), scope,
                    !has(command_->flags, CommandFlags::no_repo));
}

std::vector<std::string> Invocation::parse_impl(std::string_view parameters,
                                                std::string_view summary,
                                                std::vector<Option> options, Scope scope,
                                                bool with_repo) {
  OptionContext context{std::string(parameters)};
  // A group's subcommand list goes after the command's own description.
  const std::string_view description = command_->description;
  if (!description.empty() && !summary.empty()) {
    context.set_summary(fmt::format("{}\n\n{}", description, summary));
  } else {
    context.set_summary(std::string(description.empty() ? summary : description));
  }

  // Entries are listed in --help in the order added: upstream puts the
  // admin options first, then --repo, the command's own, and the globals.
  if (scope == Scope::admin) {
    context.add(flag("print-current-dir", 0, opt_print_current_dir_, "").hidden());
    context.add(ot::cli::path("sysroot", 0, opt_sysroot_, "Create a new OSTree sysroot at PATH", "PATH"));
  }
  if (with_repo) context.add(ot::cli::path("repo", 0, opt_repo_, std::string(kRepoHelp), "PATH"));
  context.add(std::move(options));
  context.add(flag("verbose", 'v', opt_verbose_, "Print debug information during command processing"));
  context.add(flag("version", 0, opt_version_, "Print version information and exit"));
  context_ = std::move(context);

  ParseResult result = context_->parse(args_);
  if (result.help_requested) {
    print(help());
    throw Exit{0};
  }
  // GOption keeps "--" when an argument after it starts with '-'; upstream
  // ostree then drops the first "--" in any case.
  if (const auto it = std::find(result.args.begin(), result.args.end(), "--");
      it != result.args.end()) {
    result.args.erase(it);
  }
  if (opt_version_) {
    print(version_text());
    throw Exit{0};
  }
  if (opt_verbose_) {
    verbose_ = true;
    g_verbose = true;
  }
  sysroot_ = opt_sysroot_;
  print_current_dir_ = opt_print_current_dir_;
  if (with_repo) resolve_repo(opt_repo_);
  return std::move(result.args);
}

const std::string& Invocation::repo_path() const {
  if (!repo_) throw Error("internal error: no repository resolved for this command");
  return *repo_;
}

const std::string& Invocation::resolve_repo(const std::optional<std::string>& explicit_path) {
  if (explicit_path) {
    // An empty --repo= stays empty so opening it fails rather than silently
    // meaning the current directory.
    repo_ = explicit_path->empty() ? std::string()
                                   : absolute_path(*explicit_path, current_dir());
    repo_explicit_ = true;
    return *repo_;
  }
  std::string path = default_repo_path(process_repo_environment());
  if (repo_missing(path)) throw_repo_required();
  repo_ = std::move(path);
  repo_explicit_ = false;
  return *repo_;
}

void Invocation::throw_repo_required() const {
  printerr(help());
  throw Error("Command requires a --repo argument");
}

void Invocation::usage_error(std::string_view message) const {
  // ot_util_usage_error prints the help with g_printerr("%s\n"), so one
  // blank line more than the help itself ends with.
  printerr(help() + "\n");
  throw Error(std::string(message));
}

std::string Invocation::help() const {
  if (!context_) return {};
  return context_->help(prgname_);
}

std::string Invocation::command_path() const {
  if (command_->group.empty()) return std::string(command_->name);
  return fmt::format("{} {}", command_->group, command_->name);
}

void Invocation::dispatch(const GroupSpec& spec) {
  const std::string group = command_path();

  // The first argument that does not start with '-' names the subcommand;
  // even an option's value can, as upstream scans before parsing options.
  std::optional<std::string> name;
  std::vector<std::string> rest;
  for (const std::string& arg : args_) {
    if (!arg.starts_with('-')) {
      if (!name) {
        name = arg;
        continue;
      }
    } else if (spec.stop_at_double_dash && arg == "--") {
      break;
    }
    rest.push_back(arg);
  }

  if (name) {
    if (const Command* sub = find_command(group, *name)) {
      run_subcommand(*sub, std::move(rest));
      return;
    }
  }

  // No subcommand: parse the group's own options so --help and --version
  // work, then report what is missing under the group's usage.
  std::string list = group.empty() ? std::string("Builtin Commands:")
                                   : fmt::format("Builtin \"{}\" Commands:", group);
  for (const Command* c : commands_in(group)) {
    if (has(c->flags, CommandFlags::hidden)) continue;
    list += fmt::format("\n  {:<{}}{}", c->name, spec.name_width, c->description);
  }
  args_ = std::move(rest);
  try {
    parse_impl(spec.parameters, list, {}, spec.scope, false);
    if (spec.after_parse) spec.after_parse(*this);
  } catch (const Error&) {
    printerr(help());
    throw;
  }
  printerr(help());
  if (group.empty()) {
    throw Error(name ? fmt::format("Unknown command '{}'", *name) : "No command specified");
  }
  throw Error(name ? fmt::format("Unknown \"{}\" subcommand '{}'", group, *name)
                   : fmt::format("No \"{}\" subcommand specified", group));
}

void Invocation::run_subcommand(const Command& sub, std::vector<std::string> args) const {
  Invocation inv(fmt::format("{} {}", prgname_, sub.name), sub, std::move(args));
  if (sub.run == nullptr) throw Error(fmt::format("internal error: command '{}' has no entry point", sub.name));
  sub.run(inv);
}

int run_main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  // The top level behaves as a group whose subcommands are the builtins.
  static const Command top{.flags = CommandFlags::no_repo};
  const std::string prgname = argc > 0 && argv[0] != nullptr ? argv[0] : "ostree";
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);

  int status = 0;
  try {
    Invocation inv(prgname, top, std::move(args));
    inv.dispatch(GroupSpec{.stop_at_double_dash = false});
  } catch (const Exit& e) {
    status = e.status;
  } catch (const Error& e) {
    // g_print flushes every line, so upstream's output always precedes its
    // final error even when both go to one pipe.
    std::fflush(stdout);
    print_error(e.what());
    status = 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    print_error(e.what());
    status = 1;
  }
  std::fflush(stdout);
  return status;
}

}  // namespace ot::cli
