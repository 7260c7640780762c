#include "store/tree_path.hpp"

#include "base/error.hpp"
#include "scratch.hpp"
#include "store/content.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <functional>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;
using ot::test::sh_out;

namespace {

// A tree with a directory sorting before a file, and symlinks of every kind.
Digest make_commit(const Scratch& s) {
  s.ref_init("repo", "bare-user");
  sh("cd " + (s / "") + " && mkdir -p t/a t/d/e && echo b > t/b && echo a1 > t/a/x && echo top > t/top"
     " && echo inner > t/d/e/f && ln -s ../top t/d/up && ln -s /top t/d/abs && ln -s e/f t/d/deep"
     " && ln -s e t/d/todir && ln -s l2 t/d/l1 && ln -s l1 t/d/l2");
  return digest_from_hex(sh_out(s.ref("repo", "commit -b main -s s --tree=dir=" + (s / "t"))));
}

int errnum_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.errnum();
  }
  return 0;
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("paths resolve piece by piece, as upstream's OstreeRepoFile does") {
  Scratch s;
  const Digest commit = make_commit(s);
  const Repo repo = Repo::open(AT_FDCWD, s / "repo");
  const CommitTree tree(repo, commit);

  CHECK(tree.resolve(tree.root(), "/").path() == "/");
  CHECK(tree.resolve(tree.root(), "a/x").path() == "/a/x");
  CHECK(tree.resolve(tree.root(), "/a/x").path() == "/a/x");
  CHECK_FALSE(tree.resolve(tree.root(), "a/x").is_dir);
  // "a//x" starts over at the root after "a/"; "." and ".." are plain names.
  CHECK(message_of([&] { tree.resolve(tree.root(), "a//x"); }) == "No such file or directory: /x");
  CHECK(message_of([&] { tree.resolve(tree.root(), "a/../b"); }) == "No such file or directory: /a/..");
  CHECK(message_of([&] { tree.resolve(tree.root(), "./b"); }) == "No such file or directory: /.");
  CHECK(message_of([&] { tree.resolve(tree.root(), "a/"); }) == "No such file or directory: /a/");
  CHECK(errnum_of([&] { tree.resolve(tree.root(), "nope"); }) == ENOENT);
  CHECK(errnum_of([&] { tree.resolve(tree.root(), "b/"); }) == ENOTDIR);
  CHECK(errnum_of([&] { tree.resolve(tree.root(), "a/x/y"); }) == ENOTDIR);
  // Relative to a directory, an absolute path still starts at the root.
  const TreeNode d = tree.resolve(tree.root(), "d");
  CHECK(tree.resolve(d, "e/f").path() == "/d/e/f");
  CHECK(tree.resolve(d, "/b").path() == "/b");
}

TEST_CASE("children list files before directories, each by name") {
  Scratch s;
  const Digest commit = make_commit(s);
  const Repo repo = Repo::open(AT_FDCWD, s / "repo");
  const CommitTree tree(repo, commit);
  std::vector<std::string> paths;
  for (const auto& c : tree.children(tree.root())) paths.push_back(c.path());
  CHECK(paths == std::vector<std::string>{"/b", "/top", "/a", "/d"});
}

TEST_CASE("info gives mode, size and symlink target; reading follows symlinks inside the commit") {
  Scratch s;
  const Digest commit = make_commit(s);
  const Repo repo = Repo::open(AT_FDCWD, s / "repo");
  const CommitTree tree(repo, commit);

  const TreeNodeInfo b = tree.info(tree.resolve(tree.root(), "b"));
  CHECK(S_ISREG(b.mode));
  CHECK(b.size == 2);
  const TreeNodeInfo up = tree.info(tree.resolve(tree.root(), "d/up"));
  CHECK(S_ISLNK(up.mode));
  CHECK(up.size == 0);
  CHECK(up.symlink_target == "../top");
  CHECK(S_ISDIR(tree.info(tree.root()).mode));

  auto read = [&](const std::string& path) {
    const TreeNode f = tree.file_to_read(tree.resolve(tree.root(), path));
    return read_content(load_content(repo, f.checksum));
  };
  CHECK(read("d/abs") == "top\n");
  CHECK(read("d/deep") == "inner\n");
  // "../top" names a child called ".." of d, which does not exist.
  CHECK(message_of([&] { read("d/up"); }) == "No such file or directory: /d/..");
  CHECK(errnum_of([&] { read("d/todir"); }) == EISDIR);
  CHECK(errnum_of([&] { read("d/l1"); }) == ELOOP);
}

TEST_CASE("a commit with a missing root tree is reported by object name") {
  Scratch s;
  const Digest commit = make_commit(s);
  Repo repo = Repo::open(AT_FDCWD, s / "repo");
  const Commit c = repo.load_commit(commit);
  repo.delete_object(ObjectType::dir_tree, c.root_tree);
  CHECK(message_of([&] { CommitTree tree(repo, commit); }) ==
        "No such metadata object " + digest_hex(c.root_tree) + ".dirtree");
}
