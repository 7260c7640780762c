#include "store/traverse.hpp"

#include "base/sys.hpp"
#include "scratch.hpp"
#include "store/commit_partial.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;

namespace {

// Three commits on branch main in an archive repo, each changing one file,
// the last two with detached metadata.
std::vector<Digest> make_history(const Scratch& s, const std::string& mode = "archive") {
  s.ref_init("repo", mode);
  sh("mkdir -p " + (s / "t/sub/deeper") + " && echo shared > " + (s / "t/sub/deeper/shared") +
     " && echo one > " + (s / "t/f"));
  std::vector<Digest> out;
  for (int i = 1; i <= 3; i++) {
    sh("echo " + std::to_string(i) + " > " + (s / "t/f"));
    std::string extra = i > 1 ? " --add-detached-metadata-string=k=v" + std::to_string(i) : "";
    out.push_back(digest_from_hex(
        sh_out(s.ref("repo", "commit -b main --tree=dir=" + (s / "t") + " -s c" + std::to_string(i) + extra))));
  }
  return out;
}

std::set<std::string> names(const ObjectSet& set) {
  std::set<std::string> out;
  for (auto& n : set) out.insert(n.str());
  return out;
}

std::set<std::string> on_disk(const Repo& repo) {
  std::set<std::string> out;
  for (auto& [csum, type] : repo.list_objects()) out.insert(ObjectName{csum, type}.str());
  return out;
}

}  // namespace

TEST_CASE("reachable set with depth 0 is exactly what upstream's prune keeps") {
  Scratch s;
  auto commits = make_history(s);
  auto repo = Repo::open(AT_FDCWD, s / "repo");
  Reachability r(repo);
  r.add_commit(commits.back(), 0);
  CHECK(r.problems().empty());
  // commit + commitmeta + root dirtree + 3 dirtrees/dirmeta levels + 2 files
  CHECK(r.contains({commits.back(), ObjectType::commit}));
  CHECK(r.contains({commits.back(), ObjectType::commit_meta}));
  CHECK_FALSE(r.contains({commits[1], ObjectType::commit}));

  sh(s.ref("repo", "prune --refs-only --depth=0 >/dev/null"));
  auto repo_after = Repo::open(AT_FDCWD, s / "repo");
  CHECK(names(r.objects()) == on_disk(repo_after));
}

TEST_CASE("depth follows parents; -1 follows all of them") {
  Scratch s;
  auto commits = make_history(s);
  auto repo = Repo::open(AT_FDCWD, s / "repo");
  Reachability one(repo);
  one.add_commit(commits[2], 1);
  CHECK(one.contains({commits[1], ObjectType::commit}));
  CHECK_FALSE(one.contains({commits[0], ObjectType::commit}));

  Reachability all(repo);
  all.add_commit(commits[2], -1);
  for (auto& c : commits) CHECK(all.contains({c, ObjectType::commit}));
  // Everything in the repository is reachable from the tip with full history.
  CHECK(names(all.objects()) == on_disk(repo));

  // A second, deeper request for a commit already walked reaches further back.
  Reachability grow(repo);
  grow.add_commit(commits[2], 0);
  grow.add_commit(commits[2], -1);
  CHECK(grow.contains({commits[0], ObjectType::commit}));
}

TEST_CASE("commits-only scope skips trees") {
  Scratch s;
  auto commits = make_history(s);
  auto repo = Repo::open(AT_FDCWD, s / "repo");
  Reachability r(repo);
  r.add_commit(commits[2], -1, TraverseScope::commits_only);
  for (auto& n : r.objects()) CHECK((n.type == ObjectType::commit || n.type == ObjectType::commit_meta));
  CHECK(r.objects().size() == 5);  // 3 commits, 2 commitmeta
}

TEST_CASE("missing and malformed dirtrees are collected, the rest is still walked") {
  Scratch s;
  auto commits = make_history(s);
  auto repo = Repo::open(AT_FDCWD, s / "repo");
  auto commit = repo.load_commit(commits[2]);
  auto root = repo.load_dirtree(commit.root_tree);
  REQUIRE(root.dirs.size() == 1);  // sub/
  Digest sub = root.dirs[0].tree;
  auto sub_tree = repo.load_dirtree(sub);
  REQUIRE(sub_tree.dirs.size() == 1);  // sub/deeper
  Digest deeper = sub_tree.dirs[0].tree;

  // Truncate sub/ (malformed), delete sub/deeper (missing, but only reachable
  // through sub, so it must not be reported); then break the root of an
  // older commit instead, by deleting it.
  auto sub_path = loose_object_path(sub, ObjectType::dir_tree, repo.mode());
  sh("truncate -s 3 " + (s / ("repo/objects/" + sub_path)));

  Reachability r(repo, RecordParents::yes);
  r.add_commit(commits[2], -1);
  REQUIRE(r.problems().size() == 1);
  CHECK(r.problems()[0].object == ObjectName{sub, ObjectType::dir_tree});
  CHECK_FALSE(r.problems()[0].missing);
  CHECK_THAT(r.problems()[0].message, Catch::Contains(digest_hex(sub)));
  CHECK_FALSE(r.contains({deeper, ObjectType::dir_tree}));
  // The root file of each commit is still found.
  for (auto& c : commits) {
    auto t = repo.load_dirtree(repo.load_commit(c).root_tree);
    CHECK(r.contains({t.files[0].checksum, ObjectType::file}));
  }
  // All three commits share the broken subtree.
  auto sorted = commits;
  std::sort(sorted.begin(), sorted.end());
  CHECK(r.commits_containing({sub, ObjectType::dir_tree}) == sorted);

  auto root0 = repo.load_commit(commits[0]).root_tree;
  REQUIRE(repo.delete_object(ObjectType::dir_tree, root0));
  Reachability r2(repo, RecordParents::yes);
  r2.add_commit(commits[0], 0);
  auto missing = std::find_if(r2.problems().begin(), r2.problems().end(),
                              [&](auto& p) { return p.object == ObjectName{root0, ObjectType::dir_tree}; });
  REQUIRE(missing != r2.problems().end());
  CHECK(missing->missing);
  CHECK(missing->message == "No such metadata object " + digest_hex(root0) + ".dirtree");
  CHECK(r2.commits_containing(missing->object) == std::vector<Digest>{commits[0]});
}

TEST_CASE("a partial commit's missing objects are expected, a missing start commit is not") {
  Scratch s;
  auto commits = make_history(s);
  auto repo = Repo::open(AT_FDCWD, s / "repo");
  auto root = repo.load_commit(commits[2]).root_tree;
  REQUIRE(repo.delete_object(ObjectType::dir_tree, root));
  mark_commit_partial(repo, commits[2], PartialReason::none);
  Reachability r(repo);
  r.add_commit(commits[2], 0);
  CHECK(r.problems().empty());

  Digest absent = sha256("no such commit");
  r.add_commit(absent, 0);
  REQUIRE(r.problems().size() == 1);
  CHECK(r.problems()[0].missing);
  CHECK(r.problems()[0].object == ObjectName{absent, ObjectType::commit});

  // A pruned parent just ends the walk.
  REQUIRE(repo.delete_object(ObjectType::commit, commits[0]));
  Reachability r3(repo);
  r3.add_commit(commits[1], -1);
  CHECK(r3.problems().empty());
}
