#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/commit_builder.hpp"
#include "store/content.hpp"

#include <catch2/catch.hpp>

using namespace ot;
using namespace ot::store;

namespace {

void write_file(int dfd, const std::string& name, std::string_view data, mode_t mode = 0644) {
  auto fd = sys::open_at(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, mode);
  sys::write_all(fd.get(), data);
  sys::fchmod(fd.get(), mode);
}

Digest commit_hello(RepoMode mode, TempDir& tmp) {
  sys::mkdir_at(tmp.fd(), "tree", 0755);
  auto tree = sys::open_dir(tmp.fd(), "tree");
  sys::fchmod(tree.get(), 0755);
  write_file(tree.get(), "hello.txt", "Hello world!\n");
  auto repo = Repo::init(tmp.fd(), "repo", mode);
  repo.begin_transaction();
  CommitBuilder b(repo, {});
  b.add_directory(tmp.fd(), "tree");
  auto [root, meta] = b.write_tree();
  CommitInfo info;
  info.subject = "s";
  info.timestamp = 1577836800;
  info.metadata = gv::array("{sv}", {gv::dict_entry(gv::str("ostree.ref-binding"),
                                                    gv::variant(gv::array("s", {gv::str("foo")})))});
  auto csum = write_commit(repo, info, root, meta);
  repo.commit_transaction();
  return csum;
}

}  // namespace

TEST_CASE("the hello-world commit has upstream's checksum in every mode") {
  for (auto mode : {RepoMode::bare, RepoMode::archive, RepoMode::bare_user, RepoMode::bare_user_only}) {
    TempDir tmp(AT_FDCWD, "/tmp/ot-unit-");
    CHECK(digest_hex(commit_hello(mode, tmp)) ==
          "e257acb6542eab30314a4cf8248f68836e2d4a4800ac0d1560a4668be9c35de7");
    auto repo = Repo::open(tmp.fd(), "repo");
    auto commit = repo.load_commit(digest_from_hex("e257acb6542eab30314a4cf8248f68836e2d4a4800ac0d1560a4668be9c35de7"));
    CHECK(digest_hex(commit_content_checksum(commit)) ==
          "cab1c0759c1f424cc2b616026af11658faee1b447ded84d638d1e2fd40894803");
    auto tree = repo.load_dirtree(commit.root_tree);
    REQUIRE(tree.files.size() == 1);
    auto obj = load_content(repo, tree.files[0].checksum);
    CHECK(read_content(obj) == "Hello world!\n");
    CHECK(verify_content(obj, tree.files[0].checksum));
    // Nothing is left in tmp/ once the transaction has landed.
    CHECK(sys::list_dir(repo.tmp_dfd()).size() == 1);  // tmp/cache only
  }
}
