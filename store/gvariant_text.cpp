// GVariant text output, as g_variant_print() writes it, and g_variant_byteswap().
// `ostree show --raw`, `--print-metadata-key` and `ls -X` print this way, and
// scripts compare that text, so every quote, escape and annotation matches.
#include "store/gvariant.hpp"
#include "store/gvariant_lexer.hpp"
#include "store/unicode_printable.hpp"

#include "base/error.hpp"

#include <charconv>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ot::store::gv {
namespace {

void print_into(const Value& v, bool annotate, std::string& out);

[[gnu::format(printf, 2, 3)]] void append_format(std::string& out, const char* fmt, ...) {
  char buf[64];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  out.append(buf, size_t(n));
}

// Decodes one UTF-8 sequence the way GLib's unchecked g_utf8_get_char() does,
// so even strings that are not valid UTF-8 print deterministically: a bad
// sequence yields 0xffffffff and advances by its lead byte's length.
char32_t next_char(std::string_view s, size_t& pos) {
  auto lead = uint8_t(s[pos]);
  size_t len;
  uint32_t value;
  if (lead < 0x80) { pos++; return lead; }
  if (lead < 0xc0 || lead >= 0xfe) { pos++; return 0xffffffffu; }
  if (lead < 0xe0) { len = 2; value = lead & 0x1f; }
  else if (lead < 0xf0) { len = 3; value = lead & 0x0f; }
  else if (lead < 0xf8) { len = 4; value = lead & 0x07; }
  else if (lead < 0xfc) { len = 5; value = lead & 0x03; }
  else { len = 6; value = lead & 0x01; }
  size_t avail = std::min(len, s.size() - pos);
  for (size_t i = 1; i < len; i++) {
    if (i >= avail || (uint8_t(s[pos + i]) & 0xc0) != 0x80) {
      pos += avail;
      return 0xffffffffu;
    }
    value = (value << 6) | (uint8_t(s[pos + i]) & 0x3f);
  }
  pos += len;
  return value;
}

// A string in single quotes, or double quotes when it holds a single quote;
// the chosen quote and backslashes are escaped, non-printables spelled out.
void print_string(std::string_view s, std::string& out) {
  char quote = s.find('\'') != std::string_view::npos ? '"' : '\'';
  out.push_back(quote);
  for (size_t pos = 0; pos < s.size();) {
    char32_t c = next_char(s, pos);
    if (c == char32_t(quote) || c == '\\') out.push_back('\\');
    if (is_printable_codepoint(c)) {
      lex::append_utf8(out, c);
      continue;
    }
    out.push_back('\\');
    switch (c) {
      case '\a': out.push_back('a'); break;
      case '\b': out.push_back('b'); break;
      case '\f': out.push_back('f'); break;
      case '\n': out.push_back('n'); break;
      case '\r': out.push_back('r'); break;
      case '\t': out.push_back('t'); break;
      case '\v': out.push_back('v'); break;
      default:
        if (c < 0x10000)
          append_format(out, "u%04x", unsigned(c));
        else
          append_format(out, "U%08x", unsigned(c));
    }
  }
  out.push_back(quote);
}

// b'...' for a byte array whose only NUL is its last byte, escaped as
// g_strescape() does (C escapes, octal for controls and bytes >= 0x7f).
bool print_bytestring(std::string_view bytes, std::string& out) {
  if (bytes.empty() || bytes.find('\0') != bytes.size() - 1) return false;
  bytes.remove_suffix(1);
  char quote = bytes.find('\'') != std::string_view::npos ? '"' : '\'';
  out.push_back('b');
  out.push_back(quote);
  for (char ch : bytes) {
    auto c = uint8_t(ch);
    switch (c) {
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (c < ' ' || c >= 0x7f)
          append_format(out, "\\%03o", unsigned(c));
        else
          out.push_back(char(c));
    }
  }
  out.push_back(quote);
  return true;
}

// "%.17g", plus ".0" when the result would otherwise read back as an integer.
void print_double(double d, std::string& out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 17);
  std::string_view s(buf, size_t(res.ptr - buf));
  out += s;
  if (s.find_first_of(".enN") == std::string_view::npos) out += ".0";
}

// Only the first element of an array carries annotations: the rest share its type.
void print_array(const Value& v, bool annotate, std::string& out) {
  std::string_view t = v.type;
  if (t == "ay") {
    const std::string& bytes = v.str();
    if (print_bytestring(bytes, out)) return;
    if (bytes.empty()) {
      if (annotate) out += "@ay ";
      out += "[]";
      return;
    }
    out += annotate ? "[byte " : "[";
    for (size_t i = 0; i < bytes.size(); i++)
      append_format(out, i ? ", 0x%02x" : "0x%02x", unsigned(uint8_t(bytes[i])));
    out += ']';
    return;
  }
  bool dict = t[1] == '{';
  auto& elems = v.children();
  if (elems.empty()) {
    if (annotate) out += "@" + v.type + " ";
    out += dict ? "{}" : "[]";
    return;
  }
  out += dict ? '{' : '[';
  for (size_t i = 0; i < elems.size(); i++) {
    if (i) out += ", ";
    if (dict) {
      print_into(elems[i][0], annotate, out);
      out += ": ";
      print_into(elems[i][1], annotate, out);
    } else {
      print_into(elems[i], annotate, out);
    }
    annotate = false;
  }
  out += dict ? '}' : ']';
}

void print_into(const Value& v, bool annotate, std::string& out) {
  switch (v.type.at(0)) {
    case 'm': {
      if (annotate) out += "@" + v.type + " ";
      auto& c = v.children();
      if (c.empty()) {
        out += "nothing";
        return;
      }
      // "just" is dropped unless the inner value itself ends in "nothing",
      // where leaving it out would change the meaning.
      std::string inner = print(c[0], false);
      if (inner.ends_with("nothing")) out += "just ";
      out += inner;
      return;
    }
    case 'a': print_array(v, annotate, out); return;
    case '(': {
      auto& c = v.children();
      out += '(';
      for (size_t i = 0; i < c.size(); i++) {
        if (i) out += ", ";
        print_into(c[i], annotate, out);
      }
      if (c.size() == 1) out += ',';
      out += ')';
      return;
    }
    case '{':
      out += '{';
      print_into(v[0], annotate, out);
      out += ", ";
      print_into(v[1], annotate, out);
      out += '}';
      return;
    case 'v':
      // A variant's content has no type from context: always annotated.
      out += '<';
      print_into(v[0], true, out);
      out += '>';
      return;
    case 'b': out += std::get<bool>(v.v) ? "true" : "false"; return;
    case 's': print_string(v.str(), out); return;
    case 'y':
      if (annotate) out += "byte ";
      append_format(out, "0x%02x", unsigned(std::get<uint8_t>(v.v)));
      return;
    case 'n':
      if (annotate) out += "int16 ";
      append_format(out, "%d", int(std::get<int16_t>(v.v)));
      return;
    case 'q':
      if (annotate) out += "uint16 ";
      append_format(out, "%u", unsigned(std::get<uint16_t>(v.v)));
      return;
    case 'i':  // the default integer type is never annotated
      append_format(out, "%" PRId32, std::get<int32_t>(v.v));
      return;
    case 'h':
      if (annotate) out += "handle ";
      append_format(out, "%" PRId32, std::get<int32_t>(v.v));
      return;
    case 'u':
      if (annotate) out += "uint32 ";
      append_format(out, "%" PRIu32, std::get<uint32_t>(v.v));
      return;
    case 'x':
      if (annotate) out += "int64 ";
      append_format(out, "%" PRId64, std::get<int64_t>(v.v));
      return;
    case 't':
      if (annotate) out += "uint64 ";
      append_format(out, "%" PRIu64, std::get<uint64_t>(v.v));
      return;
    case 'd': print_double(std::get<double>(v.v), out); return;
    case 'o':
    case 'g':
      // Object paths and signatures cannot hold quotes, so upstream prints them raw.
      if (annotate) out += v.type == "o" ? "objectpath " : "signature ";
      out += '\'';
      out += v.str();
      out += '\'';
      return;
  }
  throw Error("cannot print GVariant type " + v.type);
}

template <typename T>
T swapped(T x) {
  using U = std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>;
  U u;
  std::memcpy(&u, &x, sizeof u);
  if constexpr (sizeof(T) == 2) u = __builtin_bswap16(u);
  else if constexpr (sizeof(T) == 4) u = __builtin_bswap32(u);
  else u = __builtin_bswap64(u);
  std::memcpy(&x, &u, sizeof u);
  return x;
}

}  // namespace

std::string print(const Value& v, bool annotate) {
  std::string out;
  print_into(v, annotate, out);
  return out;
}

Value byteswap(const Value& v) {
  return std::visit(
      [&](const auto& x) -> Value {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Children>) {
          Children out;
          out.reserve(x.size());
          for (auto& c : x) out.push_back(byteswap(c));
          return Value{v.type, std::move(out)};
        } else if constexpr (std::is_arithmetic_v<T> && sizeof(T) > 1) {
          return Value{v.type, swapped(x)};
        } else {
          return v;  // booleans, bytes, strings and byte arrays have no byte order
        }
      },
      v.v);
}

}  // namespace ot::store::gv
