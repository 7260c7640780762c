#include "cli/options.hpp"

#include <cerrno>
#include <clocale>
#include <climits>
#include <cstdlib>
#include <locale.h>

#include <fmt/format.h>

#include "base/error.hpp"
#include "cli/output.hpp"

namespace ot::cli {

namespace {

Option make(std::string long_name, char short_name, Option::Target target,
            std::string description, std::string arg_description,
            ArgEncoding encoding = ArgEncoding::text) {
  Option o;
  o.long_name = std::move(long_name);
  o.short_name = short_name;
  o.target = std::move(target);
  o.description = std::move(description);
  o.arg_description = std::move(arg_description);
  o.encoding = encoding;
  return o;
}

// GOption checks text arguments by converting them from the locale charset
// to UTF-8; the failure message is g_convert's.
void check_text(const Option& option, std::string_view value) {
  if (option.encoding == ArgEncoding::filename) return;
  bool ok;
  if (console_is_utf8()) {
    ok = valid_utf8(value);
  } else {
    ok = true;
    for (unsigned char c : value) ok = ok && c < 0x80;
  }
  if (!ok) throw Error("Invalid byte sequence in conversion input");
}

int parse_int(std::string_view option_name, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 0);
  if (value.empty() || *end != '\0') {
    throw Error(fmt::format("Cannot parse integer value \u201c{}\u201d for {}", value, option_name));
  }
  if (v < INT_MIN || v > INT_MAX || errno == ERANGE) {
    throw Error(fmt::format("Integer value \u201c{}\u201d for {} out of range", value, option_name));
  }
  return static_cast<int>(v);
}

std::int64_t parse_int64(std::string_view option_name, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(value.c_str(), &end, 0);
  if (value.empty() || *end != '\0') {
    throw Error(fmt::format("Cannot parse integer value \u201c{}\u201d for {}", value, option_name));
  }
  if (errno == ERANGE) {
    throw Error(fmt::format("Integer value \u201c{}\u201d for {} out of range", value, option_name));
  }
  return v;
}

double parse_double(std::string_view option_name, const std::string& value) {
  // g_strtod ignores the locale's decimal separator; so do we.
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", nullptr);
  errno = 0;
  char* end = nullptr;
  const double v = strtod_l(value.c_str(), &end, c_locale);
  if (value.empty() || *end != '\0') {
    throw Error(fmt::format("Cannot parse double value \u201c{}\u201d for {}", value, option_name));
  }
  if (errno == ERANGE) {
    throw Error(fmt::format("Double value \u201c{}\u201d for {} out of range", value, option_name));
  }
  return v;
}

// Stores one occurrence of option (GOption's parse_arg). stale_error
// receives a conversion error GOption records without failing.
void apply(const Option& option, std::string_view option_name,
           std::optional<std::string_view> value, std::optional<std::string>& stale_error) {
  struct Visitor {
    const Option& option;
    std::string_view option_name;
    std::optional<std::string_view> value;
    std::optional<std::string>& stale_error;

    void operator()(bool* target) const { *target = !option.is_reverse; }
    void operator()(std::optional<std::string>* target) const {
      check_text(option, *value);
      *target = std::string(*value);
    }
    void operator()(std::vector<std::string>* target) const {
      check_text(option, *value);
      target->emplace_back(*value);
    }
    void operator()(int* target) const { *target = parse_int(option_name, std::string(*value)); }
    void operator()(std::int64_t* target) const {
      *target = parse_int64(option_name, std::string(*value));
    }
    void operator()(double* target) const {
      *target = parse_double(option_name, std::string(*value));
    }
    void operator()(const OptionCallback& fn) const {
      std::optional<std::string_view> v = option.takes_no_arg ? std::nullopt : value;
      if (v) {
        try {
          check_text(option, *v);
        } catch (const Error& e) {
          // GOption hands an optional-value callback no value when the
          // conversion fails, and leaves the conversion error pending.
          if (!option.takes_optional_arg) throw;
          stale_error = e.what();
          v.reset();
        }
      }
      fn(option_name, v);
    }
  };
  std::visit(Visitor{option, option_name, value, stale_error}, option.target);
}

// One run of the GOption parse loop over a fixed argument vector.
class Parser {
public:
  Parser(const std::vector<Option>& options, const std::vector<std::string>& args)
      : options_(options), args_(args), consumed_(args.size(), false) {
    for (const Option& o : options_) has_h_entry_ = has_h_entry_ || o.short_name == 'h';
  }

  ParseResult run() {
    try {
      return run_loop();
    } catch (const Error& e) {
      // A later failure cannot replace an error GOption already recorded
      // (GLib keeps the first GError), so that first message is reported.
      if (stale_error_) throw Error(*stale_error_);
      throw;
    }
  }

private:
  void apply_(const Option& option, std::string_view option_name,
              std::optional<std::string_view> value) {
    apply(option, option_name, value, stale_error_);
  }

  ParseResult run_loop() {
    ParseResult result;
    bool stop_parsing = false;
    std::optional<std::size_t> separator;
    for (std::size_t i = 0; i < args_.size(); ++i) {
      const std::string& arg = args_[i];
      if (arg.size() > 1 && arg[0] == '-' && !stop_parsing) {
        if (arg[1] == '-') {
          const std::string_view name = std::string_view(arg).substr(2);
          if (name.empty()) {  // "--" ends the options
            separator = i;
            stop_parsing = true;
            continue;
          }
          // With no option groups, --help-all prints the same as --help.
          if (name == "help" || name == "help-all") {
            result.help_requested = true;
            return result;
          }
          if (!parse_long(i, name)) throw Error(fmt::format("Unknown option {}", arg));
        } else {
          std::size_t new_i = i;
          for (std::size_t j = 1; j < arg.size(); ++j) {
            const char c = arg[j];
            if (c == '?' || (c == 'h' && !has_h_entry_)) {
              result.help_requested = true;
              return result;
            }
            if (!parse_short(i, new_i, c)) throw Error(fmt::format("Unknown option {}", arg));
          }
          consumed_[i] = true;
          i = new_i;
        }
      } else if (arg.starts_with('-')) {
        // GOption keeps "--" when something after it still looks like an option.
        separator.reset();
      }
    }
    if (separator) consumed_[*separator] = true;
    for (std::size_t i = 0; i < args_.size(); ++i) {
      if (!consumed_[i]) result.args.push_back(args_[i]);
    }
    return result;
  }

  bool parse_long(std::size_t& i, std::string_view name) {
    for (const Option& option : options_) {
      const std::string& long_name = option.long_name;
      if (option.is_no_arg() && name == long_name) {
        consumed_[i] = true;
        apply_(option, "--" + long_name, std::nullopt);
        return true;
      }
      if (!name.starts_with(long_name) ||
          (name.size() != long_name.size() && name[long_name.size()] != '=')) {
        continue;
      }
      consumed_[i] = true;
      const std::string option_name = "--" + long_name;
      std::optional<std::string_view> value;
      if (name.size() > long_name.size()) {
        value = name.substr(long_name.size() + 1);
      } else if (i + 1 < args_.size()) {
        if (option.takes_optional_arg && args_[i + 1].starts_with('-')) {
          apply_(option, option_name, std::nullopt);
          return true;
        }
        value = args_[++i];
        consumed_[i] = true;
      } else if (option.takes_optional_arg) {
        apply_(option, option_name, std::nullopt);
        return true;
      } else {
        throw Error(fmt::format("Missing argument for {}", option_name));
      }
      apply_(option, option_name, value);
      return true;
    }
    return false;
  }

  // A value-taking short option consumes the next argument, never the rest
  // of its own cluster, and only one per cluster may do so.
  bool parse_short(std::size_t i, std::size_t& new_i, char c) {
    bool parsed = false;
    for (const Option& option : options_) {
      if (option.short_name == 0 || option.short_name != c) continue;
      const std::string option_name = fmt::format("-{}", c);
      std::optional<std::string_view> value;
      if (!option.is_no_arg()) {
        if (new_i > i) throw Error(fmt::format("Error parsing option {}", option_name));
        if (i + 1 < args_.size()) {
          if (!(option.takes_optional_arg && args_[i + 1].starts_with('-'))) {
            value = args_[i + 1];
            consumed_[i + 1] = true;
            new_i = i + 1;
          }
        } else if (!option.takes_optional_arg) {
          throw Error(fmt::format("Missing argument for {}", option_name));
        }
      }
      apply_(option, option_name, value);
      parsed = true;
    }
    return parsed;
  }

  const std::vector<Option>& options_;
  const std::vector<std::string>& args_;
  std::vector<bool> consumed_;
  bool has_h_entry_ = false;
  std::optional<std::string> stale_error_;
};

// Width of a code point the way GOption counts it: combining marks take no
// column, East Asian wide characters two, everything else one.
int codepoint_width(char32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || cp == 0x200B || (cp >= 0x20D0 && cp <= 0x20FF) ||
      (cp >= 0xFE20 && cp <= 0xFE2F)) {
    return 0;
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

// Appends one "  -x, --name=ARG    description" line (GOption's print_entry).
void append_entry(std::string& out, const Option& option, char short_name, std::size_t max_length) {
  if (option.is_hidden || option.long_name.empty()) return;
  std::string head = short_name != 0 ? fmt::format("  -{}, --{}", short_name, option.long_name)
                                     : fmt::format("  --{}", option.long_name);
  if (!option.arg_description.empty()) head += "=" + option.arg_description;
  const long pad = static_cast<long>(max_length + 4) - static_cast<long>(display_width(head));
  // printf("%*s", negative, "") pads to the absolute width; keep that quirk.
  out += head;
  out.append(static_cast<std::size_t>(pad < 0 ? -pad : pad), ' ');
  out += ' ';
  out += option.description;
  out += '\n';
}

}  // namespace

bool Option::is_no_arg() const {
  return std::holds_alternative<bool*>(target) ||
         (std::holds_alternative<OptionCallback>(target) && takes_no_arg);
}

Option flag(std::string long_name, char short_name, bool& target, std::string description) {
  return make(std::move(long_name), short_name, &target, std::move(description), {});
}

Option text(std::string long_name, char short_name, std::optional<std::string>& target,
            std::string description, std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description));
}

Option path(std::string long_name, char short_name, std::optional<std::string>& target,
            std::string description, std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description), ArgEncoding::filename);
}

Option texts(std::string long_name, char short_name, std::vector<std::string>& target,
             std::string description, std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description));
}

Option paths(std::string long_name, char short_name, std::vector<std::string>& target,
             std::string description, std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description), ArgEncoding::filename);
}

Option integer(std::string long_name, char short_name, int& target, std::string description,
               std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description));
}

Option integer64(std::string long_name, char short_name, std::int64_t& target,
                 std::string description, std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description));
}

Option real(std::string long_name, char short_name, double& target, std::string description,
            std::string arg_description) {
  return make(std::move(long_name), short_name, &target, std::move(description),
              std::move(arg_description));
}

Option callback(std::string long_name, char short_name, OptionCallback fn,
                std::string description, std::string arg_description) {
  return make(std::move(long_name), short_name, std::move(fn), std::move(description),
              std::move(arg_description));
}

OptionContext::OptionContext(std::string parameter_string)
    : parameter_string_(std::move(parameter_string)) {}

void OptionContext::add(std::vector<Option> options) {
  for (Option& o : options) options_.push_back(std::move(o));
}

ParseResult OptionContext::parse(const std::vector<std::string>& args) const {
  return Parser(options_, args).run();
}

std::string OptionContext::help(std::string_view prgname) const {
  std::string out = fmt::format("Usage:\n  {} [OPTION\u2026]", prgname);
  if (!parameter_string_.empty()) out += " " + parameter_string_;
  out += "\n\n";
  if (!summary_.empty()) out += summary_ + "\n\n";

  // A short name already used by an earlier entry is not shown again.
  std::vector<char> shown_short(options_.size(), 0);
  bool seen[256] = {};
  for (std::size_t i = 0; i < options_.size(); ++i) {
    const auto c = static_cast<unsigned char>(options_[i].short_name);
    if (!seen[c]) shown_short[i] = options_[i].short_name;
    seen[c] = true;
  }

  std::size_t max_length = display_width("-?, --help");
  for (std::size_t i = 0; i < options_.size(); ++i) {
    const Option& o = options_[i];
    if (o.is_hidden) continue;
    std::size_t len = display_width(o.long_name);
    if (shown_short[i] != 0) len += 4;
    if (!o.is_no_arg() && !o.arg_description.empty()) {
      len += 1 + display_width(o.arg_description);
    }
    max_length = std::max(max_length, len);
  }
  max_length += 4;

  bool has_h_entry = false;
  for (const Option& o : options_) has_h_entry = has_h_entry || o.short_name == 'h';
  out += fmt::format("Help Options:\n  -{}, --{:<{}} {}\n\n", has_h_entry ? '?' : 'h', "help",
                     max_length - 4, "Show help options");

  bool any_visible = false;
  for (const Option& o : options_) any_visible = any_visible || (!o.is_hidden && !o.long_name.empty());
  if (any_visible) {
    out += "Application Options:\n";
    for (std::size_t i = 0; i < options_.size(); ++i) {
      append_entry(out, options_[i], shown_short[i], max_length);
    }
    out += "\n";
  }
  if (!description_.empty()) out += description_ + "\n";
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (i + len > s.size()) len = s.size() - i;
    char32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    width += static_cast<std::size_t>(codepoint_width(cp));
    i += len;
  }
  return width;
}

}  // namespace ot::cli
