// libFuzzer target for everything that reads untrusted repository bytes or
// user text: the GVariant codec, the object decoders and the text format.
// Every input is tried against every decoder. Beyond "no crash, no
// sanitizer report", accepted inputs must behave:
//   - metadata objects (dirtree, dirmeta, commit) are checked for normal
//     form, so re-encoding gives back the very same bytes;
//   - any decoded GVariant re-encodes to a fixed point that decodes to the
//     same value, and its text form parses back to the same text;
//   - file headers (not normal-form checked) round-trip their meaning.
// Built and run by tests/cli/test-fuzz-objects.sh.
#include "store/gvariant.hpp"
#include "store/objects.hpp"

#include "base/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace ot::store;

namespace {

[[noreturn]] void violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property violated: %s: %.*s\n", what, int(detail.size()), detail.data());
  std::abort();
}

// Types of OSTree's formats plus ones that reach every decoder branch
// (maybes of fixed and variable size, nested variants, dict entries, handles).
constexpr std::string_view kTypes[] = {
    "s", "o", "g", "b", "y", "n", "q", "i", "u", "x", "t", "d", "h", "v", "ay", "as", "aay",
    "a{sv}", "a(ayay)", "a(say)", "a(sayay)", "(uuua(ayay))", "(a(say)a(sayay))",
    "(a{sv}aya(say)sstayay)", "(uuuusa(ayay))", "(tuuuusa(ayay))", "(a(s(taya{sv}))a{sv})",
    "mv", "ms", "mi", "may", "mmi", "ami", "ams", "a{ss}", "a{uv}", "(yqut)", "a(yy)", "(iy)",
    "()", "a()", "(s)", "{sv}", "av", "aav", "(vv)", "a(ty)",
};

void check_gvariant(std::string_view type, std::string_view data) {
  gv::Value v;
  try {
    v = gv::decode(type, data);
  } catch (const ot::Error&) {
    return;
  }
  std::string once = gv::encode(v);
  gv::Value again;
  try {
    again = gv::decode(type, once);
  } catch (const ot::Error& e) {
    violated("re-encoded value does not decode", e.what());
  }
  std::string twice = gv::encode(again);
  if (twice != once) violated("encoding is not a fixed point", type);
  if (gv::is_normal_form(type, data) != (once == data)) violated("is_normal_form disagrees", type);

  std::string text = gv::print(v);
  if (gv::print(v, false).empty()) violated("empty unannotated print", type);
  gv::byteswap(v);
  gv::Value parsed;
  try {
    parsed = gv::parse_text(text);
  } catch (const ot::Error&) {
    // Text that upstream could not read back either: strings that are not
    // UTF-8, object paths and signatures that decoding does not validate.
    return;
  }
  if (gv::print(parsed) != text) violated("printed text does not parse back to itself", text);
}

template <typename Fn>
bool accepts(Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const ot::Error&) {
    return false;
  }
}

void check_objects(std::string_view data) {
  // Normal-form checked: accepted bytes are the one encoding of their value.
  DirTree tree;
  if (accepts([&] { tree = decode_dirtree(data); }) && encode_dirtree(tree) != data)
    violated("dirtree does not re-encode identically", "");
  DirMeta meta;
  if (accepts([&] { meta = decode_dirmeta(data); }) && encode_dirmeta(meta) != data)
    violated("dirmeta does not re-encode identically", "");
  Commit commit;
  if (accepts([&] { commit = decode_commit(data); }) && encode_commit(commit) != data)
    violated("commit does not re-encode identically", "");

  // File headers: what they say must survive a round trip.
  FileMeta file;
  if (accepts([&] { file = decode_file_header(data); }) &&
      !(decode_file_header(encode_file_header(file)) == file))
    violated("file header meaning changed in a round trip", "");
  std::pair<FileMeta, uint64_t> archived;
  if (accepts([&] { archived = decode_archive_file_header(data); })) {
    auto back = decode_archive_file_header(encode_archive_file_header(archived.first, archived.second));
    if (!(back.first == archived.first) || back.second != archived.second)
      violated("archive file header meaning changed in a round trip", "");
  }
  // A .filez object: size-prefixed header, then content.
  std::pair<std::string_view, size_t> split;
  if (accepts([&] { split = split_size_prefixed(data); })) {
    if (split.second > data.size()) violated("size prefix past the end", "");
    accepts([&] { decode_archive_file_header(split.first); });
  }
}

void check_text(std::string_view data) {
  gv::Value v;
  try {
    v = gv::parse_text(data);
  } catch (const ot::Error& e) {
    // Messages are one line, "POS:what", as upstream's.
    std::string_view msg = e.what();
    if (msg.empty() || msg.find('\n') != std::string_view::npos || msg.find(':') == std::string_view::npos)
      violated("malformed parse error message", msg);
    return;
  }
  std::string text = gv::print(v);
  gv::Value back;
  try {
    back = gv::parse_text(text);
  } catch (const ot::Error& e) {
    violated("print of a parsed value does not parse", text + " -> " + e.what());
  }
  if (gv::print(back) != text) violated("parse(print(parse(x))) changed", text);
  check_gvariant(v.type, gv::encode(v));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  for (auto type : kTypes) check_gvariant(type, data);
  check_objects(data);
  check_text(data);
  return 0;
}
