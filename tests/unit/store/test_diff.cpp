#include "store/diff.hpp"

#include "base/error.hpp"
#include "scratch.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;

namespace {

// Two commits by the reference: "one", then "two" with every kind of change
// (content, symlink target, directory mode, file replaced by a directory,
// removals, additions at several depths).
struct DiffRepo {
  Scratch s;
  Digest one, two;
  DiffRepo() {
    s.ref_init("repo", "bare");
    sh("cd " + (s / "") + " && mkdir -p t/files t/links t/modes t/deep/d1/d2 t/names t/same/inner && "
       "echo a > t/files/small && echo b > t/files/large && ln -s small t/links/rel && echo m > t/modes/f && "
       "echo d > t/deep/d1/d2/leaf && echo c > t/names/CASE && echo s > t/same/inner/x && echo r > t/root-file");
    one = digest_from_hex(sh_out(s.ref("repo", "commit -b one --tree=dir=" + (s / "t"))));
    sh("cd " + (s / "") + " && cp -a t t2 && rm -rf t2/deep/d1/d2 t2/files/small && echo changed > t2/files/large && "
       "mkdir -p t2/newdir/sub && echo x > t2/newdir/sub/f && echo y > t2/newfile && chmod 700 t2/modes && "
       "ln -sf other t2/links/rel && rm t2/names/CASE && mkdir t2/names/CASE && echo z > t2/names/CASE/in && "
       "echo n > t2/files/zz-new");
    two = digest_from_hex(sh_out(s.ref("repo", "commit -b two --tree=dir=" + (s / "t2"))));
  }
  Repo repo() const { return Repo::open(AT_FDCWD, s / "repo"); }
  std::string ref_diff(const std::string& args) const { return sh_out(s.ref("repo", "diff " + args)); }
};

std::string trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("diff of two commits lists what upstream lists, in its order") {
  DiffRepo d;
  auto repo = d.repo();
  auto r = diff(repo, DiffSide::commit(d.one), DiffSide::commit(d.two));
  CHECK(trimmed(format_diff(r)) == d.ref_diff("one two"));
  CHECK(std::find(r.modified.begin(), r.modified.end(), "/modes") != r.modified.end());
  CHECK(std::find(r.modified.begin(), r.modified.end(), "/names/CASE") != r.modified.end());
  CHECK(std::find(r.added.begin(), r.added.end(), "/newdir/sub/f") != r.added.end());
  // Backwards, additions become removals; a removed directory is one line.
  auto back = diff(repo, DiffSide::commit(d.two), DiffSide::commit(d.one));
  CHECK(trimmed(format_diff(back)) == d.ref_diff("two one"));
  CHECK(std::find(back.removed.begin(), back.removed.end(), "/newdir") != back.removed.end());
  CHECK(std::find(back.removed.begin(), back.removed.end(), "/newdir/sub") == back.removed.end());
  CHECK(diff(repo, DiffSide::commit(d.one), DiffSide::commit(d.one)).empty());
}

TEST_CASE("diff of a commit against a directory, as upstream, with owner overrides") {
  DiffRepo d;
  auto repo = d.repo();
  // The second tree on disk, compared with the first commit: same as commit vs commit,
  // but paths on the disk side are relative.
  auto r = diff(repo, DiffSide::commit(d.one), DiffSide::directory(AT_FDCWD, d.s / "t2"));
  CHECK(trimmed(format_diff(r)) == d.ref_diff("one " + (d.s / "t2")));
  CHECK(std::find(r.added.begin(), r.added.end(), "newfile") != r.added.end());
  // Past 1000 entries, GLib's batching shows in upstream's order.
  sh("mkdir " + (d.s / "t2/many") + " && cd " + (d.s / "t2/many") + " && for i in $(seq 1500); do : > f$i; done");
  r = diff(repo, DiffSide::commit(d.one), DiffSide::directory(AT_FDCWD, d.s / "t2"));
  CHECK(r.added.size() > 1500);
  CHECK(trimmed(format_diff(r)) == d.ref_diff("one " + (d.s / "t2")));

  // A checkout compares equal to its commit...
  sh(d.s.ref("repo", "checkout two " + (d.s / "co")));
  CHECK(diff(repo, DiffSide::commit(d.two), DiffSide::directory(AT_FDCWD, d.s / "co")).empty());
  // ...until an owner changes, which --owner-uid can mask.
  sh("chown 1234 " + (d.s / "co/newfile"));
  auto owned = diff(repo, DiffSide::commit(d.two), DiffSide::directory(AT_FDCWD, d.s / "co"));
  CHECK(owned.modified == std::vector<std::string>{"/newfile"});
  CHECK(trimmed(format_diff(owned)) == d.ref_diff("two " + (d.s / "co")));
  DiffOptions o;
  o.owner_uid = 0;
  CHECK(diff(repo, DiffSide::commit(d.two), DiffSide::directory(AT_FDCWD, d.s / "co"), o).empty());
}

TEST_CASE("diff arguments: paths are directories, anything else a rev") {
  DiffRepo d;
  auto repo = d.repo();
  CHECK(DiffSide::from_argument(repo, "one").commit_checksum() == d.one);
  CHECK(DiffSide::from_argument(repo, digest_hex(d.two)).commit_checksum() == d.two);
  CHECK_FALSE(DiffSide::from_argument(repo, "./t2").is_commit());
  CHECK_FALSE(DiffSide::from_argument(repo, d.s / "t2").is_commit());
  CHECK_THROWS_WITH(DiffSide::from_argument(repo, "nope"), Catch::Contains("Refspec 'nope' not found"));
}

TEST_CASE("diff --stats counts as upstream does") {
  DiffRepo d;
  auto repo = d.repo();
  auto s = diff_stats(repo, d.one, d.two);
  CHECK(format_diff_stats(s) == d.ref_diff("--stats one two") + "\n");
  CHECK(s.common_objects > 0);
  CHECK(s.common_objects < std::min(s.a_objects, s.b_objects));
}

TEST_CASE("diff fails naming a missing dirtree") {
  DiffRepo d;
  auto repo = d.repo();
  auto root = repo.load_dirtree(repo.load_commit(d.two).root_tree);
  auto newdir = std::find_if(root.dirs.begin(), root.dirs.end(), [](auto& e) { return e.name == "newdir"; });
  REQUIRE(newdir != root.dirs.end());
  repo.delete_object(ObjectType::dir_tree, newdir->tree);
  CHECK_THROWS_WITH(diff(repo, DiffSide::commit(d.one), DiffSide::commit(d.two)),
                    Catch::Contains(digest_hex(newdir->tree)));
}
