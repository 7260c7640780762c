#include "base/error.hpp"
#include "base/keyfile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace ot;
using Catch::Matchers::Contains;

namespace {

// A repo config as a user might have edited it.
constexpr const char* kConfig =
    "# Repository configuration, edited by hand\n"
    "[core]\n"
    "repo_version=1\n"
    "# bare for a system repo\n"
    "mode=bare\n"
    "\n"
    "[remote \"origin\"]\n"
    "url=https://example.com/repo\n"
    "gpg-verify=false\n"
    "branches=main;devel;\n"
    "\n"
    "# trailing comment\n";

}  // namespace

TEST_CASE("keyfile: parse then serialize gives back the same text", "[base][keyfile]") {
  auto kf = KeyFile::parse(kConfig);
  CHECK(kf.serialize() == kConfig);
}

TEST_CASE("keyfile: getters see groups, keys and values", "[base][keyfile]") {
  auto kf = KeyFile::parse(kConfig);
  CHECK(kf.groups() == std::vector<std::string>{"core", "remote \"origin\""});
  CHECK(kf.keys("core") == std::vector<std::string>{"repo_version", "mode"});
  CHECK(kf.get("core", "mode") == "bare");
  CHECK(kf.get("remote \"origin\"", "url") == "https://example.com/repo");
  CHECK_FALSE(kf.get("core", "missing"));
  CHECK_FALSE(kf.get("missing", "mode"));
  CHECK(kf.has_group("core"));
  CHECK_FALSE(kf.has_group("Core"));
  CHECK(kf.get_bool("remote \"origin\"", "gpg-verify") == false);
  CHECK_FALSE(kf.get_bool("core", "missing"));
}

TEST_CASE("keyfile: editing one key keeps every other line as written", "[base][keyfile]") {
  auto kf = KeyFile::parse(kConfig);
  kf.set("core", "mode", "archive-z2");
  kf.set("core", "min-free-space-percent", "3");
  std::string expected = kConfig;
  expected.replace(expected.find("mode=bare\n"), 10, "mode=archive-z2\nmin-free-space-percent=3\n");
  CHECK(kf.serialize() == expected);
  CHECK(kf.get("core", "min-free-space-percent") == "3");

  // New keys go after the group's last key, before its trailing blank lines.
  auto kf2 = KeyFile::parse(kConfig);
  kf2.set("remote \"origin\"", "proxy", "http://proxy:3128");
  CHECK_THAT(kf2.serialize(), Contains("branches=main;devel;\nproxy=http://proxy:3128\n\n# trailing"));
}

TEST_CASE("keyfile: a new group is appended, separated by a blank line", "[base][keyfile]") {
  auto kf = KeyFile::parse("[core]\nmode=bare\n");
  kf.set("sysroot", "bootloader", "none");
  CHECK(kf.serialize() == "[core]\nmode=bare\n\n[sysroot]\nbootloader=none\n");
  auto empty = KeyFile::parse("");
  empty.set("core", "repo_version", "1");
  CHECK(empty.serialize() == "[core]\nrepo_version=1\n");
}

TEST_CASE("keyfile: groups without a blank line between them get one, as GKeyFile writes",
          "[base][keyfile]") {
  auto kf = KeyFile::parse("[a]\nx=1\n[b]\ny=2\n");
  CHECK(kf.serialize() == "[a]\nx=1\n\n[b]\ny=2\n");
  CHECK(kf.get("b", "y") == "2");
}

TEST_CASE("keyfile: remove keys and groups", "[base][keyfile]") {
  auto kf = KeyFile::parse(kConfig);
  CHECK(kf.remove_key("remote \"origin\"", "gpg-verify"));
  CHECK_FALSE(kf.remove_key("remote \"origin\"", "gpg-verify"));
  CHECK_FALSE(kf.remove_key("nope", "gpg-verify"));
  CHECK_FALSE(kf.get("remote \"origin\"", "gpg-verify"));
  CHECK_THAT(kf.serialize(), !Contains("gpg-verify"));

  CHECK(kf.remove_group("remote \"origin\""));
  CHECK_FALSE(kf.remove_group("remote \"origin\""));
  CHECK_FALSE(kf.has_group("remote \"origin\""));
  CHECK(kf.groups() == std::vector<std::string>{"core"});
  CHECK_THAT(kf.serialize(), !Contains("origin"));
  CHECK(kf.get("core", "mode") == "bare");
}

TEST_CASE("keyfile: the last of duplicate keys wins", "[base][keyfile]") {
  auto kf = KeyFile::parse("[core]\nmode=bare\nmode=archive\n");
  CHECK(kf.get("core", "mode") == "archive");
  CHECK(kf.keys("core") == std::vector<std::string>{"mode"});
}

TEST_CASE("keyfile: ';'-separated lists", "[base][keyfile]") {
  auto kf = KeyFile::parse(
      "[l]\n"
      "trailing=a;b;c;\n"
      "bare=a;b;c\n"
      "one=solo\n"
      "empty=\n"
      "hole=a;;b\n");
  using V = std::vector<std::string>;
  CHECK(kf.get_list("l", "trailing") == V{"a", "b", "c"});
  CHECK(kf.get_list("l", "bare") == V{"a", "b", "c"});
  CHECK(kf.get_list("l", "one") == V{"solo"});
  CHECK(kf.get_list("l", "empty").empty());
  CHECK(kf.get_list("l", "hole") == V{"a", "", "b"});
  CHECK(kf.get_list("l", "missing").empty());
}

TEST_CASE("keyfile: booleans", "[base][keyfile]") {
  auto kf = KeyFile::parse("[b]\nt=true\nf=false\none=1\nzero=0\nbad=yes\n");
  CHECK(kf.get_bool("b", "t") == true);
  CHECK(kf.get_bool("b", "f") == false);
  CHECK(kf.get_bool("b", "one") == true);
  CHECK(kf.get_bool("b", "zero") == false);
  CHECK_THROWS_WITH(kf.get_bool("b", "bad"), Contains("bad") && Contains("not a boolean: yes"));
}

TEST_CASE("keyfile: whitespace around keys and values, CRLF lines", "[base][keyfile]") {
  auto kf = KeyFile::parse("[core]\r\n  mode = bare\r\nkey=a value with spaces\r\n");
  CHECK(kf.get("core", "mode") == "bare");
  CHECK(kf.get("core", "key") == "a value with spaces");
  CHECK(kf.has_group("core"));
}

TEST_CASE("keyfile: values with escapes survive set, serialize and parse", "[base][keyfile]") {
  KeyFile kf;
  const std::string tricky = "  leading spaces\tand a tab\nand a newline \\ and a backslash";
  kf.set("g", "k", tricky);
  CHECK(kf.get("g", "k") == tricky);
  auto text = kf.serialize();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);  // the value stays on one line
  auto back = KeyFile::parse(text);
  CHECK(back.get("g", "k") == tricky);
  CHECK(KeyFile::parse("[g]\nk=\\sx\\ty\\nz\\\\\n").get("g", "k") == " x\ty\nz\\");
}

TEST_CASE("keyfile: malformed input is an error naming the line", "[base][keyfile]") {
  CHECK_THROWS_WITH(KeyFile::parse("[core\nmode=bare\n"),
                    Contains("line 1") && Contains("group header"));
  CHECK_THROWS_WITH(KeyFile::parse("[core]\nmode=bare\nthis is not a key\n"),
                    Contains("line 3") && Contains("key=value"));
  CHECK_THROWS_WITH(KeyFile::parse("# comment\nmode=bare\n[core]\n"),
                    Contains("line 2") && Contains("key=value"));
  CHECK_THROWS_WITH(KeyFile::parse("[core]\n\n\n=value\n"), Contains("line 4") && Contains("empty key"));
  CHECK_THROWS_WITH(KeyFile::parse("[]\n"), Contains("line 1"));
  CHECK_THROWS_AS(KeyFile::parse("[core]\nmode\n"), Error);
}
