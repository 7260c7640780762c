#include "store/ref_list.hpp"

#include "base/error.hpp"
#include "scratch.hpp"
#include "store/ref_write.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;

namespace {

std::set<std::string> names(const std::vector<std::pair<std::string, std::string>>& refs) {
  std::set<std::string> out;
  for (const auto& [name, value] : refs) out.insert(name);
  return out;
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

struct Fixture {
  Scratch s;
  std::string csum;
  Fixture() {
    s.ref_init("repo", "archive");
    sh("mkdir -p " + (s / "t") + " && echo x > " + (s / "t/x"));
    csum = sh_out(s.ref("repo", "commit -b main -s one --tree=dir=" + (s / "t")));
    for (const char* r : {"a/b", "a/c/d"}) sh(s.ref("repo", std::string("refs main --create=") + r));
    sh("mkdir -p " + (s / "repo/refs/remotes/origin/sub") + " && echo " + csum + " > " +
       (s / "repo/refs/remotes/origin/sub/x") + " && " + s.ref("repo", "refs -A --create=al main"));
  }
};

}  // namespace

TEST_CASE("a prefix lists a directory of refs, cut or in full, or a single ref") {
  Fixture f;
  const Repo repo = Repo::open(AT_FDCWD, f.s / "repo");
  CHECK(names(list_refs_ordered(repo, std::nullopt, {})) ==
        std::set<std::string>{"main", "a/b", "a/c/d", "al", "origin:sub/x"});
  CHECK(names(list_refs_ordered(repo, "a", {.cut_prefix = true})) == std::set<std::string>{"b", "c/d"});
  CHECK(names(list_refs_ordered(repo, "a", {})) == std::set<std::string>{"a/b", "a/c/d"});
  CHECK(names(list_refs_ordered(repo, "a/b", {.cut_prefix = true})) == std::set<std::string>{"a/b"});
  CHECK(names(list_refs_ordered(repo, "origin:", {.cut_prefix = true})) == std::set<std::string>{"origin:sub/x"});
  CHECK(names(list_refs_ordered(repo, "origin:", {})) == std::set<std::string>{"origin:./sub/x"});
  CHECK(list_refs_ordered(repo, "nosuch", {}).empty());
  CHECK(names(list_refs_ordered(repo, std::nullopt, {.exclude_remotes = true})).count("origin:sub/x") == 0);
  const auto aliases = list_refs_ordered(repo, std::nullopt, {.aliases_only = true});
  REQUIRE(aliases.size() == 1);
  CHECK(aliases[0] == std::pair<std::string, std::string>{"al", "main"});
  CHECK(list_refs_ordered(repo, std::nullopt, {})[0].second.size() == 64);
  CHECK(message_of([&] { list_refs_ordered(repo, "a/", {}); }) == "Listing refs: Invalid refspec a/");
}

TEST_CASE("ref writes refuse what upstream refuses") {
  Fixture f;
  Repo repo = Repo::open(AT_FDCWD, f.s / "repo");
  const Digest csum = digest_from_hex(f.csum);
  // A directory holding refs is not replaced; an empty one is.
  CHECK(message_of([&] { write_ref_checked(repo, std::nullopt, "a", csum); }) ==
        "Conflict: b exists under a when attempting write");
  sh("mkdir -p " + (f.s / "repo/refs/heads/empty/deeper"));
  write_ref_checked(repo, std::nullopt, "empty", csum);
  CHECK(repo.resolve_rev("empty") == csum);
  // A ref with an alias pointing at it stays until the alias goes.
  CHECK(message_of([&] { delete_ref_checked(repo, std::nullopt, "main"); }) ==
        "Ref 'main' has an active alias: 'al'");
  write_alias_ref(repo, "deep/alias", "a/b");
  CHECK(sys::readlink_at(repo.dfd(), "refs/heads/deep/alias") == "../a/b");
  CHECK(repo.resolve_rev("deep/alias") == csum);
  delete_ref_checked(repo, std::nullopt, "al");
  delete_ref_checked(repo, std::nullopt, "main");
  CHECK_FALSE(repo.resolve_rev_opt("main"));
  // Remote refs land under refs/remotes/<remote>/, creating it.
  write_ref_checked(repo, "newremote", "x/y", csum);
  CHECK(repo.resolve_rev("newremote:x/y") == csum);
  // Collection refs of other collections are mirrors.
  write_collection_ref(repo, "org.example.C", "r", csum);
  CHECK(sys::read_file_at(repo.dfd(), "refs/mirrors/org.example.C/r") == f.csum + "\n");
  const auto coll = list_collection_refs_ordered(repo, std::nullopt, false);
  REQUIRE(coll.size() == 1);
  CHECK(coll[0].first == std::pair<std::string, std::string>{"org.example.C", "r"});
  write_collection_ref(repo, "org.example.C", "r", std::nullopt);
  CHECK(list_collection_refs_ordered(repo, std::nullopt, false).empty());
}
