#include "store/checkout.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "scratch.hpp"
#include "store/content.hpp"
#include "tree_manifest.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;
using ot::test::tree_manifest;

namespace {

// Not derived from __FILE__: a compiler cache may make that relative.
std::string src_dir() { return OT_SOURCE_DIR; }

// The edge-case tree committed by the reference into one repo per mode.
// Built once per test run: it takes a second or two.
struct EdgeRepos {
  Scratch s;
  std::map<std::string, Digest> commit;  // by mode name
  EdgeRepos() {
    sh("bash " + src_dir() + "/tests/data/make-edge-tree.sh " + (s / "tree") + " 2>/dev/null");
    for (std::string mode : {"bare", "bare-user", "bare-user-only", "archive"}) {
      s.ref_init(mode, mode);
      commit[mode] = digest_from_hex(sh_out(s.ref(mode, "commit -b main --tree=dir=" + (s / "tree") + " -s edge")));
    }
  }
};

EdgeRepos& edge() {
  static EdgeRepos e;
  return e;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// Names in dir starting with prefix (leftover temporary directories).
size_t count_prefixed(const std::string& dir, const std::string& prefix) {
  auto fd = sys::open_dir(AT_FDCWD, dir);
  size_t n = 0;
  for (auto& e : sys::list_dir(fd.get())) n += e.name.starts_with(prefix);
  return n;
}

}  // namespace

// One test case with sections, so ctest (a process per case) builds the
// edge repos once.
TEST_CASE("checkouts of the edge tree") {
  auto& e = edge();

  SECTION("match the reference's in every repo and checkout mode") {
    for (std::string mode : {"bare", "bare-user", "bare-user-only", "archive"}) {
      auto repo = Repo::open(AT_FDCWD, e.s / mode);
      // bare-user-only checkouts are always user checkouts: one is enough.
      for (bool user : {false, true}) {
        if (mode == "bare-user-only" && !user) continue;
        INFO("repo mode " << mode << (user ? ", user checkout" : ", normal checkout"));
        Scratch out;
        sh(e.s.ref(mode, std::string("checkout ") + (user ? "-U " : "") + "main " + (out / "ref")));
        CheckoutOptions opts;
        opts.mode = user ? CheckoutMode::user : CheckoutMode::normal;
        auto stats = checkout(repo, e.commit[mode], out.fd(), "ours", opts);
        CHECK(tree_manifest(out.fd(), "ours") == tree_manifest(out.fd(), "ref"));
        CHECK(count_prefixed(out.dir.name(), ".tmp-") == 0);
        bool hardlinks = (mode == "bare" && !user) || (mode != "bare" && mode != "archive" && user);
        if (hardlinks) {
          CHECK(stats.files_linked > 2000);
          // A hardlink checkout shares inodes with the object store.
          CHECK(sys::stat_at(out.fd(), "ours/files/small").st_nlink > 1);
        } else {
          CHECK(stats.files_linked == 0);
          CHECK(stats.files_copied > 2000);
        }
      }
    }
  }

  SECTION("force-copy never hardlinks and still reproduces the tree") {
    auto repo = Repo::open(AT_FDCWD, e.s / "bare");
    Scratch out;
    sh(e.s.ref("bare", "checkout -C main " + (out / "ref")));
    CheckoutOptions opts;
    opts.links = LinkPolicy::force_copy;
    auto stats = checkout(repo, e.commit["bare"], out.fd(), "ours", opts);
    CHECK(stats.files_linked == 0);
    CHECK(tree_manifest(out.fd(), "ours") == tree_manifest(out.fd(), "ref"));
    CHECK(sys::stat_at(out.fd(), "ours/files/small").st_nlink == 1);
  }

  SECTION("a checkout to another filesystem copies, and -H refuses it") {
    if (!exists("/dev/shm")) return;
    auto repo = Repo::open(AT_FDCWD, e.s / "bare");
    TempDir shm(AT_FDCWD, "/dev/shm/ot-unit-");
    auto stats = checkout(repo, e.commit["bare"], shm.fd(), "co");
    CHECK(stats.files_linked == 0);
    CHECK(stats.files_copied > 2000);
    Scratch ref;
    sh(e.s.ref("bare", "checkout main " + (ref / "co")));
    CHECK(tree_manifest(shm.fd(), "co") == tree_manifest(ref.fd(), "co"));

    CheckoutOptions h;
    h.links = LinkPolicy::require_hardlinks;
    CHECK_THROWS_WITH(checkout(repo, e.commit["bare"], shm.fd(), "co-h", h),
                      Catch::Contains("Unable to do hardlink checkout across devices"));
    CHECK_FALSE(sys::stat_at_opt(shm.fd(), "co-h"));
  }

  SECTION("-H with mismatched repo and checkout modes fails as upstream does") {
    Scratch out;
    CheckoutOptions h;
    h.links = LinkPolicy::require_hardlinks;
    h.mode = CheckoutMode::user;
    CHECK_THROWS_WITH(checkout(Repo::open(AT_FDCWD, e.s / "bare"), e.commit["bare"], out.fd(), "a", h),
                      Catch::Contains("Bare repository mode cannot hardlink in user checkout mode"));
    h.mode = CheckoutMode::normal;
    CHECK_THROWS_WITH(checkout(Repo::open(AT_FDCWD, e.s / "bare-user"), e.commit["bare-user"], out.fd(), "b", h),
                      Catch::Contains("User repository mode requires user checkout mode to hardlink"));
    CHECK(sys::list_dir(out.fd()).empty());
  }

  SECTION("one thread or many give the same tree") {
    auto repo = Repo::open(AT_FDCWD, e.s / "archive");
    Scratch out;
    CheckoutOptions one;
    one.threads = 1;
    checkout(repo, e.commit["archive"], out.fd(), "one", one);
    CheckoutOptions four;
    four.threads = 4;
    checkout(repo, e.commit["archive"], out.fd(), "four", four);
    CHECK(tree_manifest(out.fd(), "one") == tree_manifest(out.fd(), "four"));
  }
}

namespace {

// A small bare repo made by the reference: a/file, a/link -> file, b/sub/deep.
struct SmallRepo {
  Scratch s;
  Digest commit;
  SmallRepo(const std::string& mode = "bare") {
    sh("mkdir -p " + (s / "t/a") + " " + (s / "t/b/sub") + " && echo one > " + (s / "t/a/file") +
       " && ln -s file " + (s / "t/a/link") + " && echo deep > " + (s / "t/b/sub/deep") + " && chmod 0555 " +
       (s / "t/b"));
    s.ref_init("repo", mode);
    commit = digest_from_hex(sh_out(s.ref("repo", "commit -b main --tree=dir=" + (s / "t"))));
  }
  Repo repo() const { return Repo::open(AT_FDCWD, s / "repo"); }
  // The content object of dir/name ("b/sub", "deep").
  Digest file_object(const std::string& dir, const std::string& name) const {
    auto r = repo();
    auto tree = r.load_dirtree(r.load_commit(commit).root_tree);
    for (size_t start = 0; start < dir.size();) {
      size_t end = std::min(dir.find('/', start), dir.size());
      auto part = dir.substr(start, end - start);
      auto d = std::find_if(tree.dirs.begin(), tree.dirs.end(), [&](auto& x) { return x.name == part; });
      REQUIRE(d != tree.dirs.end());
      tree = r.load_dirtree(d->tree);
      start = end + 1;
    }
    auto f = std::find_if(tree.files.begin(), tree.files.end(), [&](auto& x) { return x.name == name; });
    REQUIRE(f != tree.files.end());
    return f->checksum;
  }
};

}  // namespace

TEST_CASE("a missing object fails the checkout with one line naming it, and leaves nothing behind") {
  for (std::string mode : {"bare", "archive"}) {
    SmallRepo r(mode);
    auto repo = r.repo();
    Digest deep = r.file_object("b/sub", "deep");
    REQUIRE(repo.delete_object(ObjectType::file, deep));
    Scratch out;
    try {
      checkout(repo, r.commit, out.fd(), "co");
      FAIL("checkout succeeded");
    } catch (const Error& err) {
      std::string msg = err.what();
      CHECK(msg.find('\n') == std::string::npos);
      CHECK_THAT(msg, Catch::Contains(digest_hex(deep)) && Catch::Contains("/b/sub/deep") &&
                          Catch::Contains("No such file object"));
    }
    CHECK(sys::list_dir(out.fd()).empty());  // neither co nor .tmp-checkout-*
  }
}

TEST_CASE("a truncated dirtree or a missing commit fails cleanly") {
  SmallRepo r;
  auto repo = r.repo();
  Digest a_tree = repo.load_dirtree(repo.load_commit(r.commit).root_tree).dirs[0].tree;
  sh("truncate -s 5 " + (r.s / ("repo/objects/" + loose_object_path(a_tree, ObjectType::dir_tree, repo.mode()))));
  Scratch out;
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "co"),
                    Catch::Contains("/a/") && Catch::Contains(digest_hex(a_tree)));
  CHECK(sys::list_dir(out.fd()).empty());
  Digest none = sha256("none");
  CHECK_THROWS_WITH(checkout(repo, none, out.fd(), "co"),
                    Catch::Contains("No such metadata object " + digest_hex(none) + ".commit"));
  CHECK(sys::list_dir(out.fd()).empty());
}

TEST_CASE("the destination must not exist unless a union mode is asked for") {
  SmallRepo r;
  auto repo = r.repo();
  Scratch out;
  sh("mkdir " + (out / "co") + " && echo mine > " + (out / "co/keep"));
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "co"), Catch::Contains("File exists"));
  CHECK(sys::read_file_at(out.fd(), "co/keep") == "mine\n");
  CHECK(sys::list_dir(out.fd()).size() == 1);
}

TEST_CASE("union modes: --union replaces files, --union-add keeps them, --union-identical insists") {
  SmallRepo r;
  auto repo = r.repo();
  Scratch out;
  auto prepare = [&](const std::string& name) {
    sh("mkdir -p " + (out / (name + "/a")) + " && echo mine > " + (out / (name + "/a/file")) + " && echo extra > " +
       (out / (name + "/a/extra")));
  };
  prepare("union");
  CheckoutOptions u;
  u.overwrite = OverwriteMode::union_files;
  checkout(repo, r.commit, out.fd(), "union", u);
  CHECK(sys::read_file_at(out.fd(), "union/a/file") == "one\n");
  CHECK(sys::read_file_at(out.fd(), "union/a/extra") == "extra\n");
  CHECK(sys::read_file_at(out.fd(), "union/b/sub/deep") == "deep\n");
  // A second union checkout over a complete one changes nothing.
  checkout(repo, r.commit, out.fd(), "union", u);

  prepare("add");
  CheckoutOptions a;
  a.overwrite = OverwriteMode::union_add;
  auto stats = checkout(repo, r.commit, out.fd(), "add", a);
  CHECK(sys::read_file_at(out.fd(), "add/a/file") == "mine\n");
  CHECK(sys::read_file_at(out.fd(), "add/b/sub/deep") == "deep\n");
  CHECK(stats.files_skipped == 1);

  CheckoutOptions i;
  i.overwrite = OverwriteMode::union_identical;
  i.links = LinkPolicy::require_hardlinks;
  CHECK_NOTHROW(checkout(repo, r.commit, out.fd(), "union", i));  // identical: same inodes
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "add", i), Catch::Contains("File exists"));
  // Identical content in a separate copy also counts as the same object.
  sh("cp -a " + (out / "union") + " " + (out / "copy"));
  CHECK_NOTHROW(checkout(repo, r.commit, out.fd(), "copy", i));
  CheckoutOptions no_h;
  no_h.overwrite = OverwriteMode::union_identical;
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "union", no_h),
                    Catch::Contains("--union-identical requires --require-hardlinks"));
}

TEST_CASE("union checkouts never follow a symlink planted in the destination") {
  SmallRepo r;
  auto repo = r.repo();
  Scratch out;
  sh("mkdir -p " + (out / "outside") + " " + (out / "co") + " && ln -s ../outside " + (out / "co/a"));
  CheckoutOptions u;
  u.overwrite = OverwriteMode::union_files;
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "co", u), Catch::Contains("/a/"));
  CHECK(sys::list_dir(sys::open_dir(out.fd(), "outside").get()).empty());
  // A symlink where the tree has a file is replaced, not written through.
  sh("rm " + (out / "co/a") + " && mkdir " + (out / "co/a") + " && ln -s ../../outside/victim " +
     (out / "co/a/file"));
  checkout(repo, r.commit, out.fd(), "co", u);
  CHECK_FALSE(sys::stat_at_opt(out.fd(), "outside/victim"));
  CHECK(sys::read_file_at(out.fd(), "co/a/file") == "one\n");
}

TEST_CASE("whiteouts remove what lower layers put there") {
  Scratch s;
  s.ref_init("repo", "bare");
  sh("mkdir -p " + (s / "lower/etc/old") + " " + (s / "lower/opaque") + " && echo x > " + (s / "lower/etc/gone") +
     " && echo y > " + (s / "lower/etc/old/f") + " && echo z > " + (s / "lower/opaque/f") + " && echo k > " +
     (s / "lower/etc/kept"));
  sh("mkdir -p " + (s / "upper/etc") + " " + (s / "upper/opaque") + " && touch " + (s / "upper/etc/.wh.gone") + " " +
     (s / "upper/etc/.wh.old") + " " + (s / "upper/opaque/.wh..wh..opq") + " && echo new > " +
     (s / "upper/opaque/new"));
  auto lower = digest_from_hex(sh_out(s.ref("repo", "commit -b lower --tree=dir=" + (s / "lower"))));
  auto upper = digest_from_hex(sh_out(s.ref("repo", "commit -b upper --tree=dir=" + (s / "upper"))));
  auto repo = Repo::open(AT_FDCWD, s / "repo");
  CheckoutOptions w;
  w.overwrite = OverwriteMode::union_files;
  w.process_whiteouts = true;
  checkout(repo, lower, s.fd(), "ours", w);
  checkout(repo, upper, s.fd(), "ours", w);
  sh(s.ref("repo", "checkout --union --whiteouts lower " + (s / "ref")));
  sh(s.ref("repo", "checkout --union --whiteouts upper " + (s / "ref")));
  CHECK(tree_manifest(s.fd(), "ours") == tree_manifest(s.fd(), "ref"));
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "ours/etc/gone"));
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "ours/etc/old"));
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "ours/etc/.wh.gone"));
  CHECK_FALSE(sys::stat_at_opt(s.fd(), "ours/opaque/f"));
  CHECK(sys::stat_at_opt(s.fd(), "ours/etc/kept"));
}

TEST_CASE("subpaths: a directory, a single file, and a missing one") {
  SmallRepo r;
  auto repo = r.repo();
  Scratch out;
  CheckoutOptions sub;
  sub.subpath = "/b/sub";
  checkout(repo, r.commit, out.fd(), "dir", sub);
  CHECK(sys::read_file_at(out.fd(), "dir/deep") == "deep\n");

  sub.subpath = "a/file";
  checkout(repo, r.commit, out.fd(), "single", sub);
  CHECK(sys::read_file_at(out.fd(), "single/file") == "one\n");
  CHECK((sys::stat_at(out.fd(), "single").st_mode & 07777) == 0700);

  sub.subpath = "/nope";
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "none", sub), Catch::Contains("No such file or directory: /nope"));
  sub.allow_noent = true;
  CHECK(checkout(repo, r.commit, out.fd(), "none", sub).nothing_to_do);
  CHECK_FALSE(sys::stat_at_opt(out.fd(), "none"));
  sub.subpath = "/a/file/x";
  CHECK_THROWS_WITH(checkout(repo, r.commit, out.fd(), "x", sub), Catch::Contains("Not a directory"));
}

TEST_CASE("skip list leaves out the named files and directories") {
  SmallRepo r;
  auto repo = r.repo();
  Scratch out;
  CheckoutOptions o;
  o.skip_paths = {"/a/link", "/b/sub/"};
  auto stats = checkout(repo, r.commit, out.fd(), "co", o);
  CHECK(stats.files_skipped == 2);
  CHECK(sys::stat_at_opt(out.fd(), "co/a/file"));
  CHECK_FALSE(sys::stat_at_opt(out.fd(), "co/a/link"));
  CHECK(sys::stat_at_opt(out.fd(), "co/b"));
  CHECK_FALSE(sys::stat_at_opt(out.fd(), "co/b/sub"));
}

TEST_CASE("archive user checkouts fill and reuse upstream's uncompressed-objects-cache") {
  Scratch s;
  s.ref_init("repo", "archive");
  sh("mkdir -p " + (s / "t/d") + " && cd " + (s / "t") +
     " && for m in 000 070 644 4755 0600; do echo $m > f$m; chmod $m f$m; done && : > empty && ln -s f644 link"
     " && echo sub > d/sub");
  auto commit = digest_from_hex(sh_out(s.ref("repo", "commit -b m --tree=dir=" + (s / "t"))));
  sh("cp -a " + (s / "repo") + " " + (s / "theirs"));
  sh(s.ref("theirs", "checkout -U m " + (s / "ref1")) + " && " + s.ref("theirs", "checkout -U m " + (s / "ref2")));

  auto repo = Repo::open(AT_FDCWD, s / "repo");
  CheckoutOptions o;
  o.mode = CheckoutMode::user;
  o.uncompressed_cache = true;
  auto first = checkout(repo, commit, s.fd(), "ours1", o);
  auto second = checkout(repo, commit, s.fd(), "ours2", o);
  CHECK(first.files_linked == 4);  // f644, f4755, f0600, d/sub: cached, then linked
  CHECK(second.files_linked == 4);
  CHECK(tree_manifest(s.fd(), "ours2") == tree_manifest(s.fd(), "ref2"));
  CHECK(sys::stat_at(s.fd(), "ours2/f644").st_ino == sys::stat_at(s.fd(), "ours1/f644").st_ino);
  // The same cache entries, modes and link counts as the reference leaves.
  CHECK(sh_out("cd " + (s / "repo/uncompressed-objects-cache") + " && find . -printf '%p %m %n\\n' | sort") ==
        sh_out("cd " + (s / "theirs/uncompressed-objects-cache") + " && find . -printf '%p %m %n\\n' | sort"));
  // Without the option (upstream's --disable-cache), nothing is linked.
  CheckoutOptions plain;
  plain.mode = CheckoutMode::user;
  CHECK(checkout(repo, commit, s.fd(), "plain", plain).files_linked == 0);
}
