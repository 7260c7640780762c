#pragma once
// Console output the way upstream ostree prints through g_print/g_printerr:
// text is UTF-8 inside the program and is converted to the locale's charset
// on the way out, so `LC_ALL=C ostree --help` shows "[OPTION?]" exactly as
// upstream does. Builtins print through these instead of std::cout/printf.
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace ot::cli {

// True when the current locale's charset is UTF-8 (after setlocale(LC_ALL, "")).
bool console_is_utf8();

// True when s is well-formed UTF-8.
bool valid_utf8(std::string_view s);

// Converts UTF-8 text for a console whose charset is not UTF-8 (treated as
// ASCII): other characters become '?', and text that is not UTF-8 at all is
// shown as "[Invalid UTF-8] " followed by \xNN escapes. Identity on UTF-8
// consoles.
std::string to_console(std::string_view utf8);

// Writes text to stdout / stderr, converted with to_console().
void print(std::string_view text);
void printerr(std::string_view text);

// fmt-style variants: print("{}\n", checksum).
template <typename A, typename... Args>
void print(fmt::format_string<A, Args...> format, A&& a, Args&&... args) {
  print(std::string_view(fmt::format(format, std::forward<A>(a), std::forward<Args>(args)...)));
}
template <typename A, typename... Args>
void printerr(fmt::format_string<A, Args...> format, A&& a, Args&&... args) {
  printerr(
      std::string_view(fmt::format(format, std::forward<A>(a), std::forward<Args>(args)...)));
}

// Prints "error: <message>\n" to stderr, with "error:" in bold red when
// stdout is a terminal, as upstream's main() does.
void print_error(std::string_view message);

}  // namespace ot::cli
