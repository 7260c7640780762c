#include "store/prune.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "scratch.hpp"
#include "store/repo_lock.hpp"
#include "store/traverse.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;

namespace {

// History made by the reference: main has 3 commits (2020, 2021, 2022, with
// detached metadata on the middle one), other has 2 commits branching from
// main's first, one orphan commit has no ref, and one ref was deleted.
struct History {
  Scratch s;
  std::vector<Digest> main, other;
  Digest orphan, dropped;
  explicit History(const std::string& mode = "archive") {
    s.ref_init("repo", mode);
    sh("mkdir -p " + (s / "t/sub") + " && echo base > " + (s / "t/sub/base"));
    auto commit = [&](const std::string& args, const std::string& content) {
      sh("echo " + content + " > " + (s / "t/f"));
      return digest_from_hex(sh_out(s.ref("repo", "commit --tree=dir=" + (s / "t") + " " + args)));
    };
    main.push_back(commit("-b main --timestamp=2020-01-01T00:00:00Z", "m1"));
    other.push_back(commit("-b other --parent=" + digest_hex(main[0]) + " --timestamp=2020-02-01T00:00:00Z", "o1"));
    main.push_back(commit("-b main --timestamp=2021-01-01T00:00:00Z --add-detached-metadata-string=k=v", "m2"));
    other.push_back(commit("-b other --timestamp=2021-02-01T00:00:00Z", "o2"));
    main.push_back(commit("-b main --timestamp=2022-01-01T00:00:00Z", "m3"));
    orphan = commit("--orphan --timestamp=2022-02-01T00:00:00Z", "orphan");
    dropped = commit("-b dropped --timestamp=2022-03-01T00:00:00Z", "dropped");
    sh(s.ref("repo", "refs --delete dropped"));
  }
  // A copy of the repository to run one prune on.
  std::string copy(const std::string& name) const {
    sh("cp -a " + (s / "repo") + " " + (s / name));
    return s / name;
  }
};

std::set<std::string> objects_of(const std::string& path) {
  std::set<std::string> out;
  for (auto& [c, t] : Repo::open(AT_FDCWD, path).list_objects()) out.insert(ObjectName{c, t}.str());
  return out;
}

}  // namespace

TEST_CASE("prune removes what upstream's prune removes and reports it in the same words") {
  History h;
  struct Case {
    std::string ref_args;
    PruneOptions ours;
  };
  std::vector<Case> cases;
  cases.push_back({"", {}});
  {
    PruneOptions o;
    o.refs_only = true;
    cases.push_back({"--refs-only", o});
    o.depth = 0;
    cases.push_back({"--refs-only --depth=0", o});
    o.no_prune = true;
    cases.push_back({"--refs-only --depth=0 --no-prune", o});
    o.no_prune = false;
    o.commit_only = true;
    cases.push_back({"--refs-only --depth=0 --commit-only", o});
  }
  {
    PruneOptions o;
    o.depth = 1;
    cases.push_back({"--depth=1", o});
  }
  {
    PruneOptions o;
    o.keep_younger_than = 1600000000;  // 2020-09-13
    cases.push_back({"--keep-younger-than=@1600000000", o});
  }
  {
    PruneOptions o;
    o.depth = 0;
    o.retain_branch_depth = {parse_branch_depth("main=1")};
    cases.push_back({"--depth=0 --retain-branch-depth=main=1", o});
  }
  {
    PruneOptions o;
    o.depth = 0;
    o.only_branches = {"other"};
    cases.push_back({"--depth=0 --only-branch=other", o});
  }
  int n = 0;
  for (auto& c : cases) {
    INFO("prune " << c.ref_args);
    auto theirs = h.copy("ref" + std::to_string(n));
    auto ours_path = h.copy("ours" + std::to_string(n));
    n++;
    auto ref_out = sh_out(ot::test::ref_ostree() + " --repo=" + theirs + " prune " + c.ref_args) + "\n";
    auto repo = Repo::open(AT_FDCWD, ours_path);
    auto result = prune(repo, c.ours);
    CHECK(format_prune_result(result) == ref_out);
    CHECK(objects_of(ours_path) == objects_of(theirs));
  }
}

TEST_CASE("prune output for kilobytes uses g_format_size's spelling") {
  PruneResult r;
  r.objects_total = 10;
  r.objects_pruned = 3;
  r.bytes_freed = 123456;
  CHECK(format_prune_result(r) == "Total objects: 10\nDeleted 3 objects, 123.5\u00a0kB freed\n");
  r.no_prune = true;
  CHECK(format_prune_result(r) == "Total objects: 10\nWould delete: 3 objects, freeing 123.5\u00a0kB\n");
  r.objects_pruned = 0;
  r.commit_only = true;
  CHECK(format_prune_result(r) == "Total (commit only) objects: 10\nNo unreachable objects\n");
}

TEST_CASE("prune waits for writers: it cannot run while a transaction holds the lock") {
  History h;
  auto writer = Repo::open(AT_FDCWD, h.s / "repo");
  auto kf = writer.config();
  kf.set("core", "lock-timeout-secs", "0");
  writer.write_config(kf);
  writer = Repo::open(AT_FDCWD, h.s / "repo");
  writer.begin_transaction();
  auto pruner = Repo::open(AT_FDCWD, h.s / "repo");
  PruneOptions o;
  o.refs_only = true;
  CHECK_THROWS_WITH(prune(pruner, o), Catch::StartsWith("Locking repo exclusive failed"));
  CHECK(pruner.has_object(ObjectType::commit, h.dropped));
  o.no_prune = true;  // counting does not need the lock
  CHECK(prune(pruner, o).objects_pruned > 0);
  writer.abort_transaction();
  o.no_prune = false;
  CHECK(prune(pruner, o).objects_pruned > 0);
  CHECK_FALSE(pruner.has_object(ObjectType::commit, h.dropped));
}

TEST_CASE("prune refuses to guess when a needed dirtree is damaged") {
  History h;
  auto repo = Repo::open(AT_FDCWD, h.s / "repo");
  auto root = repo.load_commit(h.main[2]).root_tree;
  sh("truncate -s 7 " + (h.s / ("repo/objects/" + loose_object_path(root, ObjectType::dir_tree, repo.mode()))));
  auto before = objects_of(h.s / "repo");
  PruneOptions o;
  o.refs_only = true;
  CHECK_THROWS_WITH(prune(repo, o), Catch::StartsWith("Cannot prune") && Catch::Contains(digest_hex(root)));
  CHECK(objects_of(h.s / "repo") == before);
}

TEST_CASE("deleting a commit removes an unreferenced commit with its detached metadata, tombstoned on request") {
  History h;
  auto repo = Repo::open(AT_FDCWD, h.s / "repo");
  CHECK_THROWS_WITH(delete_commit(repo, h.main[2]),
                    "Commit '" + digest_hex(h.main[2]) + "' is referenced by 'main'");
  REQUIRE(repo.has_object(ObjectType::commit_meta, h.main[1]));
  delete_commit(repo, h.main[1]);
  CHECK_FALSE(repo.has_object(ObjectType::commit, h.main[1]));
  CHECK_FALSE(repo.has_object(ObjectType::commit_meta, h.main[1]));

  // With tombstones on, the same bytes as the reference leaves.
  auto theirs = h.copy("theirs");
  sh(ot::test::ref_ostree() + " --repo=" + theirs + " config set core.tombstone-commits true");
  sh(ot::test::ref_ostree() + " --repo=" + theirs + " prune --delete-commit=" + digest_hex(h.orphan) + " >/dev/null");
  auto kf = repo.config();
  kf.set("core", "tombstone-commits", "true");
  repo.write_config(kf);
  delete_commit(repo, h.orphan);
  auto tomb = loose_object_path(h.orphan, ObjectType::tombstone_commit, repo.mode());
  CHECK(sys::read_file_at(repo.objects_dfd(), tomb) ==
        sys::read_file_at(AT_FDCWD, theirs + "/objects/" + tomb));
}
