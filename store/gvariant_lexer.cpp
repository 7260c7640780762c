#include "store/gvariant_lexer.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ot::store::gv::lex {
namespace {

std::string span_text(Span s) {
  if (s.start == s.end) return std::to_string(s.start);
  return std::to_string(s.start) + "-" + std::to_string(s.end);
}

}  // namespace

void fail(Span at, const std::string& msg) { throw Error(span_text(at) + ":" + msg); }

void fail(Span at, Span other, const std::string& msg) {
  throw Error(span_text(at) + "," + std::to_string(other.start) + "-" + std::to_string(other.end) +
              ":" + msg);
}

// g_ascii_isspace(): a vertical tab is not white space to GLib.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_xdigit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool scan_type(std::string_view t, size_t& pos, int depth) {
  if (pos >= t.size() || depth > kMaxDepth) return false;
  char c = t[pos++];
  if (std::strchr("bynqiuxthdsogv*?r", c)) return true;
  if (c == 'a' || c == 'm') return scan_type(t, pos, depth + 1);
  if (c == '(') {
    while (pos < t.size() && t[pos] != ')')
      if (!scan_type(t, pos, depth + 1)) return false;
    return pos++ < t.size();
  }
  if (c == '{') {
    if (pos >= t.size() || !std::strchr("bynqiuxthdsog?", t[pos])) return false;
    pos++;
    if (!scan_type(t, pos, depth + 1)) return false;
    return pos < t.size() && t[pos++] == '}';
  }
  return false;
}

bool is_type_string(std::string_view t) {
  size_t pos = 0;
  return scan_type(t, pos) && pos == t.size();
}

std::vector<std::string_view> members(std::string_view t) {
  std::vector<std::string_view> out;
  size_t pos = 1;
  while (pos < t.size() - 1) {
    size_t start = pos;
    scan_type(t, pos);
    out.push_back(t.substr(start, pos - start));
  }
  return out;
}

size_t type_depth(std::string_view t) {
  switch (t[0]) {
    case 'a': case 'm': return 1 + type_depth(t.substr(1));
    case '(': {
      size_t deepest = 0;
      auto items = members(t);
      for (auto m : items) deepest = std::max(deepest, type_depth(m));
      return items.empty() ? 0 : 1 + deepest;
    }
    case '{': return 1 + type_depth(members(t)[1]);
    default: return 1;
  }
}

bool is_object_path(std::string_view s) {
  if (s.empty() || s[0] != '/') return false;
  if (s.size() == 1) return true;
  bool segment_empty = true;
  for (size_t i = 1; i < s.size(); i++) {
    if (s[i] == '/') {
      if (segment_empty) return false;
      segment_empty = true;
    } else if (is_alnum(s[i]) || s[i] == '_') {
      segment_empty = false;
    } else {
      return false;
    }
  }
  return !segment_empty;
}

bool is_signature(std::string_view s) {
  if (s.find_first_not_of("ybnqiuxthdvasog(){}") != std::string_view::npos) return false;
  size_t pos = 0;
  while (pos < s.size())
    if (!scan_type(s, pos)) return false;
  return true;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    size_t len;
    char32_t v;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c < 0xe0) { len = 2; v = c & 0x1f; }
    else if (c >= 0xe0 && c < 0xf0) { len = 3; v = c & 0x0f; }
    else if (c >= 0xf0 && c < 0xf5) { len = 4; v = c & 0x07; }
    else return false;
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; k++) {
      if ((uint8_t(s[i + k]) & 0xc0) != 0x80) return false;
      v = (v << 6) | (uint8_t(s[i + k]) & 0x3f);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10ffff ||
        (v >= 0xd800 && v < 0xe000))
      return false;
    i += len;
  }
  return true;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(char(c));
  } else if (c < 0x800) {
    out.push_back(char(0xc0 | (c >> 6)));
    out.push_back(char(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(char(0xe0 | (c >> 12)));
    out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(char(0x80 | (c & 0x3f)));
  } else {
    out.push_back(char(0xf0 | (c >> 18)));
    out.push_back(char(0x80 | ((c >> 12) & 0x3f)));
    out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(char(0x80 | (c & 0x3f)));
  }
}

void Tokens::prepare() {
  if (have_) return;
  have_ = true;
  while (pos_ < text_.size() && is_space(text_[pos_])) pos_++;
  this_ = pos_;
  if (pos_ == text_.size()) return;
  size_t end = pos_ + 1;
  char c = text_[pos_];
  // A quoted token ends after its closing quote; a backslash protects the
  // next byte. Unterminated, it runs to the end (the parser reports it).
  auto quoted_end = [&](size_t from, char quote) {
    size_t e = from;
    for (; e < text_.size(); e++) {
      if (text_[e] == quote) break;
      if (text_[e] == '\\' && ++e == text_.size()) break;
    }
    return e < text_.size() ? e + 1 : e;
  };
  if (is_digit(c) || c == '-' || c == '+' || c == '.') {
    while (end < text_.size() && (is_alnum(text_[end]) || std::strchr("-+.", text_[end]))) end++;
  } else if (c == 'b' && end < text_.size() && (text_[end] == '\'' || text_[end] == '"')) {
    end = quoted_end(pos_ + 2, text_[end]);
  } else if (c >= 'a' && c <= 'z') {
    while (end < text_.size() && is_alnum(text_[end])) end++;
  } else if (c == '\'' || c == '"') {
    end = quoted_end(pos_ + 1, c);
  } else if (c == '@' || c == '%') {
    int brackets = 0;
    for (; end < text_.size() && !std::strchr(",:>]", text_[end]) && !is_space(text_[end]); end++) {
      if (text_[end] == '(' || text_[end] == '{') brackets++;
      else if ((text_[end] == ')' || text_[end] == '}') && !brackets--) break;
    }
  }
  pos_ = end;
}

std::string_view Tokens::get() {
  prepare();
  return text_.substr(this_, pos_ - this_);
}

bool Tokens::is_numeric() {
  auto t = get();
  return !t.empty() && (is_digit(t[0]) || t[0] == '-' || t[0] == '+' || t[0] == '.');
}

bool Tokens::consume(std::string_view token) {
  if (get() != token) return false;
  next();
  return true;
}

void Tokens::require(std::string_view token, std::string_view purpose) {
  if (!consume(token)) error(false, "expected '" + std::string(token) + "'" + std::string(purpose));
}

void Tokens::error(bool this_token, const std::string& msg) {
  prepare();
  fail(Span{this_, this_token ? pos_ : this_}, msg);
}

size_t Tokens::token_start() {
  prepare();
  return this_;
}

size_t Tokens::rest_start() const {
  size_t p = pos_;
  while (p < text_.size() && is_space(text_[p])) p++;
  return p;
}

}  // namespace ot::store::gv::lex
