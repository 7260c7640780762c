#include "base/hex.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ot;

TEST_CASE("hex: every byte value round-trips", "[base][hex]") {
  std::string all;
  for (int i = 0; i < 256; i++) all += static_cast<char>(i);
  auto hex = to_hex(all);
  REQUIRE(hex.size() == 512);
  CHECK(hex.substr(0, 8) == "00010203");
  CHECK(hex.substr(504) == "fcfdfeff");
  auto back = from_hex(hex);
  REQUIRE(back);
  CHECK(*back == all);
}

TEST_CASE("hex: output is lowercase, input may be either case", "[base][hex]") {
  CHECK(to_hex(std::string("\xAB\xCD\xEF", 3)) == "abcdef");
  CHECK(from_hex("ABCDEF") == std::string("\xAB\xCD\xEF", 3));
  CHECK(from_hex("aBcD") == std::string("\xAB\xCD", 2));
  CHECK(to_hex(std::string()) == "");
  CHECK(from_hex("") == std::string());
}

TEST_CASE("hex: odd length and non-hex digits are rejected", "[base][hex]") {
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("0g"));
  CHECK_FALSE(from_hex("g0"));
  CHECK_FALSE(from_hex("zz"));
  CHECK_FALSE(from_hex(" 0"));
  CHECK_FALSE(from_hex(std::string("0\0", 2)));
  // A SHA-256 checksum with one bad character in the middle.
  std::string csum(64, 'a');
  CHECK(from_hex(csum));
  csum[31] = 'x';
  CHECK_FALSE(from_hex(csum));
}
