#include "store/rev_parse.hpp"

#include "base/error.hpp"
#include "scratch.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <functional>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;

namespace {

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("revs resolve as upstream's: checksums, prefixes, parents, remotes, mirrors") {
  Scratch s;
  s.ref_init("repo", "archive");
  sh("mkdir -p " + (s / "t") + " && echo x > " + (s / "t/x"));
  const std::string first = sh_out(s.ref("repo", "commit -b main -s one --tree=dir=" + (s / "t")));
  const std::string second = sh_out(s.ref("repo", "commit -b main -s two --tree=dir=" + (s / "t")));
  const Repo repo = Repo::open(AT_FDCWD, s / "repo");
  auto rev = [&](const std::string& r) { return digest_hex(*resolve_rev_ext(repo, r, false, RemoteFallback::yes)); };

  CHECK(rev("main") == second);
  CHECK(rev("main^") == first);
  CHECK(rev(second.substr(0, 6)) == second);
  CHECK(rev(second) == second);
  CHECK(message_of([&] { rev("main^^"); }) == "Commit " + first + " has no parent");
  CHECK(message_of([&] { rev("main^2"); }) == "Invalid refspec main^2");
  // Upstream's rev-parse has no "^0" (the commit itself) either.
  CHECK(message_of([&] { rev("main^0"); }) == "Invalid refspec main^0");
  CHECK(message_of([&] { rev(second + "^0"); }) == "Invalid refspec " + second + "^0");
  CHECK(message_of([&] { rev("nosuch"); }) == "Refspec 'nosuch' not found");
  // The empty prefix matches every commit.
  CHECK(message_of([&] { rev(""); }) == "Refspec  not unique");
  CHECK(list_commit_objects_starting_with(repo, "").size() == 2);
  CHECK(list_commit_objects_starting_with(repo, first.substr(0, 1)).size() >= 1);

  // remote/ref, and a ref of any remote, are found by bare name only with
  // the fallback; mirrors are not.
  sh("mkdir -p " + (s / "repo/refs/remotes/origin") + " " + (s / "repo/refs/mirrors/org.example.C") +
     " && echo " + first + " > " + (s / "repo/refs/remotes/origin/rem") + " && echo " + first + " > " +
     (s / "repo/refs/mirrors/org.example.C/mir"));
  CHECK(rev("origin:rem") == first);
  CHECK(rev("origin/rem") == first);
  CHECK(rev("rem") == first);
  CHECK(message_of([&] { rev("org.example.C/mir"); }) == "Refspec 'org.example.C/mir' not found");
  CHECK_FALSE(resolve_rev_ext(repo, "origin/rem", true, RemoteFallback::no));
  CHECK_FALSE(resolve_rev_ext(repo, "rem", true, RemoteFallback::no));

  // A directory where a ref is looked up is an error of its own kind.
  sh("mkdir -p " + (s / "repo/refs/heads/dir/sub"));
  int err = 0;
  try {
    rev("dir");
  } catch (const Error& e) {
    err = e.errnum();
    CHECK(std::string(e.what()) == "Couldn't open ref 'dir': Is a directory");
  }
  CHECK(err == EISDIR);
  sh("echo garbage > " + (s / "repo/refs/heads/bad"));
  CHECK(message_of([&] { rev("bad"); }) == "Invalid rev garbage");
}

TEST_CASE("refspecs and collection IDs are validated as upstream's") {
  CHECK(parse_refspec_checked("origin:a/b").remote == "origin");
  CHECK(parse_refspec_checked("a/b").ref == "a/b");
  CHECK_FALSE(parse_refspec_checked("a/b").remote);
  // \w is Unicode-aware in upstream's pattern: letters and digits of any script.
  CHECK(parse_refspec_checked("h\xc3\xa9llo/\xc2\xbd").ref == "h\xc3\xa9llo/\xc2\xbd");
  CHECK(message_of([&] { parse_refspec_checked("a\xe2\x80\x93" "b"); }) == "Invalid refspec a\xe2\x80\x93" "b");
  CHECK(message_of([&] { parse_refspec_checked("a\xff" "b"); }) == "Invalid refspec a\xff" "b");
  for (const char* bad : {"", "a/", "/a", ":a", "a:", "a:b:c", "a//b", ".a"}) {
    INFO(bad);
    CHECK(message_of([&] { parse_refspec_checked(bad); }) == std::string("Invalid refspec ") + bad);
  }
  CHECK(is_valid_collection_id("org.example.Os"));
  CHECK(is_valid_collection_id("a_b.c9"));
  CHECK_FALSE(is_valid_collection_id("nodots"));
  CHECK_FALSE(is_valid_collection_id("org..x"));
  CHECK_FALSE(is_valid_collection_id("org.9x"));
  CHECK_FALSE(is_valid_collection_id("org.ex-ample"));
}
