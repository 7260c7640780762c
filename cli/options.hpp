#pragma once
// Command-line options with GLib GOption semantics (GLib 2.74, which upstream
// ostree 2022.7 links): `--name=value`, `--name value`, `-x value`, clustered
// flags `-ab`, repeated array options, `--` ending options, options mixed with
// positional arguments, and the same error messages and `--help` layout.
// Scripts written against upstream parse our output and our errors, so the
// quirks are kept on purpose (e.g. `-bvalue` is *not* "-b value", and a flag
// given `--flag=anything` is simply set).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ot::cli {

// Called for a callback option with its name as typed ("--foo" or "-f") and
// its value (absent for no_arg options, or an optional_arg option given none).
// Throwing ot::Error reports the message as the parse error.
using OptionCallback =
    std::function<void(std::string_view option_name, std::optional<std::string_view> value)>;

// How an option argument is validated: text must be valid in the locale's
// charset (GOption's G_OPTION_ARG_STRING); a filename is taken as raw bytes.
enum class ArgEncoding { text, filename };

// One option entry (GOptionEntry). Build with the factories below.
struct Option {
  using Target = std::variant<bool*, std::optional<std::string>*, std::vector<std::string>*, int*,
                              std::int64_t*, double*, OptionCallback>;

  std::string long_name;
  char short_name = 0;
  Target target;
  std::string description;      // help text; may be empty
  std::string arg_description;  // e.g. "PATH", shown as --name=PATH
  ArgEncoding encoding = ArgEncoding::text;
  bool is_hidden = false;        // parsed but not listed in --help
  bool is_reverse = false;       // a flag that sets its bool to false
  bool takes_no_arg = false;     // callback without value
  bool takes_optional_arg = false;  // callback whose value may be absent

  // Modifiers, chainable on a factory result: flag(...).hidden()
  Option&& hidden() && { is_hidden = true; return std::move(*this); }
  Option&& reverse() && { is_reverse = true; return std::move(*this); }
  Option&& no_arg() && { takes_no_arg = true; return std::move(*this); }
  Option&& optional_arg() && { takes_optional_arg = true; return std::move(*this); }

  // True when the option never consumes a value (GOption's NO_ARG).
  bool is_no_arg() const;
};

// Boolean switch: present -> true (false with .reverse()).
Option flag(std::string long_name, char short_name, bool& target, std::string description);
// Single text value; the last occurrence wins.
Option text(std::string long_name, char short_name, std::optional<std::string>& target,
            std::string description, std::string arg_description);
// Single filename value (raw bytes, no charset check); the last occurrence wins.
Option path(std::string long_name, char short_name, std::optional<std::string>& target,
            std::string description, std::string arg_description);
// Repeatable text value; each occurrence is appended.
Option texts(std::string long_name, char short_name, std::vector<std::string>& target,
             std::string description, std::string arg_description);
// Repeatable filename value; each occurrence is appended.
Option paths(std::string long_name, char short_name, std::vector<std::string>& target,
             std::string description, std::string arg_description);
// C int, parsed like strtol(base 0): "10", "0x10", "010".
Option integer(std::string long_name, char short_name, int& target, std::string description,
               std::string arg_description);
// 64-bit integer, parsed like strtoll(base 0).
Option integer64(std::string long_name, char short_name, std::int64_t& target,
                 std::string description, std::string arg_description);
// Floating point, parsed in the C locale.
Option real(std::string long_name, char short_name, double& target, std::string description,
            std::string arg_description);
// Arbitrary handling; combine with .no_arg() or .optional_arg() as needed.
Option callback(std::string long_name, char short_name, OptionCallback fn,
                std::string description, std::string arg_description);

// The outcome of OptionContext::parse.
struct ParseResult {
  std::vector<std::string> args;  // remaining positional arguments, in order
  bool help_requested = false;    // -h, -?, --help or --help-all was reached
};

// An option table with its help texts (GOptionContext with a main group).
class OptionContext {
public:
  // parameter_string follows "[OPTION…]" in the usage line, e.g. "[PATH]".
  explicit OptionContext(std::string parameter_string = {});

  void set_summary(std::string summary) { summary_ = std::move(summary); }
  const std::string& summary() const { return summary_; }
  void set_description(std::string description) { description_ = std::move(description); }
  void add(Option option) { options_.push_back(std::move(option)); }
  void add(std::vector<Option> options);
  const std::vector<Option>& options() const { return options_; }

  // Parses args (argv without argv[0]) and stores values into the targets.
  // Stops at the first help option and reports it instead of printing, so the
  // caller decides where help goes. Throws ot::Error with GOption's message
  // ("Unknown option --foo", "Missing argument for -b", ...).
  ParseResult parse(const std::vector<std::string>& args) const;

  // The --help text, laid out exactly as g_option_context_get_help().
  std::string help(std::string_view prgname) const;

private:
  std::string parameter_string_;
  std::string summary_;
  std::string description_;
  std::vector<Option> options_;
};

// Display width of a UTF-8 string as GOption computes it for column alignment.
std::size_t display_width(std::string_view s);

}  // namespace ot::cli
