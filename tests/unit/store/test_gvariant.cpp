// GVariant codec: regressions found by fuzzing (tests/fuzz/fuzz_objects.cpp)
// and by comparing the decoder with GLib's on the same bytes.
#include "store/gvariant.hpp"
#include "store/objects.hpp"

#include "base/error.hpp"

#include <catch2/catch.hpp>

using namespace ot::store;

namespace {

gv::Value nested_variants(int n) {
  gv::Value v = gv::i32(1);
  for (int i = 0; i < n; i++) v = gv::variant(std::move(v));
  return v;
}

}  // namespace

TEST_CASE("metadata nested as deep as upstream writes it decodes") {
  // `ostree commit --add-metadata=x=[[[...1...]]]` with 100 brackets succeeds
  // upstream; its commit object was refused here when nesting was capped at 64.
  std::string deep = std::string(100, '[') + "1" + std::string(100, ']');
  Commit c;
  c.metadata = gv::array("{sv}", {gv::dict_entry(gv::str("x"), gv::variant(gv::parse_text(deep)))});
  auto bytes = encode_commit(c);
  auto back = decode_commit(bytes);
  CHECK(encode_commit(back) == bytes);
  CHECK(lookup_metadata(back.metadata, "x")->type == std::string(100, 'a') + "i");
}

TEST_CASE("nesting limits are GLib's") {
  // GLib 2.74: g_variant_type_string_is_valid accepts 128 nested containers,
  // not 129.
  CHECK(gv::is_valid_type(std::string(128, 'a') + "i"));
  CHECK_FALSE(gv::is_valid_type(std::string(129, 'a') + "i"));
  CHECK(gv::is_valid_type(std::string(128, '(') + "i" + std::string(128, ')')));
  CHECK_FALSE(gv::is_valid_type(std::string(129, '(') + "i" + std::string(129, ')')));
  // g_variant_is_normal_form on serialized data: 127 nested variants around
  // an int32 are valid, 128 are not; a variant may hold a 126-deep array,
  // not a 127-deep one (GLib counts the depth the content's type reaches).
  auto v127 = gv::encode(nested_variants(127));
  CHECK(gv::is_normal_form("v", v127));
  auto v128 = gv::encode(nested_variants(128));
  CHECK_THROWS_WITH(gv::decode("v", v128), Catch::Contains("nested too deeply"));
  auto array_in_variant = [](int n) {
    return gv::encode(gv::variant(gv::parse_text(std::string(n, '[') + "1" + std::string(n, ']'))));
  };
  CHECK(gv::is_normal_form("v", array_in_variant(126)));
  CHECK_THROWS_WITH(gv::decode("v", array_in_variant(127)), Catch::Contains("nested too deeply"));
}

TEST_CASE("hostile variant types cannot exhaust the stack") {
  // A variant whose type string is absurdly deep is refused before decoding.
  std::string data = std::string(1, '\0') + '\0' + std::string(100000, 'a') + "i";
  CHECK_THROWS(gv::decode("v", data));
  std::string tuples = std::string(1, '\0') + '\0' + std::string(5000, '(') + "i" + std::string(5000, ')');
  CHECK_THROWS(gv::decode("v", tuples));
}
