#pragma once
// The lexical layer of the GVariant text format, shared by the parser: GLib's
// tokenizer, its error positions, and the checks on type strings, object
// paths, signatures and UTF-8. Internal to store/.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store::gv::lex {

// GLib's G_VARIANT_MAX_RECURSION_DEPTH: deeper text is refused by upstream too.
inline constexpr int kMaxDepth = 128;

// Byte offsets into the parsed text, end exclusive.
struct Span {
  size_t start = 0, end = 0;
};

// Throws ot::Error "START[-END]:msg", g_variant_parse()'s message format.
[[noreturn]] void fail(Span at, const std::string& msg);
// Two places: "S1-E1,S2-E2:msg" (a conflict between two values).
[[noreturn]] void fail(Span at, Span other, const std::string& msg);

bool is_space(char c);
bool is_digit(char c);
bool is_alpha(char c);
bool is_alnum(char c);
bool is_xdigit(char c);

// Scans one complete type string at pos, accepting GLib's indefinite types
// ('*', '?', 'r') so a declaration can be told "invalid" from "not definite".
bool scan_type(std::string_view t, size_t& pos, int depth = 0);
bool is_type_string(std::string_view t);
// Nesting depth of a valid type string as GLib counts it: a leaf is 1, a
// container 1 more than its deepest member (a dict entry counts its value
// only), and the empty tuple 0.
size_t type_depth(std::string_view t);
// Member types of a definite tuple or dict entry type.
std::vector<std::string_view> members(std::string_view t);
bool is_object_path(std::string_view s);
// D-Bus signatures: zero or more complete definite types without maybes.
bool is_signature(std::string_view s);
// Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool is_valid_utf8(std::string_view s);
void append_utf8(std::string& out, char32_t c);

// Splits text into upstream's tokens: numbers and words run over
// alphanumerics, quoted strings run to their closing quote, "@type" runs to
// a separator or an unmatched closing bracket, anything else is one byte.
// Text ends at its first NUL, as a C string would.
class Tokens {
public:
  explicit Tokens(std::string_view text) : text_(text.substr(0, text.find('\0'))) {}

  // The current token (found on first use); empty at the end of input.
  std::string_view get();
  // Moves past the current token.
  void next() { have_ = false; }

  bool peek(char c) { return !get().empty() && get()[0] == c; }
  bool peek2(char a, char b) { return get().size() >= 2 && get()[0] == a && get()[1] == b; }
  bool is_keyword() { return get().size() >= 2 && is_alpha(get()[0]) && is_alpha(get()[1]); }
  bool is_numeric();
  // Moves past the current token if it is exactly `token`.
  bool consume(std::string_view token);
  // consume() or fail with "expected 'TOKEN'PURPOSE".
  void require(std::string_view token, std::string_view purpose);
  // Fails at the current token's start; with this_token, over its extent.
  [[noreturn]] void error(bool this_token, const std::string& msg);

  size_t token_start();
  // End of the last token looked at.
  size_t stream_pos() const { return pos_; }
  // Where non-space input resumes after the last token; size() at the end.
  size_t rest_start() const;
  size_t size() const { return text_.size(); }

private:
  void prepare();

  std::string_view text_;
  size_t pos_ = 0;
  size_t this_ = 0;
  bool have_ = false;
};

}  // namespace ot::store::gv::lex
