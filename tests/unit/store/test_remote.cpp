// store/remote: GLib dictionary order, summary generation and parsing,
// remote definitions in the config and in remotes.d.
#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/commit.hpp"
#include "store/remote/glib_hash_order.hpp"
#include "store/remote/remote_config.hpp"
#include "store/remote/summary.hpp"
#include "store/repo.hpp"

#include <catch2/catch.hpp>

#include <endian.h>
#include <fcntl.h>

using namespace ot;
using namespace ot::store;
using namespace ot::store::remote;

namespace {

struct ScratchRepo {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-remote-"};
  Repo repo = Repo::init(dir.fd(), "repo", RepoMode::archive);
  std::string path(const std::string& name) const { return dir.name() + "/" + name; }
};

Digest fake_commit(Repo& repo, uint64_t timestamp) {
  Commit c;
  c.subject = "s";
  c.timestamp = timestamp;
  c.root_tree = sha256("tree");
  c.root_meta = sha256("meta");
  return repo.write_metadata(ObjectType::commit, encode_commit(c));
}

}  // namespace

TEST_CASE("GVariantDict order follows GLib's hash table, including growth") {
  // Orders observed from upstream's `ostree summary -u -m ...` output.
  CHECK(glib_str_hash_table_order({"ostree.summary.last-modified", "ostree.summary.tombstone-commits",
                                   "ostree.summary.indexed-deltas", "ostree.summary.mode"}) ==
        std::vector<std::string>{"ostree.summary.mode", "ostree.summary.last-modified",
                                 "ostree.summary.tombstone-commits", "ostree.summary.indexed-deltas"});
  CHECK(glib_str_hash_table_order({"foo", "num", "ostree.summary.last-modified", "ostree.summary.tombstone-commits",
                                   "ostree.summary.indexed-deltas", "ostree.summary.mode"}) ==
        std::vector<std::string>{"ostree.summary.mode", "num", "ostree.summary.last-modified",
                                 "ostree.summary.tombstone-commits", "ostree.summary.indexed-deltas", "foo"});
  std::vector<std::string> keys;
  for (int i = 1; i <= 12; i++) keys.push_back("key" + std::to_string(i));
  for (auto k : {"ostree.summary.last-modified", "ostree.summary.tombstone-commits", "ostree.summary.indexed-deltas",
                 "ostree.summary.mode"})
    keys.push_back(k);
  CHECK(glib_str_hash_table_order(keys) ==
        std::vector<std::string>{"ostree.summary.last-modified", "key3", "key6", "key12", "key9",
                                 "ostree.summary.indexed-deltas", "key1", "key4", "key10", "key7",
                                 "ostree.summary.tombstone-commits", "ostree.summary.mode", "key2", "key5",
                                 "key11", "key8"});
  // Duplicates keep their first position.
  CHECK(glib_str_hash_table_order({"a", "b", "a"}).size() == 2);
}

TEST_CASE("summary lists local branches with size, checksum and big-endian timestamp") {
  ScratchRepo s;
  auto c1 = fake_commit(s.repo, 1609459200);
  auto c2 = fake_commit(s.repo, 42);
  s.repo.set_ref("main", c1);
  s.repo.set_ref("nested/branch", c2);
  s.repo.set_ref("origin:remote-only", c2);
  auto bytes = generate_summary(s.repo, {{"foo", gv::str("bar")}}, 1000);
  auto summary = parse_summary(bytes);
  REQUIRE(summary.refs.size() == 2);
  CHECK(summary.refs[0].name == "main");
  CHECK(summary.refs[0].checksum == c1);
  CHECK(summary.refs[0].commit_size == s.repo.load_metadata(ObjectType::commit, c1).size());
  CHECK(summary.refs[1].name == "nested/branch");
  REQUIRE(summary.find("nested/branch"));
  CHECK(summary.find("origin:remote-only") == nullptr);
  auto* ts = lookup_metadata(summary.refs[0].metadata, "ostree.commit.timestamp");
  REQUIRE(ts);
  CHECK(be64toh(ts->u64()) == 1609459200);
  auto* lm = lookup_metadata(summary.metadata, "ostree.summary.last-modified");
  REQUIRE(lm);
  CHECK(be64toh(lm->u64()) == 1000);
  auto* foo = lookup_metadata(summary.metadata, "foo");
  REQUIRE(foo);
  CHECK(foo->str() == "bar");
  auto view = format_summary_view(bytes);
  CHECK(view.find("* nested/branch\n    Latest Commit (") != std::string::npos);
  CHECK(view.find("Timestamp (ostree.commit.timestamp): 2021-01-01T00:00:00+00\n") != std::string::npos);
  CHECK(view.find("\nfoo: 'bar'\n") != std::string::npos);
}

TEST_CASE("summary parsing refuses malformed input") {
  ScratchRepo s;
  s.repo.set_ref("main", fake_commit(s.repo, 1));
  auto good = generate_summary(s.repo, {}, 1);
  CHECK_NOTHROW(parse_summary(good));
  CHECK_THROWS_AS(parse_summary(good.substr(0, good.size() / 2)), Error);
  // GVariant reads zero bytes of a variable-size type as its default value.
  CHECK(parse_summary("").refs.empty());
  // A checksum of the wrong length.
  auto bad_len = gv::encode(gv::tuple(
      {gv::array("(s(taya{sv}))",
                 {gv::tuple({gv::str("main"), gv::tuple({gv::u64(1), gv::bytes(std::string(31, 'x')),
                                                        gv::array("{sv}", {})})})}),
       gv::array("{sv}", {})}));
  CHECK_THROWS_WITH(parse_summary(bad_len), Catch::Contains("31 bytes"));
  // A ref name that would escape refs/.
  auto bad_name = gv::encode(gv::tuple(
      {gv::array("(s(taya{sv}))",
                 {gv::tuple({gv::str("../../etc"), gv::tuple({gv::u64(1), gv::bytes(std::string(32, 'x')),
                                                             gv::array("{sv}", {})})})}),
       gv::array("{sv}", {})}));
  CHECK_THROWS_WITH(parse_summary(bad_name), Catch::Contains("invalid ref name"));
}

TEST_CASE("remotes: add, replace, delete, names and remotes.d") {
  ScratchRepo s;
  RemotesLocation plain;
  CHECK(add_remote(s.repo, plain, "origin", "http://a/", {{"gpg-verify", false}, {"branches", std::vector<std::string>{"x", "y"}}},
                   IfExists::fail));
  auto r = get_remote(s.repo, plain, "origin");
  CHECK(r.url() == "http://a/");
  CHECK(r.option("branches") == "x;y;");
  CHECK_FALSE(r.option_bool("gpg-verify", true));
  CHECK_THROWS_WITH(add_remote(s.repo, plain, "origin", "http://b/", {}, IfExists::fail),
                    "Remote configuration for \"origin\" already exists: (in config)");
  CHECK_FALSE(add_remote(s.repo, plain, "origin", "http://b/", {}, IfExists::skip));
  CHECK(get_remote(s.repo, plain, "origin").url() == "http://a/");
  CHECK(add_remote(s.repo, plain, "origin", "http://b/", {}, IfExists::replace));
  CHECK(get_remote(s.repo, plain, "origin").url() == "http://b/");
  CHECK_FALSE(get_remote(s.repo, plain, "origin").option("branches"));
  CHECK(add_remote(s.repo, plain, "ml", "metalink=http://m/", {}, IfExists::fail));
  CHECK(get_remote(s.repo, plain, "ml").option("metalink") == "http://m/");
  for (auto bad : {"", "-x", "a b", "a/b", ".hidden"}) CHECK_FALSE(is_valid_remote_name(bad));
  for (auto good : {"a", "origin-2", "x.y_z", "_u"}) CHECK(is_valid_remote_name(good));
  CHECK_THROWS_WITH(add_remote(s.repo, plain, "a/b", "http://x/", {}, IfExists::fail), "Invalid remote name a/b");

  // remotes.d: read after the config; deleting removes the file.
  auto dir = s.path("etc/ostree/remotes.d");
  sys::mkdirs_at(AT_FDCWD, dir, 0755);
  write_file_atomic(AT_FDCWD, dir + "/d.conf", "[remote \"fromd\"]\nurl=http://d/\n", 0644, Durability::nosync);
  write_file_atomic(AT_FDCWD, dir + "/ignored.txt", "[remote \"no\"]\nurl=http://n/\n", 0644, Durability::nosync);
  RemotesLocation with_d{dir, false};
  CHECK(list_remotes(s.repo, plain).size() == 2);
  auto all = list_remotes(s.repo, with_d);
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == "fromd");  // sorted
  CHECK(all[0].file == dir + "/d.conf");
  CHECK(delete_remote(s.repo, with_d, "fromd", IfMissing::fail));
  CHECK_FALSE(sys::stat_at_opt(AT_FDCWD, dir + "/d.conf"));
  CHECK_FALSE(delete_remote(s.repo, with_d, "fromd", IfMissing::ignore));
  CHECK_THROWS_WITH(delete_remote(s.repo, with_d, "fromd", IfMissing::fail), "Remote \"fromd\" not found");
  // A name defined twice is an error, as upstream.
  write_file_atomic(AT_FDCWD, dir + "/dup.conf", "[remote \"origin\"]\nurl=http://dup/\n", 0644, Durability::nosync);
  CHECK_THROWS_WITH(list_remotes(s.repo, with_d), Catch::Contains("Multiple specifications found for remote \"origin\""));
  // New remotes of a booted system go to remotes.d/NAME.conf.
  sys::unlink_at(AT_FDCWD, dir + "/dup.conf");
  RemotesLocation booted{dir, true};
  CHECK(add_remote(s.repo, booted, "sys", "http://s/", {}, IfExists::fail));
  CHECK(sys::read_file_at(AT_FDCWD, dir + "/sys.conf") == "[remote \"sys\"]\nurl=http://s/\n");
  CHECK_FALSE(s.repo.config().has_group("remote \"sys\""));
}
