#include "fuse/commit_tree.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "fuse/content_reader.hpp"
#include "store/commit.hpp"
#include "store/content.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <vector>

using namespace ot;
using namespace ot::fuse;

namespace {

int errno_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.errnum();
  }
  return 0;
}

void write_file(int dfd, const std::string& path, const std::string& content, mode_t mode = 0644) {
  auto fd = sys::open_at(dfd, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  sys::write_all(fd.get(), content);
  sys::fchmod(fd.get(), mode);
}

// A small tree committed with our store:
//   a/file1 a/file2 b/file3   the same content ("hello\n"): one object
//   a/sub/ b/sub/             empty directories: one dirtree
//   c -> a/file1
//   e/gone e/kept             e/gone's object is deleted after the commit
//   f/inner                   f's dirtree is deleted after the commit
struct Fixture {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-fuse-tree-"};
  store::Repo repo;
  store::Digest commit{};
  std::vector<std::string> log;
  Log sink{[this](std::string_view line) { log.emplace_back(line); }};

  explicit Fixture(store::RepoMode mode) : repo(store::Repo::init(dir.fd(), "repo", mode)) {
    int d = dir.fd();
    for (auto p : {"tree", "tree/a", "tree/a/sub", "tree/b", "tree/b/sub", "tree/e", "tree/f"})
      sys::mkdir_at(d, p, 0755);
    write_file(d, "tree/a/file1", "hello\n");
    write_file(d, "tree/a/file2", "hello\n");
    write_file(d, "tree/b/file3", "hello\n");
    write_file(d, "tree/e/gone", "this object will be missing\n");
    write_file(d, "tree/e/kept", "this one stays\n", 0600);
    write_file(d, "tree/f/inner", "under a missing dirtree\n");
    sys::symlink_at("a/file1", d, "tree/c");
    store::CommitRequest req;
    req.trees.push_back({store::TreeSource::Kind::dir, dir.name() + "/tree"});
    req.branch = "main";
    req.subject = "fixture";
    req.timestamp = 1000;
    commit = store::commit(repo, req).commit;
  }

  store::Digest file_checksum(const std::string& dir_name, const std::string& name) {
    auto root = repo.load_dirtree(repo.load_commit(commit).root_tree);
    for (auto& d : root.dirs)
      if (d.name == dir_name)
        for (auto& f : repo.load_dirtree(d.tree).files)
          if (f.name == name) return f.checksum;
    FAIL("no " << dir_name << "/" << name);
    return {};
  }
  store::Digest dirtree_checksum(const std::string& dir_name) {
    for (auto& d : repo.load_dirtree(repo.load_commit(commit).root_tree).dirs)
      if (d.name == dir_name) return d.tree;
    FAIL("no " << dir_name);
    return {};
  }
  void remove_object(const store::Digest& csum, store::ObjectType type) {
    REQUIRE(repo.delete_object(type, csum));
  }
};

std::vector<std::string> names(CommitTree& tree, NodeId dir) {
  std::vector<std::string> out;
  tree.list(dir, 0, [&](const char* name, NodeId, uint64_t) {
    out.emplace_back(name);
    return true;
  });
  return out;
}

}  // namespace

TEST_CASE("commit tree: names, types, sizes and listing order") {
  Fixture f(store::RepoMode::archive);
  CommitTree tree(f.repo, f.commit, "", f.sink);
  CHECK(names(tree, kRootNode) == std::vector<std::string>{".", "..", "a", "b", "c", "e", "f"});
  NodeId a = tree.lookup(kRootNode, "a");
  CHECK(names(tree, a) == std::vector<std::string>{".", "..", "file1", "file2", "sub"});
  NodeId file1 = tree.lookup(a, "file1");
  auto st = tree.attr(file1);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 0644);
  CHECK(st.st_size == 6);
  CHECK(st.st_ino == file1);
  NodeId c = tree.lookup(kRootNode, "c");
  CHECK(S_ISLNK(tree.attr(c).st_mode));
  CHECK(tree.symlink_target(c) == "a/file1");
  CHECK(tree.attr(c).st_size == 7);
  CHECK(errno_of([&] { tree.symlink_target(file1); }) == EINVAL);
  auto root = tree.attr(kRootNode);
  CHECK(S_ISDIR(root.st_mode));
  CHECK(root.st_mtim.tv_sec == 1000);  // directories carry the commit's time
  CHECK(root.st_nlink == 2 + 4);       // a b e f
  CHECK(tree.attr(a).st_nlink == 3);   // a/sub
  // Readdir's offsets resume where a previous call stopped.
  std::vector<std::string> rest;
  tree.list(kRootNode, 4, [&](const char* name, NodeId, uint64_t next) {
    rest.emplace_back(name);
    CHECK(next == 4 + rest.size());
    return true;
  });
  CHECK(rest == std::vector<std::string>{"c", "e", "f"});
}

TEST_CASE("commit tree: one inode per content object, one per directory path") {
  Fixture f(store::RepoMode::archive);
  CommitTree tree(f.repo, f.commit, "", f.sink);
  NodeId a = tree.lookup(kRootNode, "a"), b = tree.lookup(kRootNode, "b");
  NodeId file1 = tree.lookup(a, "file1");
  CHECK(tree.lookup(a, "file2") == file1);
  CHECK(tree.lookup(b, "file3") == file1);
  CHECK(tree.attr(file1).st_nlink == 3);
  CHECK(tree.attr(tree.lookup(tree.lookup(kRootNode, "e"), "kept")).st_nlink == 1);
  NodeId asub = tree.lookup(a, "sub"), bsub = tree.lookup(b, "sub");
  CHECK(asub != bsub);
  CHECK(tree.lookup(a, "sub") == asub);  // stable
  CHECK(tree.path_of(bsub) == "b/sub");

  // File inode numbers follow the tree, so they are the same on every mount.
  Log quiet{nullptr};
  CommitTree again(f.repo, f.commit, "", quiet);
  CHECK(again.lookup(again.lookup(kRootNode, "b"), "file3") == file1);
  NodeId kept = tree.lookup(tree.lookup(kRootNode, "e"), "kept");
  CHECK(again.lookup(again.lookup(kRootNode, "e"), "kept") == kept);
}

TEST_CASE("commit tree: errors a user sees as errno") {
  Fixture f(store::RepoMode::archive);
  CommitTree tree(f.repo, f.commit, "", f.sink);
  NodeId a = tree.lookup(kRootNode, "a");
  CHECK(errno_of([&] { tree.lookup(a, "nothing"); }) == ENOENT);
  CHECK(errno_of([&] { tree.lookup(tree.lookup(a, "file1"), "x"); }) == ENOTDIR);
  CHECK(errno_of([&] { tree.attr(999999); }) == ESTALE);
  CHECK(errno_of([&] { tree.attr(0); }) == ESTALE);
  CHECK(errno_of([&] { tree.file(a); }) == EISDIR);
}

TEST_CASE("commit tree: a subpath is the root") {
  Fixture f(store::RepoMode::archive);
  CommitTree tree(f.repo, f.commit, "/a/", f.sink);
  CHECK(names(tree, kRootNode) == std::vector<std::string>{".", "..", "file1", "file2", "sub"});
  // Only the names under the subpath count as links.
  CHECK(tree.attr(tree.lookup(kRootNode, "file1")).st_nlink == 2);
  CHECK(errno_of([&] { CommitTree t(f.repo, f.commit, "c", f.sink); }) == ENOTDIR);
  CHECK(errno_of([&] { CommitTree t(f.repo, f.commit, "a/nope", f.sink); }) == ENOENT);
  store::Digest none{};
  CHECK(errno_of([&] { CommitTree t(f.repo, none, "", f.sink); }) == ENOENT);
}

TEST_CASE("commit tree: missing objects fail their own entries with EIO, logged once") {
  Fixture f(store::RepoMode::archive);
  auto gone = f.file_checksum("e", "gone");
  auto f_tree = f.dirtree_checksum("f");
  f.remove_object(gone, store::ObjectType::file);
  f.remove_object(f_tree, store::ObjectType::dir_tree);

  CommitTree tree(f.repo, f.commit, "", f.sink);
  NodeId e = tree.lookup(kRootNode, "e");
  CHECK(errno_of([&] { tree.lookup(e, "gone"); }) == EIO);
  CHECK(errno_of([&] { tree.lookup(e, "gone"); }) == EIO);
  CHECK(tree.attr(tree.lookup(e, "kept")).st_size == 15);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].find(store::digest_hex(gone)) != std::string::npos);
  CHECK(f.log[0].find("e/gone") != std::string::npos);

  // The directory is there (its dirmeta is), its listing is not.
  NodeId fdir = tree.lookup(kRootNode, "f");
  CHECK(S_ISDIR(tree.attr(fdir).st_mode));
  CHECK(errno_of([&] { names(tree, fdir); }) == EIO);
  CHECK(errno_of([&] { tree.lookup(fdir, "inner"); }) == EIO);
  REQUIRE(f.log.size() == 2);
  CHECK(f.log[1].find(store::digest_hex(f_tree)) != std::string::npos);
  // Everything else is untouched.
  CHECK(names(tree, kRootNode).size() == 7);
  CHECK(tree.attr(tree.lookup(tree.lookup(kRootNode, "a"), "file1")).st_size == 6);
}

TEST_CASE("content reader: --verify refuses an object whose bytes changed") {
  Fixture f(store::RepoMode::bare_user_only);
  auto kept = f.file_checksum("e", "kept");
  CommitTree tree(f.repo, f.commit, "", f.sink);
  NodeId e = tree.lookup(kRootNode, "e");
  const FileObject& good = tree.file(tree.lookup(tree.lookup(kRootNode, "a"), "file1"));
  const FileObject& bad = tree.file(tree.lookup(e, "kept"));
  // Same length, different bytes: only a checksum can tell.
  write_file(f.repo.objects_dfd(),
             store::loose_object_path(kept, store::ObjectType::file, store::RepoMode::bare_user_only),
             "THIS ONE STAYS\n", 0600);

  ContentReader unverified(f.repo, Verify::no, f.sink, 1 << 20);
  auto r = unverified.read(bad, 0, 4096);
  REQUIRE(r.fd);
  CHECK(r.fd_length == 15);

  ContentReader verified(f.repo, Verify::yes, f.sink, 1 << 20);
  CHECK(verified.read(good, 0, 4096).fd_length == 6);
  CHECK(verified.read(good, 100, 4096).fd_length == 0);
  CHECK(errno_of([&] { verified.read(bad, 0, 4096); }) == EIO);
  CHECK(errno_of([&] { verified.read(bad, 0, 4096); }) == EIO);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0].find(store::digest_hex(kept)) != std::string::npos);
  CHECK(f.log[0].find("corrupt") != std::string::npos);
}

TEST_CASE("commit tree: bare-user-only trees look like upstream's user-mode checkout") {
  Fixture f(store::RepoMode::bare_user_only);
  CommitTree tree(f.repo, f.commit, "", f.sink);
  auto st = tree.attr(tree.lookup(tree.lookup(kRootNode, "e"), "kept"));
  CHECK(st.st_uid == ::geteuid());
  CHECK(st.st_gid == ::getegid());
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(tree.attr(kRootNode).st_uid == ::geteuid());
}

TEST_CASE("commit tree: listing a directory reads the metadata of everything below it ahead, silently") {
  Fixture f(store::RepoMode::archive);
  f.remove_object(f.file_checksum("e", "gone"), store::ObjectType::file);
  CommitTree tree(f.repo, f.commit, "", f.sink);
  CHECK(tree.loaded_files() == 0);
  names(tree, tree.lookup(kRootNode, "e"));
  tree.wait_for_read_ahead();
  CHECK(tree.loaded_files() == 1);  // e/kept; e/gone is missing
  names(tree, kRootNode);
  tree.wait_for_read_ahead();
  // Then c and the object a/ and b/ share (one load), and f/inner.
  CHECK(tree.loaded_files() == 4);
  CHECK(f.log.empty());  // reported only when someone asks for it
  CHECK(errno_of([&] { tree.lookup(tree.lookup(kRootNode, "e"), "gone"); }) == EIO);
  CHECK(f.log.size() == 1);
}

TEST_CASE("content push-ahead: a directory is claimed once and lists its files in order") {
  Fixture f(store::RepoMode::archive);
  CommitTree tree(f.repo, f.commit, "", f.sink);
  NodeId e = tree.lookup(kRootNode, "e");
  NodeId kept = tree.lookup(e, "kept");
  CHECK(tree.parent_hint(kept) == e);
  CHECK(tree.claim_content_read_ahead(e));
  CHECK_FALSE(tree.claim_content_read_ahead(e));
  std::vector<uint64_t> sizes;
  std::vector<NodeId> ids;
  tree.for_each_file_in(e, [&](NodeId id, const FileObject& obj) {
    ids.push_back(id);
    sizes.push_back(obj.size);
    return true;
  });
  CHECK(sizes == std::vector<uint64_t>{28, 15});  // gone, kept: listing order
  REQUIRE(ids.size() == 2);
  CHECK(ids[1] == kept);
  CHECK(&tree.file(ids[1]) == &tree.file(kept));
}
