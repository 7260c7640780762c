#include "store/fsck.hpp"

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

// Two commits on main (the second changes one file), by the reference.
struct FsckRepo {
  Scratch s;
  std::string mode;
  Digest first, second;
  explicit FsckRepo(std::string m = "archive") : mode(std::move(m)) {
    s.ref_init("repo", mode);
    sh("mkdir -p " + (s / "t/d/e") + " && echo a > " + (s / "t/a") + " && echo b > " + (s / "t/d/b") +
       " && ln -s a " + (s / "t/link") + " && head -c 100000 /dev/urandom > " + (s / "t/d/e/big"));
    first = digest_from_hex(sh_out(s.ref("repo", "commit -b main --tree=dir=" + (s / "t") + " -s one")));
    sh("echo changed > " + (s / "t/a"));
    second = digest_from_hex(sh_out(s.ref("repo", "commit -b main --tree=dir=" + (s / "t") + " -s two")));
  }
  Repo repo() const { return Repo::open(AT_FDCWD, s / "repo"); }
  std::string path_of(const ObjectName& o) const {
    return s / ("repo/objects/" + loose_object_path(o.checksum, o.type, repo().mode()));
  }
  // The object for a path in the second commit ("d/e/big" → file, "d" → dirtree).
  ObjectName object(const std::string& path, ObjectType type) const {
    auto r = repo();
    auto c = r.load_commit(second);
    Digest tree = c.root_tree;
    std::string rest = path;
    for (;;) {
      auto t = r.load_dirtree(tree);
      auto slash = rest.find('/');
      std::string part = rest.substr(0, slash);
      if (slash == std::string::npos) {
        if (type == ObjectType::file)
          for (auto& f : t.files)
            if (f.name == part) return {f.checksum, type};
        for (auto& d : t.dirs)
          if (d.name == part) return {type == ObjectType::dir_tree ? d.tree : d.meta, type};
        FAIL("no " << path);
      }
      auto d = std::find_if(t.dirs.begin(), t.dirs.end(), [&](auto& x) { return x.name == part; });
      REQUIRE(d != t.dirs.end());
      tree = d->tree;
      rest = rest.substr(slash + 1);
    }
  }
};

void flip_byte(const std::string& path, long offset) {
  sh("printf '\\x5a' | dd of=" + path + " bs=1 seek=" + std::to_string(offset) + " conv=notrunc status=none");
}

}  // namespace

TEST_CASE("a healthy repository passes in every mode, as the reference agrees") {
  for (std::string mode : {"bare", "bare-user", "bare-user-only", "archive"}) {
    INFO(mode);
    FsckRepo r(mode);
    auto repo = r.repo();
    size_t progress_calls = 0;
    FsckOptions opts;
    opts.progress = [&](size_t done, size_t total) {
      progress_calls++;
      CHECK(done <= total);
    };
    auto report = fsck(repo, opts);
    CHECK_FALSE(report.corruption_found());
    CHECK_FALSE(report.error_message());
    CHECK(report.commits_checked == 2);
    // Every object in the repository was needed by one of the two commits.
    CHECK(report.objects_checked == repo.list_objects().size());
    CHECK(progress_calls == report.objects_checked);
    sh(r.s.ref("repo", "fsck -q >/dev/null"));
  }
}

TEST_CASE("a corrupted content object is reported by name; --delete removes it and marks commits partial") {
  for (std::string mode : {"archive", "bare"}) {
    INFO(mode);
    FsckRepo r(mode);
    auto big = r.object("d/e/big", ObjectType::file);
    flip_byte(r.path_of(big), mode == "archive" ? 200 : 5000);
    auto repo = r.repo();

    auto report = fsck(repo);
    REQUIRE(report.problems.size() == 1);
    auto& p = report.problems[0];
    CHECK(p.object == big);
    CHECK_FALSE(p.missing);
    CHECK(p.commits == std::vector<Digest>{std::min(r.first, r.second), std::max(r.first, r.second)});
    CHECK_THAT(p.describe(), Catch::StartsWith("In commits ") &&
                                 Catch::Contains("fsck content object " + digest_hex(big.checksum) +
                                                 ": Corrupted file object; checksum expected='" +
                                                 digest_hex(big.checksum) + "' actual='"));
    CHECK(report.stopped_early);
    CHECK(report.marked_partial.empty());  // still there: nothing to refetch yet
    CHECK(report.error_message() == p.describe());
    // The reference names the same object.
    auto ref_err = sh_out(r.s.ref("repo", "fsck 2>&1 >/dev/null; true"));
    CHECK_THAT(ref_err, Catch::Contains(digest_hex(big.checksum)));

    FsckOptions del;
    del.delete_corrupt = true;
    report = fsck(repo, del);
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].deleted);
    CHECK_FALSE(repo.has_object(ObjectType::file, big.checksum));
    CHECK(report.marked_partial.size() == 2);
    CHECK(commit_partial_reason(repo, r.second) == PartialReason::fsck);
    CHECK(report.error_message() == "Repository corruption encountered");

    // Both partial now: nothing verified, and the same message as upstream.
    report = fsck(repo);
    CHECK(report.commits_checked == 0);
    CHECK(report.partial_by_fsck == 2);
    CHECK(report.error_message() == "2 partial commits from fsck-detected corruption");
    CHECK_THAT(sh_out(r.s.ref("repo", "fsck 2>&1; true")),
               Catch::Contains("2 partial commits from fsck-detected corruption"));
  }
}

TEST_CASE("missing objects and a truncated dirtree are all listed in one run") {
  FsckRepo r("bare-user");
  auto a = r.object("a", ObjectType::file);
  auto b = r.object("d/b", ObjectType::file);
  auto e_meta = r.object("d/e", ObjectType::dir_meta);
  auto d_tree = r.object("d", ObjectType::dir_tree);
  sh("rm " + r.path_of(a) + " " + r.path_of(b));
  sh("truncate -s 10 " + r.path_of(d_tree));
  auto repo = r.repo();
  (void)e_meta;

  FsckOptions all;
  all.all = true;
  auto report = fsck(repo, all);
  CHECK_FALSE(report.stopped_early);
  auto find = [&](const ObjectName& o) {
    return std::find_if(report.problems.begin(), report.problems.end(), [&](auto& p) { return p.object == o; });
  };
  // a/ (second commit only) is missing; d/b is unknown to the walk because
  // d's dirtree is broken, and d's dirtree itself is corrupt.
  REQUIRE(find(a) != report.problems.end());
  CHECK(find(a)->missing);
  CHECK(find(a)->describe() == "Object missing in commits " + digest_hex(r.second) + ": " + a.str());
  REQUIRE(find(d_tree) != report.problems.end());
  CHECK_FALSE(find(d_tree)->missing);
  CHECK_THAT(find(d_tree)->describe(),
             Catch::Contains("fsck " + d_tree.str() + ": Corrupted dirtree object; checksum expected='"));
  CHECK(report.error_message() == "Repository corruption encountered");
  // The commit holding the missing file is marked partial, as upstream does.
  CHECK(std::count(report.marked_partial.begin(), report.marked_partial.end(), r.second) == 1);
  CHECK(sys::read_file_at(repo.dfd(), "state/" + digest_hex(r.second) + ".commitpartial") == "f");
}

TEST_CASE("a ref to a missing commit is an error naming the ref") {
  FsckRepo r;
  auto repo = r.repo();
  repo.set_ref("other/branch", sha256("nothing"));
  auto report = fsck(repo);
  REQUIRE(report.ref_problems.size() == 1);
  CHECK(report.ref_problems[0].ref == "other/branch");
  CHECK(report.error_message() == "Loading commit for ref other/branch: No such metadata object " +
                                      digest_hex(sha256("nothing")) + ".commit");
  CHECK(report.stopped_early);
  FsckOptions all;
  all.all = true;
  report = fsck(repo, all);
  CHECK(report.commits_checked == 2);
  CHECK(report.problems.empty());
  CHECK(report.error_message() == "Repository corruption encountered");
}

TEST_CASE("a corrupted commit object and a bad dirmeta are caught by re-hashing") {
  FsckRepo r;
  auto repo = r.repo();
  ObjectName commit{r.first, ObjectType::commit};
  sh(": > " + r.path_of(commit));
  auto meta = r.object("d", ObjectType::dir_meta);
  flip_byte(r.path_of(meta), 2);
  FsckOptions all;
  all.all = true;
  auto report = fsck(repo, all);
  std::set<std::string> bad;
  for (auto& p : report.problems) bad.insert(p.object.str());
  CHECK(bad.count(commit.str()));
  CHECK(bad.count(meta.str()));
  CHECK(check_metadata_object(repo, ObjectType::commit, r.second) == std::nullopt);
  CHECK_THAT(*check_metadata_object(repo, ObjectType::commit, r.first), Catch::StartsWith("Corrupted commit object"));
}
