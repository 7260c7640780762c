#pragma once
// A GVariant codec for the types OSTree's formats use. Values are decoded into
// a small tree and encoded back in normal form; decoding checks every framing
// offset, so untrusted bytes either parse or raise ot::Error, never read out
// of bounds. Integers are host order, as GVariant is: OSTree's big-endian
// fields are swapped by the callers that define them (objects.hpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ot::store::gv {

struct Value;
using Children = std::vector<Value>;

// A decoded value. `type` is its full GVariant type string. Strings, object
// paths, signatures and byte arrays ("ay") hold std::string; containers
// (tuples, dict entries, other arrays, maybes, variants) hold Children.
struct Value {
  std::string type;
  std::variant<bool, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t, double,
               std::string, Children>
      v;

  const std::string& str() const;        // s, o, g, ay
  const Children& children() const;      // containers
  uint32_t u32() const;
  uint64_t u64() const;
  bool boolean() const;
  uint8_t byte() const;
  const Value& operator[](size_t i) const { return children().at(i); }
  bool operator==(const Value& o) const = default;
};

// Builders.
Value boolean(bool b);
Value byte(uint8_t b);
Value u32(uint32_t x);
Value i32(int32_t x);
Value u64(uint64_t x);
Value i64(int64_t x);
Value str(std::string s);
Value bytes(std::string b);  // "ay"
Value variant(Value inner);
Value tuple(Children members);
Value dict_entry(Value key, Value value);
// An array of element_type; elements must all have that type.
Value array(std::string element_type, Children elements);

// Type-string helpers (type must be a complete, valid type).
bool is_valid_type(std::string_view type);
size_t type_alignment(std::string_view type);
// 0 when the type is variable-size.
size_t type_fixed_size(std::string_view type);

std::string encode(const Value& v);
void encode_into(const Value& v, std::string& out);
// Throws ot::Error ("malformed <what>: ...") on any framing violation.
Value decode(std::string_view type, std::string_view data);
// True when data decodes and re-encodes to the same bytes.
bool is_normal_form(std::string_view type, std::string_view data);

// g_variant_print()'s text form; annotate adds type annotations as it does.
std::string print(const Value& v, bool annotate = true);
// Parses GVariant text format (the subset OSTree users pass on command lines:
// strings, numbers with optional type keywords, booleans, arrays, tuples,
// dictionaries, @type annotations, b'bytestrings', <variants>).
// Throws ot::Error naming the position on bad input, worded as GLib's
// g_variant_parse() errors are ("1-2,4-7:unable to find a common type").
Value parse_text(std::string_view text);

// g_variant_byteswap(): every 2-, 4- and 8-byte number leaf (n q i u h x t d)
// byte-reversed, recursively through containers and variants. Upstream's
// `show --raw` and `--print-metadata-key` print print(byteswap(v)) on
// little-endian hosts (unless --no-byteswap), as OSTree's numbers are
// big-endian; `commit --add-metadata` stores values unswapped, in host order.
Value byteswap(const Value& v);

}  // namespace ot::store::gv
