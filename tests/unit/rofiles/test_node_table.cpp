#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "rofiles/node_table.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

using ot::rofiles::Entry;
using ot::rofiles::Node;
using ot::rofiles::NodeTable;
namespace sys = ot::sys;

namespace {

struct Tree {
  ot::UniqueFd tmp = sys::open_dir(AT_FDCWD, "/var/tmp");
  ot::TempDir dir{tmp.get(), "node-table-test-"};
  NodeTable table{sys::open_at(dir.fd(), ".", O_PATH | O_DIRECTORY)};

  void file(const std::string& name, const std::string& content = "x") {
    auto fd = sys::open_at(dir.fd(), name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    sys::write_all(fd.get(), content);
  }
  Node* lookup(Node& parent, const std::string& name) {
    Entry e;
    int rc = table.lookup(parent, name, e);
    REQUIRE(rc == 0);
    return e.node;
  }
  Node* lookup(const std::string& name) { return lookup(table.root(), name); }
};

}  // namespace

TEST_CASE("a name looked up twice is one node with two kernel references", "[node_table]") {
  Tree t;
  t.file("a");
  Node* n = t.lookup("a");
  CHECK(t.lookup("a") == n);
  CHECK(t.table.size() == 2);
  t.table.forget(*n, 1);
  CHECK(t.table.size() == 2);
  t.table.forget(*n, 1);
  CHECK(t.table.size() == 1);  // only the root is left
}

TEST_CASE("two hardlinks are two nodes, so each knows its own name", "[node_table]") {
  Tree t;
  t.file("a");
  sys::link_at(t.dir.fd(), "a", t.dir.fd(), "b");
  Node* a = t.lookup("a");
  Node* b = t.lookup("b");
  CHECK(a != b);
  CHECK(t.table.locate(*a)->name == "a");
  CHECK(t.table.locate(*b)->name == "b");
}

TEST_CASE("a directory is one node whatever it is reached by", "[node_table]") {
  Tree t;
  sys::mkdir_at(t.dir.fd(), "d", 0755);
  Node* d = t.lookup("d");
  CHECK(d->is_dir());
  CHECK(t.lookup("d") == d);
  auto loc = t.table.locate(*d);
  REQUIRE(loc);
  CHECK(loc->is_self());
  // Renaming it behind our back does not break lookups below it.
  sys::rename_at(t.dir.fd(), "d", t.dir.fd(), "moved");
  auto fd = sys::open_at(t.dir.fd(), "moved/inside", O_WRONLY | O_CREAT, 0644);
  CHECK(t.lookup(*d, "inside") != nullptr);
}

TEST_CASE("missing names report ENOENT", "[node_table]") {
  Tree t;
  Entry e;
  CHECK(t.table.lookup(t.table.root(), "nope", e) == -ENOENT);
}

TEST_CASE("renames through the mount move the node's name", "[node_table]") {
  Tree t;
  t.file("a");
  t.file("b");
  Node* a = t.lookup("a");
  Node* b = t.lookup("b");
  sys::rename_at(t.dir.fd(), "a", t.dir.fd(), "b");
  t.table.renamed(t.table.root(), "a", t.table.root(), "b", 0);
  CHECK(t.table.locate(*a)->name == "b");
  CHECK_FALSE(t.table.locate(*b));  // replaced and not open: nothing to reach
  CHECK(t.lookup("b") == a);
}

TEST_CASE("RENAME_EXCHANGE swaps the two names", "[node_table]") {
  Tree t;
  t.file("a");
  t.file("b");
  Node* a = t.lookup("a");
  Node* b = t.lookup("b");
  t.table.renamed(t.table.root(), "a", t.table.root(), "b", RENAME_EXCHANGE);
  CHECK(t.table.locate(*a)->name == "b");
  CHECK(t.table.locate(*b)->name == "a");
}

TEST_CASE("an unlinked file that is still open stays reachable", "[node_table]") {
  Tree t;
  t.file("a", "content");
  Node* a = t.lookup("a");
  auto open_file = sys::open_at(t.dir.fd(), "a", O_RDONLY);
  t.table.opened(*a, open_file.get());
  sys::unlink_at(t.dir.fd(), "a");
  t.table.unlinked(t.table.root(), "a");
  auto loc = t.table.locate(*a);
  REQUIRE(loc);
  CHECK(loc->is_self());
  struct stat st;
  REQUIRE(::fstatat(loc->dirfd(), loc->path(), &st, loc->at_flags(0)) == 0);
  CHECK(st.st_size == 7);
  CHECK(st.st_nlink == 0);
  // The node outlives a FORGET that overtakes the RELEASE.
  t.table.forget(*a, 1);
  CHECK(t.table.size() == 2);
  t.table.released(*a, open_file.get());
  CHECK(t.table.size() == 1);
}

TEST_CASE("a name replaced behind the mount's back gets a new node", "[node_table]") {
  Tree t;
  t.file("a");
  Node* old_node = t.lookup("a");
  // Held open, the old inode cannot be reused for the new file.
  auto old_file = sys::open_at(t.dir.fd(), "a", O_RDONLY);
  sys::unlink_at(t.dir.fd(), "a");
  t.file("a");
  Node* new_node = t.lookup("a");
  CHECK(new_node != old_node);
  CHECK(new_node->generation != old_node->generation);
  CHECK_FALSE(t.table.locate(*old_node));
}
