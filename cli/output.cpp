#include "cli/output.hpp"

#include <langinfo.h>
#include <unistd.h>

#include <cstring>

namespace ot::cli {

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when malformed
// (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t len;
  char32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// GLib's notion of a byte that may be shown verbatim in an escaped dump.
bool char_is_safe(unsigned char c) {
  return !((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
           (c >= 0x80 && c < 0xa0));
}

void write_all(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

}  // namespace

bool console_is_utf8() {
  const char* codeset = nl_langinfo(CODESET);
  return codeset != nullptr && std::strstr(codeset, "UTF-8") != nullptr;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string to_console(std::string_view utf8) {
  if (console_is_utf8()) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  if (!valid_utf8(utf8)) {
    out = "[Invalid UTF-8] ";
    for (std::size_t i = 0; i < utf8.size(); ++i) {
      const auto c = static_cast<unsigned char>(utf8[i]);
      const bool lone_cr = c == '\r' && (i + 1 >= utf8.size() || utf8[i + 1] != '\n');
      if (char_is_safe(c) && !lone_cr && c < 0x80) {
        out += static_cast<char>(c);
      } else {
        out += fmt::format("\\x{:02x}", c);
      }
    }
    return out;
  }
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t len = utf8_sequence_length(utf8, i);
    out += len == 1 ? utf8[i] : '?';
    i += len;
  }
  return out;
}

void print(std::string_view text) { write_all(stdout, to_console(text)); }

void printerr(std::string_view text) { write_all(stderr, to_console(text)); }

void print_error(std::string_view message) {
  // Upstream colours the prefix based on stdout, not stderr.
  const bool color = isatty(STDOUT_FILENO) == 1;
  printerr(fmt::format("{}{}error:{}{} {}\n", color ? "\x1b[31m" : "", color ? "\x1b[1m" : "",
                       color ? "\x1b[0m" : "", color ? "\x1b[22m" : "", message));
}

}  // namespace ot::cli
