#include "store/gvariant.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <cstring>

namespace ot::store::gv {
namespace {

// Nesting deeper than this is refused: hostile input must not exhaust the
// stack. GLib's own limit (G_VARIANT_MAX_RECURSION_DEPTH): upstream writes
// values this deep, e.g. `commit --add-metadata` of a 100-deep array, and a
// lower limit would make such repositories unreadable.
constexpr int kMaxDepth = 128;

[[noreturn]] void malformed(std::string_view type, const std::string& why) {
  throw Error("malformed GVariant of type " + std::string(type) + ": " + why);
}

// End (exclusive) of the complete type starting at pos, or npos if invalid.
size_t type_end(std::string_view t, size_t pos, int depth = 0) {
  if (pos >= t.size() || depth > kMaxDepth) return std::string_view::npos;
  switch (t[pos]) {
    case 'b': case 'y': case 'n': case 'q': case 'i': case 'u': case 'x': case 't':
    case 'h': case 'd': case 's': case 'o': case 'g': case 'v':
      return pos + 1;
    case 'a': case 'm':
      return type_end(t, pos + 1, depth + 1);
    case '(': {
      pos++;
      while (pos < t.size() && t[pos] != ')') {
        pos = type_end(t, pos, depth + 1);
        if (pos == std::string_view::npos) return pos;
      }
      return pos < t.size() ? pos + 1 : std::string_view::npos;
    }
    case '{': {
      if (pos + 1 >= t.size() || std::strchr("bynqiuxthdsog", t[pos + 1]) == nullptr)
        return std::string_view::npos;
      size_t v = type_end(t, pos + 2, depth + 1);
      if (v == std::string_view::npos || v >= t.size() || t[v] != '}') return std::string_view::npos;
      return v + 1;
    }
    default:
      return std::string_view::npos;
  }
}

// Member types of a tuple "(...)" or dict entry "{..}".
std::vector<std::string_view> member_types(std::string_view t) {
  std::vector<std::string_view> out;
  size_t pos = 1;
  while (pos < t.size() - 1) {
    size_t e = type_end(t, pos);
    out.push_back(t.substr(pos, e - pos));
    pos = e;
  }
  return out;
}

// Nesting depth as GLib counts it when checking a variant's content: a
// dict entry counts its value only, an empty tuple counts nothing.
size_t type_depth(std::string_view t) {
  switch (t[0]) {
    case 'a': case 'm': return 1 + type_depth(t.substr(1));
    case '(': {
      size_t deepest = 0;
      auto members = member_types(t);
      for (auto m : members) deepest = std::max(deepest, type_depth(m));
      return members.empty() ? 0 : 1 + deepest;
    }
    case '{': return 1 + type_depth(member_types(t)[1]);
    default: return 1;
  }
}

size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

void pad_to(std::string& out, size_t start, size_t alignment) {
  size_t rel = out.size() - start;
  out.append(align_up(rel, alignment) - rel, '\0');
}

// The framing offset width for a container of total size `size`.
size_t offset_size(size_t size) {
  if (size > 0xffffffffu) return 8;
  if (size > 0xffff) return 4;
  if (size > 0xff) return 2;
  return size > 0 ? 1 : 0;
}

// Width that fits body plus n offsets of that width.
size_t offset_size_for(size_t body, size_t n) {
  if (n == 0) return 0;
  if (body + n <= 0xff) return 1;
  if (body + 2 * n <= 0xffff) return 2;
  if (body + 4 * n <= 0xffffffffu) return 4;
  return 8;
}

void append_offset(std::string& out, size_t value, size_t width) {
  for (size_t i = 0; i < width; i++) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

size_t read_offset(std::string_view data, size_t pos, size_t width) {
  size_t v = 0;
  for (size_t i = 0; i < width; i++) v |= size_t(uint8_t(data[pos + i])) << (8 * i);
  return v;
}

template <typename T>
void append_scalar(std::string& out, T x) {
  char buf[sizeof(T)];
  std::memcpy(buf, &x, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
T read_scalar(std::string_view type, std::string_view data) {
  if (data.size() != sizeof(T)) malformed(type, "wrong size for a fixed-size value");
  T x;
  std::memcpy(&x, data.data(), sizeof(T));
  return x;
}

Value decode_at(std::string_view type, std::string_view data, int depth);

Children decode_members(std::string_view type, std::string_view data, int depth) {
  auto members = member_types(type);
  Children out;
  out.reserve(members.size());
  size_t osz = offset_size(data.size());
  size_t frame_end = data.size();  // the framing offsets are read from the back
  size_t pos = 0;
  for (size_t i = 0; i < members.size(); i++) {
    auto mt = members[i];
    pos = align_up(pos, type_alignment(mt));
    size_t fs = type_fixed_size(mt);
    size_t end;
    if (fs) {
      end = pos + fs;
    } else if (i + 1 == members.size()) {
      end = frame_end;
    } else {
      if (frame_end < osz || frame_end - osz < pos) malformed(type, "framing offsets overlap data");
      frame_end -= osz;
      end = read_offset(data, frame_end, osz);
    }
    if (pos > end || end > frame_end) malformed(type, "member out of bounds");
    out.push_back(decode_at(mt, data.substr(pos, end - pos), depth + 1));
    pos = end;
  }
  return out;
}

Value decode_array(std::string_view type, std::string_view data, int depth) {
  auto et = type.substr(1);
  if (et == "y") return Value{std::string(type), std::string(data)};
  Children out;
  size_t fs = type_fixed_size(et);
  if (fs) {
    if (data.size() % fs) malformed(type, "size is not a multiple of the element size");
    out.reserve(data.size() / fs);
    for (size_t pos = 0; pos < data.size(); pos += fs)
      out.push_back(decode_at(et, data.substr(pos, fs), depth + 1));
    return Value{std::string(type), std::move(out)};
  }
  if (data.empty()) return Value{std::string(type), std::move(out)};
  size_t osz = offset_size(data.size());
  size_t table = read_offset(data, data.size() - osz, osz);
  if (table > data.size() || (data.size() - table) % osz) malformed(type, "bad offset table");
  size_t n = (data.size() - table) / osz;
  out.reserve(n);
  size_t prev_end = 0, align = type_alignment(et);
  for (size_t i = 0; i < n; i++) {
    size_t start = align_up(prev_end, align);
    size_t end = read_offset(data, table + i * osz, osz);
    if (start > end || end > table) malformed(type, "element out of bounds");
    out.push_back(decode_at(et, data.substr(start, end - start), depth + 1));
    prev_end = end;
  }
  return Value{std::string(type), std::move(out)};
}

std::string decode_string(std::string_view type, std::string_view data) {
  if (data.empty() || data.back() != '\0') malformed(type, "string not NUL-terminated");
  if (std::memchr(data.data(), 0, data.size() - 1)) malformed(type, "NUL inside a string");
  return std::string(data.substr(0, data.size() - 1));
}

Value decode_at(std::string_view type, std::string_view data, int depth) {
  if (depth > kMaxDepth) malformed(type, "nested too deeply");
  std::string t(type);
  switch (type[0]) {
    case 'b': {
      auto b = read_scalar<uint8_t>(type, data);
      if (b > 1) malformed(type, "boolean not 0 or 1");
      return Value{t, b == 1};
    }
    case 'y': return Value{t, read_scalar<uint8_t>(type, data)};
    case 'n': return Value{t, read_scalar<int16_t>(type, data)};
    case 'q': return Value{t, read_scalar<uint16_t>(type, data)};
    case 'i': case 'h': return Value{t, read_scalar<int32_t>(type, data)};
    case 'u': return Value{t, read_scalar<uint32_t>(type, data)};
    case 'x': return Value{t, read_scalar<int64_t>(type, data)};
    case 't': return Value{t, read_scalar<uint64_t>(type, data)};
    case 'd': return Value{t, read_scalar<double>(type, data)};
    case 's': case 'o': case 'g': return Value{t, decode_string(type, data)};
    case 'a': return decode_array(type, data, depth);
    case '(': case '{': {
      size_t fs = type_fixed_size(type);
      if (fs && data.size() != fs) malformed(type, "wrong size for a fixed-size tuple");
      return Value{t, decode_members(type, data, depth)};
    }
    case 'v': {
      auto nul = data.rfind('\0');
      if (nul == std::string_view::npos) malformed(type, "variant without a type");
      auto inner = data.substr(nul + 1);
      if (!is_valid_type(inner)) malformed(type, "variant with an invalid type");
      // GLib's limit counts the depth the content's type would reach here.
      if (size_t(depth) + 1 + type_depth(inner) > kMaxDepth) malformed(type, "nested too deeply");
      return Value{t, Children{decode_at(inner, data.substr(0, nul), depth + 1)}};
    }
    case 'm': {
      auto et = type.substr(1);
      if (data.empty()) return Value{t, Children{}};
      size_t fs = type_fixed_size(et);
      if (fs) return Value{t, Children{decode_at(et, data, depth + 1)}};
      if (data.back() != '\0') malformed(type, "maybe without its trailing NUL");
      return Value{t, Children{decode_at(et, data.substr(0, data.size() - 1), depth + 1)}};
    }
  }
  malformed(type, "unsupported type");
}

}  // namespace

const std::string& Value::str() const {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  throw Error("GVariant of type " + type + " is not a string");
}
const Children& Value::children() const {
  if (auto* c = std::get_if<Children>(&v)) return *c;
  throw Error("GVariant of type " + type + " is not a container");
}
uint32_t Value::u32() const {
  if (auto* x = std::get_if<uint32_t>(&v)) return *x;
  throw Error("GVariant of type " + type + " is not a uint32");
}
uint64_t Value::u64() const {
  if (auto* x = std::get_if<uint64_t>(&v)) return *x;
  throw Error("GVariant of type " + type + " is not a uint64");
}
bool Value::boolean() const {
  if (auto* x = std::get_if<bool>(&v)) return *x;
  throw Error("GVariant of type " + type + " is not a boolean");
}
uint8_t Value::byte() const {
  if (auto* x = std::get_if<uint8_t>(&v)) return *x;
  throw Error("GVariant of type " + type + " is not a byte");
}

Value boolean(bool b) { return Value{"b", b}; }
Value byte(uint8_t b) { return Value{"y", b}; }
Value u32(uint32_t x) { return Value{"u", x}; }
Value i32(int32_t x) { return Value{"i", x}; }
Value u64(uint64_t x) { return Value{"t", x}; }
Value i64(int64_t x) { return Value{"x", x}; }
Value str(std::string s) { return Value{"s", std::move(s)}; }
Value bytes(std::string b) { return Value{"ay", std::move(b)}; }
Value variant(Value inner) { return Value{"v", Children{std::move(inner)}}; }

Value tuple(Children members) {
  std::string t = "(";
  for (auto& m : members) t += m.type;
  t += ")";
  return Value{std::move(t), std::move(members)};
}

Value dict_entry(Value key, Value value) {
  std::string t = "{" + key.type + value.type + "}";
  return Value{std::move(t), Children{std::move(key), std::move(value)}};
}

Value array(std::string element_type, Children elements) {
  for (auto& e : elements)
    if (e.type != element_type) throw Error("array of " + element_type + " given a " + e.type);
  return Value{"a" + element_type, std::move(elements)};
}

bool is_valid_type(std::string_view type) {
  return !type.empty() && type_end(type, 0) == type.size();
}

size_t type_alignment(std::string_view t) {
  switch (t[0]) {
    case 'n': case 'q': return 2;
    case 'i': case 'u': case 'h': return 4;
    case 'x': case 't': case 'd': case 'v': return 8;
    case 'a': case 'm': return type_alignment(t.substr(1));
    case '(': case '{': {
      size_t a = 1;
      for (auto m : member_types(t)) a = std::max(a, type_alignment(m));
      return a;
    }
    default: return 1;
  }
}

size_t type_fixed_size(std::string_view t) {
  switch (t[0]) {
    case 'b': case 'y': return 1;
    case 'n': case 'q': return 2;
    case 'i': case 'u': case 'h': return 4;
    case 'x': case 't': case 'd': return 8;
    case '(': case '{': {
      size_t size = 0;
      auto members = member_types(t);
      for (auto m : members) {
        size_t fs = type_fixed_size(m);
        if (!fs) return 0;
        size = align_up(size, type_alignment(m)) + fs;
      }
      if (members.empty()) return 1;
      return align_up(size, type_alignment(t));
    }
    default: return 0;
  }
}

void encode_into(const Value& v, std::string& out) {
  const std::string& t = v.type;
  size_t start = out.size();
  switch (t[0]) {
    case 'b': out.push_back(std::get<bool>(v.v) ? 1 : 0); return;
    case 'y': out.push_back(static_cast<char>(std::get<uint8_t>(v.v))); return;
    case 'n': append_scalar(out, std::get<int16_t>(v.v)); return;
    case 'q': append_scalar(out, std::get<uint16_t>(v.v)); return;
    case 'i': case 'h': append_scalar(out, std::get<int32_t>(v.v)); return;
    case 'u': append_scalar(out, std::get<uint32_t>(v.v)); return;
    case 'x': append_scalar(out, std::get<int64_t>(v.v)); return;
    case 't': append_scalar(out, std::get<uint64_t>(v.v)); return;
    case 'd': append_scalar(out, std::get<double>(v.v)); return;
    case 's': case 'o': case 'g':
      out += std::get<std::string>(v.v);
      out.push_back('\0');
      return;
    case 'a': {
      if (t == "ay") {
        out += std::get<std::string>(v.v);
        return;
      }
      auto& elems = v.children();
      std::string_view et = std::string_view(t).substr(1);
      if (type_fixed_size(et)) {
        for (auto& e : elems) encode_into(e, out);
        return;
      }
      std::vector<size_t> ends;
      ends.reserve(elems.size());
      size_t align = type_alignment(et);
      for (auto& e : elems) {
        pad_to(out, start, align);
        encode_into(e, out);
        ends.push_back(out.size() - start);
      }
      size_t width = offset_size_for(out.size() - start, ends.size());
      for (size_t e : ends) append_offset(out, e, width);
      return;
    }
    case '(': case '{': {
      auto& members = v.children();
      std::vector<size_t> frame;
      for (size_t i = 0; i < members.size(); i++) {
        pad_to(out, start, type_alignment(members[i].type));
        encode_into(members[i], out);
        if (!type_fixed_size(members[i].type) && i + 1 != members.size())
          frame.push_back(out.size() - start);
      }
      if (type_fixed_size(t)) {
        if (members.empty()) out.push_back('\0');
        pad_to(out, start, type_alignment(t));
        return;
      }
      size_t width = offset_size_for(out.size() - start, frame.size());
      for (auto it = frame.rbegin(); it != frame.rend(); ++it) append_offset(out, *it, width);
      return;
    }
    case 'v': {
      auto& inner = v.children().at(0);
      encode_into(inner, out);
      out.push_back('\0');
      out += inner.type;
      return;
    }
    case 'm': {
      auto& c = v.children();
      if (c.empty()) return;
      encode_into(c[0], out);
      if (!type_fixed_size(c[0].type)) out.push_back('\0');
      return;
    }
  }
  throw Error("cannot encode GVariant type " + t);
}

std::string encode(const Value& v) {
  std::string out;
  encode_into(v, out);
  return out;
}

Value decode(std::string_view type, std::string_view data) {
  if (!is_valid_type(type)) throw Error("invalid GVariant type " + std::string(type));
  return decode_at(type, data, 0);
}

bool is_normal_form(std::string_view type, std::string_view data) {
  try {
    return encode(decode(type, data)) == data;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace ot::store::gv
