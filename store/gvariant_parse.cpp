// GVariant text format parsing with g_variant_parse()'s rules and messages,
// for values users pass on command lines (`commit --add-metadata=K=V`).
//
// Parsing is two passes, as upstream's: the text becomes a syntax tree; each
// node then reports a type pattern, where 'N' is "some number", 'S' "some
// string", '*' "anything" and 'M' "maybe-wrapped or not". Array elements'
// patterns are unified, the result defaults N to int32 and S to string, and
// the tree is finally built into a Value of that type.
#include "store/gvariant.hpp"
#include "store/gvariant_lexer.hpp"

#include "base/error.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <locale.h>
#include <optional>

namespace ot::store::gv {
namespace {

using namespace lex;

locale_t c_locale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", locale_t(nullptr));
  return loc;
}

struct Ast {
  enum class Kind { maybe, array, tuple, variant, dict, dict_entry, string, bytestring, number, boolean, typedecl };
  explicit Ast(Kind k) : kind(k) {}
  Kind kind;
  Span ref;
  std::vector<Ast> kids;  // elements; dicts alternate key, value; maybe has 0 or 1
  std::string text;       // decoded string, number token, or declared type
  bool truth = false;
};

class Parser {
public:
  explicit Parser(std::string_view text) : tokens_(text) {}

  Value parse_all() {
    Ast ast = parse(kMaxDepth);
    Value v = resolve(ast);
    size_t rest = tokens_.rest_start();
    if (rest != tokens_.size()) fail(Span{rest, rest}, "expected end of input");
    return v;
  }

private:
  Tokens tokens_;

  // ---- pass 1: syntax tree ----

  Ast parse(int depth) {
    if (depth == 0) tokens_.error(false, "variant nested too deeply");
    size_t start = tokens_.token_start();
    Ast ast = parse_value(depth);
    ast.ref = Span{start, tokens_.stream_pos()};
    return ast;
  }

  Ast parse_value(int depth) {
    using K = Ast::Kind;
    auto& t = tokens_;
    if (t.peek('[')) return parse_list(K::array, depth);
    if (t.peek('(')) return parse_list(K::tuple, depth);
    if (t.peek('<')) {
      t.next();
      Ast v(K::variant);
      v.kids.push_back(parse(depth - 1));
      t.require(">", " to follow variant value");
      return v;
    }
    if (t.peek('{')) return parse_dict(depth);
    if (t.get() == "true" || t.get() == "false") {
      Ast b(K::boolean);
      b.truth = t.get() == "true";
      t.next();
      return b;
    }
    if (t.is_numeric() || t.get() == "inf" || t.get() == "nan") {
      Ast n(K::number);
      n.text = std::string(t.get());
      t.next();
      return n;
    }
    if (t.peek('n') || t.peek('j')) {
      Ast m(K::maybe);
      if (t.consume("just"))
        m.kids.push_back(parse(depth - 1));
      else if (!t.consume("nothing"))
        t.error(true, "unknown keyword");
      return m;
    }
    if (t.peek('@') || t.is_keyword()) return parse_typedecl(depth);
    if (t.peek('\'') || t.peek('"')) return parse_string(K::string);
    if (t.peek2('b', '\'') || t.peek2('b', '"')) return parse_string(K::bytestring);
    t.error(false, "expected value");
  }

  // "[a, b]" or "(a, b)"; a tuple needs a comma after its first element.
  Ast parse_list(Ast::Kind kind, int depth) {
    bool tuple = kind == Ast::Kind::tuple;
    Ast ast(kind);
    tokens_.next();
    bool need_comma = false;
    while (!tokens_.consume(tuple ? ")" : "]")) {
      if (need_comma)
        tokens_.require(",", tuple ? " or ')' to follow tuple element" : " or ']' to follow array element");
      ast.kids.push_back(parse(depth - 1));
      if (tuple && ast.kids.size() == 1)
        tokens_.require(",", " after first tuple element");
      else
        need_comma = true;
    }
    return ast;
  }

  // "{k: v, ...}" is a dictionary, "{k, v}" a single dict entry.
  Ast parse_dict(int depth) {
    Ast ast(Ast::Kind::dict);
    auto& t = tokens_;
    t.next();
    if (t.consume("}")) return ast;
    ast.kids.push_back(parse(depth - 1));
    bool only_one = t.consume(",");
    if (!only_one) t.require(":", " or ',' to follow dictionary entry key");
    ast.kids.push_back(parse(depth - 1));
    if (only_one) {
      t.require("}", " at end of dictionary entry");
      ast.kind = Ast::Kind::dict_entry;
      return ast;
    }
    while (!t.consume("}")) {
      t.require(",", " or '}' to follow dictionary entry");
      ast.kids.push_back(parse(depth - 1));
      t.require(":", " to follow dictionary entry key");
      ast.kids.push_back(parse(depth - 1));
    }
    return ast;
  }

  Ast parse_typedecl(int depth) {
    static constexpr std::pair<std::string_view, std::string_view> kKeywords[] = {
        {"boolean", "b"}, {"byte", "y"},   {"int16", "n"},  {"uint16", "q"},     {"int32", "i"},
        {"handle", "h"},  {"uint32", "u"}, {"int64", "x"},  {"uint64", "t"},     {"double", "d"},
        {"string", "s"},  {"objectpath", "o"}, {"signature", "g"}};
    Ast ast(Ast::Kind::typedecl);
    auto& t = tokens_;
    if (t.peek('@')) {
      auto type = t.get().substr(1);
      if (!is_type_string(type)) t.error(true, "invalid type declaration");
      if (type_depth(type) > size_t(depth)) t.error(true, "type declaration recurses too deeply");
      if (type.find_first_of("*?r") != std::string_view::npos)
        t.error(true, "type declarations must be definite");
      ast.text = std::string(type);
      t.next();
    } else {
      for (auto& [word, type] : kKeywords)
        if (t.get() == word) ast.text = std::string(type);
      if (ast.text.empty()) t.error(true, "unknown keyword");
      t.next();
    }
    ast.kids.push_back(parse(depth - 1));
    return ast;
  }

  // Quoted text with C escapes; strings also take \uXXXX and \UXXXXXXXX,
  // bytestrings octal escapes. A backslash before anything else quotes it.
  Ast parse_string(Ast::Kind kind) {
    bool bytes = kind == Ast::Kind::bytestring;
    Span ref{tokens_.token_start(), 0};
    std::string_view token = tokens_.get();
    ref.end = tokens_.stream_pos();
    size_t i = bytes ? 1 : 0;
    char quote = token[i++];
    Ast ast(kind);
    std::string& out = ast.text;
    auto unterminated = [&] { fail(ref, "unterminated string constant"); };
    while (true) {
      if (i >= token.size()) unterminated();
      char c = token[i];
      if (c == quote) break;
      if (c != '\\') {
        out.push_back(c);
        i++;
        continue;
      }
      if (++i >= token.size()) unterminated();
      c = token[i];
      if (!bytes && (c == 'u' || c == 'U')) {
        i = unicode_escape(token, i + 1, c == 'u' ? 4 : 8, ref, out);
        continue;
      }
      if (bytes && c >= '0' && c <= '7') {
        unsigned v = 0;
        for (int n = 0; n < 3 && i < token.size() && token[i] >= '0' && token[i] <= '7'; n++)
          v = (v << 3) | unsigned(token[i++] - '0');
        out.push_back(char(uint8_t(v)));
        continue;
      }
      i++;
      switch (c) {
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case '\n': break;  // line continuation
        default: out.push_back(c);
      }
    }
    tokens_.next();
    return ast;
  }

  // Exactly `length` hex digits naming a non-zero code point. Surrogates and
  // values past U+10FFFF are encoded anyway, as upstream does, and refused
  // only if the text ends up as a string value (upstream aborts there);
  // a type mismatch found first is reported as upstream reports it.
  static size_t unicode_escape(std::string_view token, size_t i, size_t length, Span ref, std::string& out) {
    size_t valid = 0;
    while (valid < length && i + valid < token.size() && is_xdigit(token[i + valid])) valid++;
    uint64_t value = 0;
    if (valid == length) value = std::strtoull(std::string(token.substr(i, length)).c_str(), nullptr, 16);
    if (value == 0)
      fail(Span{ref.start + i, ref.start + i + valid},
           "invalid " + std::to_string(length) + "-character unicode escape");
    if (value < 0x110000) {
      append_utf8(out, char32_t(value));
    } else {
      // Not UTF-8 at all (a lead byte no valid sequence starts with): the
      // string is refused when its value is built.
      out.push_back(char(0xf8));
    }
    return i + length;
  }

  // ---- pass 2: type patterns ----

  static bool number_is_double(std::string_view token) {
    return token.find('.') != std::string_view::npos ||
           (!token.starts_with("0x") && token.find('e') != std::string_view::npos) ||
           token.find("inf") != std::string_view::npos || token.find("nan") != std::string_view::npos;
  }

  std::string pattern(const Ast& a) {
    using K = Ast::Kind;
    switch (a.kind) {
      case K::maybe: return a.kids.empty() ? "m*" : "m" + pattern(a.kids[0]);
      case K::array: return a.kids.empty() ? "Ma*" : "Ma" + common_pattern(a.kids, 0, 1);
      case K::tuple: {
        std::string p = "M(";
        for (auto& k : a.kids) p += pattern(k);
        return p + ")";
      }
      case K::variant: return "Mv";
      case K::dict:
      case K::dict_entry: {
        if (a.kids.empty()) return "Ma{**}";
        std::string key = common_pattern(a.kids, 0, 2);
        char key_char = key[0] == 'M' ? key[1] : key[0];
        if (!std::strchr("bynqiuxthdsogNS", key_char))
          fail(a.ref, "dictionary keys must have basic types");
        // Only the first value decides the value type, as upstream does.
        return std::string(a.kind == K::dict ? "Ma{" : "M{") + key_char + pattern(a.kids[1]) + "}";
      }
      case K::string: return "MS";
      case K::bytestring: return "May";
      case K::number: return number_is_double(a.text) ? "Md" : "MN";
      case K::boolean: return "Mb";
      case K::typedecl: return a.text;
    }
    return "*";
  }

  // Copies one pattern item (its a/m/M prefixes and any bracketed group).
  static void copy_item(std::string_view p, size_t& i, std::string& out) {
    while (i < p.size() && (p[i] == 'a' || p[i] == 'm' || p[i] == 'M')) out.push_back(p[i++]);
    int brackets = 0;
    do {
      if (i >= p.size()) return;
      if (p[i] == '(' || p[i] == '{') brackets++;
      else if (p[i] == ')' || p[i] == '}') brackets--;
      out.push_back(p[i++]);
    } while (brackets);
  }

  // The most specific pattern both inputs match, if any.
  static std::optional<std::string> coalesce(std::string_view left, std::string_view right) {
    std::string out;
    size_t l = 0, r = 0;
    auto step = [&out](std::string_view one, size_t& i, std::string_view other, size_t& j) {
      char a = one[i], b = other[j];
      if (a == '*' && b != ')') { copy_item(other, j, out); i++; }
      else if (a == 'M' && b == 'm') { out.push_back(b); j++; }
      else if (a == 'M' && b != '*') { i++; }  // '*' takes the whole "M..." item
      else if (a == 'N' && std::strchr("ynqiuxthd", b)) { out.push_back(b); i++; j++; }
      else if (a == 'S' && std::strchr("sog", b)) { out.push_back(b); i++; j++; }
      else return false;
      return true;
    };
    while (l < left.size() && r < right.size()) {
      if (left[l] == right[r]) {
        out.push_back(left[l]);
        l++, r++;
      } else if (!step(left, l, right, r) && !step(right, r, left, l)) {
        break;
      }
    }
    if (l < left.size() || r < right.size()) return std::nullopt;
    return out;
  }

  // The unified pattern of items[first], items[first + stride], ...
  std::string common_pattern(const std::vector<Ast>& items, size_t first, size_t stride) {
    std::string p = pattern(items[first]);
    for (size_t i = first + stride; i < items.size(); i += stride) {
      std::string next = pattern(items[i]);
      if (auto merged = coalesce(p, next)) {
        p = std::move(*merged);
        continue;
      }
      // Name the first earlier element this one conflicts with.
      size_t j = first;
      while (j < i && coalesce(next, pattern(items[j]))) j += stride;
      if (j >= i) fail(items[i].ref, "unable to find a common type");
      fail(items[j].ref, items[i].ref, "unable to find a common type");
    }
    return p;
  }

  Value resolve(const Ast& ast) {
    std::string type;
    for (char c : pattern(ast)) {
      if (c == '*') fail(ast.ref, "unable to infer type");
      if (c == 'M') continue;
      type.push_back(c == 'S' ? 's' : c == 'N' ? 'i' : c);
    }
    return value(ast, type);
  }

  // ---- pass 3: values ----

  [[noreturn]] static void type_error(const Ast& a, std::string_view type) {
    fail(a.ref, "can not parse as value of type '" + std::string(type) + "'");
  }

  Value value(const Ast& a, std::string_view type) {
    if (a.kind == Ast::Kind::typedecl) return value(a.kids[0], type);
    if (a.kind == Ast::Kind::maybe) {
      if (type[0] != 'm') type_error(a, type);
      Children c;
      if (!a.kids.empty()) c.push_back(value(a.kids[0], type.substr(1)));
      return Value{std::string(type), std::move(c)};
    }
    // Any other value may stand for a maybe that holds it.
    size_t wraps = type.find_first_not_of('m');
    Value v = base_value(a, type.substr(wraps));
    for (; wraps > 0; wraps--) {
      std::string t = "m" + v.type;
      v = Value{std::move(t), Children{std::move(v)}};
    }
    return v;
  }

  Value base_value(const Ast& a, std::string_view type) {
    using K = Ast::Kind;
    std::string t(type);
    switch (a.kind) {
      case K::array: {
        if (type[0] != 'a') type_error(a, type);
        if (type == "ay") {
          std::string bytes;
          for (auto& k : a.kids) bytes.push_back(char(value(k, "y").byte()));
          return Value{t, std::move(bytes)};
        }
        Children c;
        for (auto& k : a.kids) c.push_back(value(k, type.substr(1)));
        return Value{t, std::move(c)};
      }
      case K::tuple: {
        if (type[0] != '(') type_error(a, type);
        auto member_types = members(type);
        Children c;
        for (size_t i = 0; i < a.kids.size(); i++) {
          if (i >= member_types.size()) type_error(a, type);
          c.push_back(value(a.kids[i], member_types[i]));
        }
        if (c.size() != member_types.size()) type_error(a, type);
        return Value{t, std::move(c)};
      }
      case K::variant:
        if (type != "v") type_error(a, type);
        return Value{t, Children{resolve(a.kids[0])}};
      case K::dict: {
        if (type.size() < 2 || type[0] != 'a' || type[1] != '{') type_error(a, type);
        auto kv = members(type.substr(1));
        Children entries;
        for (size_t i = 0; i + 1 < a.kids.size(); i += 2) {
          Value key = value(a.kids[i], kv[0]);
          Value val = value(a.kids[i + 1], kv[1]);
          entries.push_back(Value{std::string(type.substr(1)), Children{std::move(key), std::move(val)}});
        }
        return Value{t, std::move(entries)};
      }
      case K::dict_entry: {
        if (type[0] != '{') type_error(a, type);
        auto kv = members(type);
        Value key = value(a.kids[0], kv[0]);
        return Value{t, Children{std::move(key), value(a.kids[1], kv[1])}};
      }
      case K::string:
        if (type == "s") {
          if (!is_valid_utf8(a.text)) fail(a.ref, "string is not valid UTF-8");
          return Value{t, a.text};
        }
        if (type == "o") {
          if (!is_object_path(a.text)) fail(a.ref, "not a valid object path");
          return Value{t, a.text};
        }
        if (type == "g") {
          if (!is_signature(a.text)) fail(a.ref, "not a valid signature");
          return Value{t, a.text};
        }
        type_error(a, type);
      case K::bytestring:
        if (type != "ay") type_error(a, type);
        // Stored like a C string: up to the first NUL, then a NUL.
        return Value{t, a.text.substr(0, a.text.find('\0')) + '\0'};
      case K::boolean:
        if (type != "b") type_error(a, type);
        return Value{t, a.truth};
      case K::number: return number_value(a, type);
      case K::maybe:
      case K::typedecl: break;
    }
    type_error(a, type);
  }

  static Value number_value(const Ast& a, std::string_view type) {
    const std::string& token = a.text;
    const char* begin = token.c_str();
    char* end = nullptr;
    auto check_end = [&] {
      if (*end == '\0') return;
      size_t at = a.ref.start + size_t(end - begin);
      fail(Span{at, at + 1}, "invalid character in number");
    };
    std::string t(type);
    if (type == "d") {
      errno = 0;
      double d = strtod_l(begin, &end, c_locale());
      if (d != 0.0 && errno == ERANGE) fail(a.ref, "number too big for any type");
      check_end();
      return Value{t, d};
    }
    bool negative = token[0] == '-';
    errno = 0;
    uint64_t abs = strtoull_l(begin + negative, &end, 0, c_locale());
    if (abs == UINT64_MAX && errno == ERANGE) fail(a.ref, "integer too big for any type");
    if (abs == 0) negative = false;
    check_end();
    auto out_of_range = [&] { fail(a.ref, std::string("number out of range for type '") + type[0] + "'"); };
    // Signed types hold one more negative value than positive.
    auto signed_value = [&](uint64_t max) -> int64_t {
      if (abs - uint64_t(negative) > max) out_of_range();
      return negative ? int64_t(0 - abs) : int64_t(abs);
    };
    switch (type[0]) {
      case 'y':
        if (negative || abs > UINT8_MAX) out_of_range();
        return Value{t, uint8_t(abs)};
      case 'n': return Value{t, int16_t(signed_value(INT16_MAX))};
      case 'q':
        if (negative || abs > UINT16_MAX) out_of_range();
        return Value{t, uint16_t(abs)};
      case 'i':
      case 'h': return Value{t, int32_t(signed_value(INT32_MAX))};
      case 'u':
        if (negative || abs > UINT32_MAX) out_of_range();
        return Value{t, uint32_t(abs)};
      case 'x': return Value{t, signed_value(INT64_MAX)};
      case 't':
        if (negative) out_of_range();
        return Value{t, abs};
    }
    type_error(a, type);
  }
};

}  // namespace

Value parse_text(std::string_view text) { return Parser(text).parse_all(); }

}  // namespace ot::store::gv
