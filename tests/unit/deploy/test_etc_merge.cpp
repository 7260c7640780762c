// The /etc merge of a new deployment, case by case as upstream 2022.7 behaves
// (observed with /usr/bin/ostree admin deploy, and its tests
// test-admin-deploy-etcmerge-cornercases.sh and test-admin-deploy-2.sh).
// Each case builds an old deployment (usr/etc defaults, etc copied from them
// and then changed) and new defaults, merges, and checks the resulting tree.
#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "deploy/etc_merge.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <string>

using namespace ot;
using namespace ot::deploy;

namespace {

bool is_root() { return ::geteuid() == 0; }

void put(int dfd, const std::string& path, const std::string& content, mode_t mode = 0644) {
  auto [parent, name] = split_parent(path);
  if (!parent.empty()) sys::mkdirs_at(dfd, parent, 0755);
  sys::unlink_at_opt(dfd, path);
  auto fd = sys::open_at(dfd, path, O_WRONLY | O_CREAT | O_EXCL, mode);
  sys::write_all(fd.get(), content);
  sys::fchmod(fd.get(), mode);
}

void dir(int dfd, const std::string& path, mode_t mode = 0755) {
  sys::mkdirs_at(dfd, path, 0755);
  auto fd = sys::open_dir(dfd, path, sys::FollowLinks::no);
  sys::fchmod(fd.get(), mode);
}

void link(int dfd, const std::string& path, const std::string& target) {
  sys::unlink_at_opt(dfd, path);
  sys::symlink_at(target, dfd, path);
}

// What a user notices about one entry: type, mode, owner, content or
// symlink target, and user.* xattrs. "absent" when there is nothing.
std::string describe(int dfd, const std::string& path) {
  auto st = sys::stat_at_opt(dfd, path);
  if (!st) return "absent";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", st->st_mode & 07777);
  std::string out = std::string(mode) + " " + std::to_string(st->st_uid) + ":" + std::to_string(st->st_gid);
  if (S_ISLNK(st->st_mode)) return "link -> " + sys::readlink_at(dfd, path) + " " + out;
  if (S_ISDIR(st->st_mode)) out = "dir " + out;
  else if (S_ISREG(st->st_mode)) out = "file " + out + " '" + sys::read_file_at(dfd, path) + "'";
  else out = "special " + out;
  for (auto& [k, v] : sys::list_xattrs_at(dfd, path))
    if (k.rfind("user.", 0) == 0) out += " " + k + "=" + v;
  return out;
}

// old/usr/etc, old/etc (a copy of the old defaults, as deploy made it) and
// new/usr/etc under a scratch directory.
struct Deployments {
  TempDir scratch{AT_FDCWD, "/var/tmp/ot-unit-etc-"};
  UniqueFd old_root, new_root, old_defaults, old_etc, new_defaults;

  // defaults(old_defaults) runs before the old etc is copied from them.
  template <typename Fn>
  explicit Deployments(Fn&& defaults) {
    sys::mkdirs_at(scratch.fd(), "old/usr/etc", 0755);
    sys::mkdirs_at(scratch.fd(), "new/usr/etc", 0755);
    old_root = sys::open_dir(scratch.fd(), "old");
    new_root = sys::open_dir(scratch.fd(), "new");
    old_defaults = sys::open_dir(old_root.get(), "usr/etc");
    new_defaults = sys::open_dir(new_root.get(), "usr/etc");
    defaults(old_defaults.get());
    copy_etc_defaults(old_root.get());
    old_etc = sys::open_dir(old_root.get(), "etc");
  }
  // The new defaults start as a copy of the old ones.
  void same_new_defaults() {
    sys::unlink_at(new_root.get(), "usr/etc", AT_REMOVEDIR);
    CopyStats s;
    copy_tree(old_root.get(), "usr/etc", new_root.get(), "usr/etc", Times::keep, s);
    new_defaults = sys::open_dir(new_root.get(), "usr/etc");
  }
  EtcChanges merge() { return merge_etc(old_root.get(), new_root.get()); }
  UniqueFd new_etc() const { return sys::open_dir(new_root.get(), "etc"); }
  bool new_has(const std::string& name) const { return sys::stat_at_opt(new_root.get(), name).has_value(); }
};

using Paths = std::vector<std::string>;

}  // namespace

TEST_CASE("copy_etc_defaults copies usr/etc with types, modes, owners, xattrs and symlinks", "[etc-merge]") {
  Deployments d([](int) {});
  int def = d.new_defaults.get();
  put(def, "passwd", "root:x:0:0\n");
  put(def, "shadow", "secret", 0600);
  put(def, "sudo", "suid", 04755);
  dir(def, "private", 0700);
  put(def, "private/key", "k", 0400);
  link(def, "localtime", "../usr/share/zoneinfo/UTC");
  link(def, "dangling", "no-such-file");
  sys::set_xattr_at(def, "passwd", "user.label", "etc_t");
  if (is_root()) sys::fchownat(def, "shadow", 0, 42, AT_SYMLINK_NOFOLLOW);

  copy_etc_defaults(d.new_root.get());

  auto etc = d.new_etc();
  for (auto p : {"passwd", "shadow", "sudo", "private", "private/key", "localtime", "dangling"})
    CHECK(describe(etc.get(), p) == describe(def, p));
  CHECK(describe(etc.get(), "passwd") == "file 0644 0:0 'root:x:0:0\n' user.label=etc_t");
  CHECK(describe(etc.get(), "sudo").rfind("file 4755", 0) == 0);
  CHECK(describe(etc.get(), "dangling").rfind("link -> no-such-file", 0) == 0);
  // A private copy, not a hardlink: editing /etc leaves the defaults alone.
  CHECK(sys::stat_at(etc.get(), "passwd").st_ino != sys::stat_at(def, "passwd").st_ino);
  CHECK_FALSE(d.new_has("etc.tmp"));
}

TEST_CASE("copy_etc_defaults applies upstream's rules for etc beside usr/etc", "[etc-merge]") {
  SECTION("an empty etc is replaced by the defaults") {
    Deployments d([](int) {});
    put(d.new_defaults.get(), "hostname", "h");
    sys::mkdir_at(d.new_root.get(), "etc", 0755);
    copy_etc_defaults(d.new_root.get());
    CHECK(describe(d.new_etc().get(), "hostname") == "file 0644 0:0 'h'");
  }
  SECTION("a populated etc without usr/etc becomes the defaults") {
    Deployments d([](int) {});
    sys::unlink_at(d.new_root.get(), "usr/etc", AT_REMOVEDIR);
    put(d.new_root.get(), "etc/hostname", "old-style");
    copy_etc_defaults(d.new_root.get());
    CHECK(sys::read_file_at(d.new_root.get(), "usr/etc/hostname") == "old-style");
    CHECK(sys::read_file_at(d.new_root.get(), "etc/hostname") == "old-style");
  }
  SECTION("both populated is refused") {
    Deployments d([](int) {});
    put(d.new_defaults.get(), "hostname", "h");
    put(d.new_root.get(), "etc/other", "o");
    CHECK_THROWS_WITH(copy_etc_defaults(d.new_root.get()), Catch::Contains("Tree contains both /etc and /usr/etc"));
    CHECK_FALSE(d.new_has("etc.tmp"));
  }
  SECTION("a tree without any etc gets none") {
    Deployments d([](int) {});
    sys::unlink_at(d.new_root.get(), "usr/etc", AT_REMOVEDIR);
    copy_etc_defaults(d.new_root.get());
    CHECK_FALSE(d.new_has("etc"));
  }
}

TEST_CASE("a modified file is kept whole; untouched files follow the new defaults", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "NetworkManager/nm.conf", "a default daemon file\n");
    put(def, "untouched", "v1\n");
    put(def, "os-release", "VERSION=1\n");
  });
  put(d.old_etc.get(), "NetworkManager/nm.conf", "a modified config file\n");
  put(d.new_defaults.get(), "NetworkManager/nm.conf", "a new default\n");
  put(d.new_defaults.get(), "untouched", "v2\n");
  put(d.new_defaults.get(), "os-release", "VERSION=2\n");
  put(d.new_defaults.get(), "brand-new", "new in v2\n");

  auto changes = d.merge();

  CHECK(changes.modified == Paths{"NetworkManager/nm.conf"});
  CHECK(changes.removed.empty());
  CHECK(changes.added.empty());
  CHECK(etc_changes_message(changes) == "Copying /etc changes: 1 modified, 0 removed, 0 added");
  auto etc = d.new_etc();
  CHECK(describe(etc.get(), "NetworkManager/nm.conf") == "file 0644 0:0 'a modified config file\n'");
  CHECK(describe(etc.get(), "untouched") == "file 0644 0:0 'v2\n'");
  CHECK(describe(etc.get(), "os-release") == "file 0644 0:0 'VERSION=2\n'");
  CHECK(describe(etc.get(), "brand-new") == "file 0644 0:0 'new in v2\n'");
  CHECK(sys::read_file_at(d.new_defaults.get(), "NetworkManager/nm.conf") == "a new default\n");
}

TEST_CASE("added nested directories keep their modes; symlinks are copied, not followed", "[etc-merge]") {
  Deployments d([](int def) { put(def, "hosts", "127.0.0.1\n"); });
  d.same_new_defaults();
  int etc0 = d.old_etc.get();
  dir(etc0, "a/long/dir/chain");
  dir(etc0, "a/long/dir/forking");
  dir(etc0, "a", 0700);
  dir(etc0, "a/long", 0770);
  dir(etc0, "a/long/dir", 0777);
  dir(etc0, "a/long/dir/chain", 0707);
  dir(etc0, "a/long/dir/forking", 0700);
  link(etc0, "a/link-to-no-such-file", "no-such-file");
  link(etc0, "a/escape", "/etc/shadow");
  put(etc0, "a/long/dir/chain/conf", "deep\n", 0640);

  auto changes = d.merge();

  CHECK(changes.added == Paths{"a", "a/escape", "a/link-to-no-such-file", "a/long", "a/long/dir",
                               "a/long/dir/chain", "a/long/dir/chain/conf", "a/long/dir/forking"});
  auto etc = d.new_etc();
  CHECK(describe(etc.get(), "a") == "dir 0700 0:0");
  CHECK(describe(etc.get(), "a/long") == "dir 0770 0:0");
  CHECK(describe(etc.get(), "a/long/dir") == "dir 0777 0:0");
  CHECK(describe(etc.get(), "a/long/dir/chain") == "dir 0707 0:0");
  CHECK(describe(etc.get(), "a/long/dir/forking") == "dir 0700 0:0");
  CHECK(describe(etc.get(), "a/long/dir/chain/conf") == "file 0640 0:0 'deep\n'");
  CHECK(describe(etc.get(), "a/link-to-no-such-file") == "link -> no-such-file 0777 0:0");
  CHECK(describe(etc.get(), "a/escape") == "link -> /etc/shadow 0777 0:0");
}

TEST_CASE("removed files and directories stay removed even when the new defaults change them", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "testdirectory/sub/f", "t\n");
    put(def, "motd", "hello\n");
    put(def, "gone-everywhere", "g\n");
  });
  sys::remove_tree_at(d.old_etc.get(), "testdirectory");
  sys::unlink_at(d.old_etc.get(), "motd");
  sys::unlink_at(d.old_etc.get(), "gone-everywhere");
  put(d.new_defaults.get(), "testdirectory/sub/f", "t2\n");
  put(d.new_defaults.get(), "testdirectory/new", "n\n");
  put(d.new_defaults.get(), "motd", "hello v2\n");

  auto changes = d.merge();

  CHECK(changes.removed == Paths{"gone-everywhere", "motd", "testdirectory"});
  auto etc = d.new_etc();
  CHECK(describe(etc.get(), "testdirectory") == "absent");
  CHECK(describe(etc.get(), "motd") == "absent");
  CHECK(describe(etc.get(), "gone-everywhere") == "absent");
  CHECK(describe(d.new_defaults.get(), "testdirectory/new") == "file 0644 0:0 'n\n'");
}

TEST_CASE("mode and owner changes carry over; an xattr change alone does not, as upstream", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "modeonly", "m\n");
    put(def, "owneronly", "o\n");
    put(def, "xattronly", "x\n");
    put(def, "xattr-and-content", "c\n");
  });
  int etc0 = d.old_etc.get();
  sys::fchmod(sys::open_at(etc0, "modeonly", O_RDONLY).get(), 0600);
  if (is_root()) sys::fchownat(etc0, "owneronly", 1234, 5678, AT_SYMLINK_NOFOLLOW);
  sys::set_xattr_at(etc0, "xattronly", "user.foo", "bar");
  put(etc0, "xattr-and-content", "c mine\n");
  sys::set_xattr_at(etc0, "xattr-and-content", "user.foo", "mine");
  d.same_new_defaults();
  put(d.new_defaults.get(), "xattronly", "x2\n");

  SECTION("the merge") {
    auto changes = d.merge();
    Paths expected{"modeonly", "xattr-and-content"};
    if (is_root()) expected.insert(expected.begin() + 1, "owneronly");
    CHECK(changes.modified == expected);
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "modeonly") == "file 0600 0:0 'm\n'");
    if (is_root()) CHECK(describe(etc.get(), "owneronly") == "file 0644 1234:5678 'o\n'");
    CHECK(describe(etc.get(), "xattronly") == "file 0644 0:0 'x2\n'");
    CHECK(describe(etc.get(), "xattr-and-content") == "file 0644 0:0 'c mine\n' user.foo=mine");
  }
  SECTION("a diff that compares xattrs sees the xattr-only change") {
    auto changes = diff_etc(d.old_root.get(), DiffOrder::sorted, XattrDiff::compare);
    CHECK(std::find(changes.modified.begin(), changes.modified.end(), "xattronly") != changes.modified.end());
    auto plain = diff_etc(d.old_root.get());
    CHECK(std::find(plain.modified.begin(), plain.modified.end(), "xattronly") == plain.modified.end());
  }
}

TEST_CASE("symlink target changes and file/symlink swaps carry over", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "nm.conf", "default\n");
    link(def, "link", "nm.conf");
    link(def, "becomes-file", "nm.conf");
    put(def, "becomes-link", "plain\n");
    put(def, "f", "x\n");
  });
  int etc0 = d.old_etc.get();
  link(etc0, "link", "untouched");
  put(etc0, "becomes-file", "now a file\n", 0600);
  link(etc0, "becomes-link", "nm.conf");
  put(etc0, "f", "mod\n");
  d.same_new_defaults();
  link(d.new_defaults.get(), "f", "elsewhere");  // the new default of a changed file is a symlink
  link(d.new_defaults.get(), "link", "nm.conf.d");

  auto changes = d.merge();

  CHECK(changes.modified == Paths{"becomes-file", "becomes-link", "f", "link"});
  auto etc = d.new_etc();
  CHECK(describe(etc.get(), "link") == "link -> untouched 0777 0:0");
  CHECK(describe(etc.get(), "becomes-file") == "file 0600 0:0 'now a file\n'");
  CHECK(describe(etc.get(), "becomes-link") == "link -> nm.conf 0777 0:0");
  CHECK(describe(etc.get(), "f") == "file 0644 0:0 'mod\n'");
}

TEST_CASE("a file replaced by a directory carries over whole", "[etc-merge]") {
  Deployments d([](int def) { put(def, "filetodir", "a\n"); });
  int etc0 = d.old_etc.get();
  sys::unlink_at(etc0, "filetodir");
  dir(etc0, "filetodir", 0750);
  put(etc0, "filetodir/x", "in\n");
  dir(etc0, "filetodir/sub");
  put(etc0, "filetodir/sub/y", "deeper\n", 0600);

  SECTION("the new default is still a file") {
    d.same_new_defaults();
    put(d.new_defaults.get(), "filetodir", "a2\n");
    auto changes = d.merge();
    // Upstream lists the directory alone: its contents come with it.
    CHECK(changes.modified == Paths{"filetodir"});
    CHECK(changes.added.empty());
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "filetodir") == "dir 0750 0:0");
    CHECK(describe(etc.get(), "filetodir/x") == "file 0644 0:0 'in\n'");
    CHECK(describe(etc.get(), "filetodir/sub/y") == "file 0600 0:0 'deeper\n'");
  }
  SECTION("the new default is a directory too: upstream keeps the new default directory") {
    dir(d.new_defaults.get(), "filetodir");
    put(d.new_defaults.get(), "filetodir/default", "d\n");
    auto changes = d.merge();
    CHECK(changes.modified == Paths{"filetodir"});
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "filetodir") == "dir 0755 0:0");
    CHECK(describe(etc.get(), "filetodir/default") == "file 0644 0:0 'd\n'");
    CHECK(describe(etc.get(), "filetodir/x") == "absent");
  }
}

TEST_CASE("a directory replaced by a file", "[etc-merge]") {
  Deployments d([](int def) { put(def, "d/f", "x\n"); });
  sys::remove_tree_at(d.old_etc.get(), "d");
  put(d.old_etc.get(), "d", "file\n");

  SECTION("merges when the new defaults drop the directory") {
    auto changes = d.merge();
    CHECK(changes.modified == Paths{"d"});
    CHECK(describe(d.new_etc().get(), "d") == "file 0644 0:0 'file\n'");
  }
  SECTION("fails as upstream when the new defaults still have it, leaving no etc behind") {
    put(d.new_defaults.get(), "d/f2", "y\n");
    CHECK_THROWS_WITH(d.merge(), "During /etc merge: Modified config file newly defaults to directory 'd', cannot merge");
    CHECK_FALSE(d.new_has("etc"));
    CHECK_FALSE(d.new_has("etc.tmp"));
  }
}

TEST_CASE("an added file where the new defaults now have a directory fails the merge", "[etc-merge]") {
  Deployments d([](int def) { put(def, "keep", "x\n"); });
  put(d.old_etc.get(), "newthing", "user\n");
  d.same_new_defaults();
  put(d.new_defaults.get(), "newthing/f", "def\n");
  CHECK_THROWS_WITH(d.merge(), Catch::Contains("Modified config file newly defaults to directory 'newthing'"));
  CHECK_FALSE(d.new_has("etc"));
  CHECK_FALSE(d.new_has("etc.tmp"));
}

TEST_CASE("directory metadata: kept where the new defaults lack the directory", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "p/q/f", "x\n");
    put(def, "p/other", "y\n");
    dir(def, "dirmode");
    put(def, "initially-empty/afile", "");
    dir(def, "initially-empty", 0710);
  });
  int etc0 = d.old_etc.get();

  SECTION("a changed directory the new defaults dropped comes back whole") {
    dir(etc0, "p", 0700);
    dir(etc0, "p/q", 0750);
    put(etc0, "p/q/f", "mod\n");
    auto changes = d.merge();
    CHECK(changes.modified == Paths{"p", "p/q", "p/q/f"});
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "p") == "dir 0700 0:0");
    CHECK(describe(etc.get(), "p/other") == "file 0644 0:0 'y\n'");
    CHECK(describe(etc.get(), "p/q") == "dir 0750 0:0");
    CHECK(describe(etc.get(), "p/q/f") == "file 0644 0:0 'mod\n'");
  }
  SECTION("a changed subdirectory recreates its parent from the old /etc, without the parent's other files") {
    dir(etc0, "p/q", 0700);
    auto changes = d.merge();
    CHECK(changes.modified == Paths{"p/q"});
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "p") == "dir 0755 0:0");
    CHECK(describe(etc.get(), "p/q") == "dir 0700 0:0");
    CHECK(describe(etc.get(), "p/q/f") == "file 0644 0:0 'x\n'");
    CHECK(describe(etc.get(), "p/other") == "absent");
  }
  SECTION("a new file in a directory the new defaults dropped recreates the directory") {
    put(etc0, "initially-empty/mynewfile", "");
    dir(d.new_defaults.get(), "dirmode");
    auto changes = d.merge();
    CHECK(changes.added == Paths{"initially-empty/mynewfile"});
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "initially-empty") == "dir 0710 0:0");
    CHECK(describe(etc.get(), "initially-empty/mynewfile") == "file 0644 0:0 ''");
    CHECK(describe(etc.get(), "initially-empty/afile") == "absent");
  }
  SECTION("a directory's mode change alone yields to a directory in the new defaults, as upstream") {
    d.same_new_defaults();
    dir(etc0, "dirmode", 0711);
    auto changes = d.merge();
    CHECK(changes.modified == Paths{"dirmode"});
    CHECK(describe(d.new_etc().get(), "dirmode") == "dir 0755 0:0");
  }
  SECTION("a new file in a directory the new defaults keep gives it the old /etc's mode") {
    d.same_new_defaults();
    dir(etc0, "dirmode", 0711);
    put(etc0, "dirmode/mine", "m\n");
    d.merge();
    CHECK(describe(d.new_etc().get(), "dirmode") == "dir 0711 0:0");
    CHECK(describe(d.new_etc().get(), "dirmode/mine") == "file 0644 0:0 'm\n'");
  }
}

TEST_CASE("new default files appear in a directory that was empty", "[etc-merge]") {
  Deployments d([](int def) { dir(def, "initially-empty"); });
  put(d.new_defaults.get(), "initially-empty/afile", "");
  put(d.new_defaults.get(), "initially-empty/bfile", "");
  auto changes = d.merge();
  CHECK(changes.modified.empty());
  CHECK(describe(d.new_etc().get(), "initially-empty/afile") == "file 0644 0:0 ''");
  CHECK(describe(d.new_etc().get(), "initially-empty/bfile") == "file 0644 0:0 ''");
}

TEST_CASE("symlinks in the new defaults: followed inside /etc as upstream, never out of it", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "p/f", "x\n");
    dir(def, "real");
  });
  put(d.old_etc.get(), "p/f", "mod\n");
  put(d.old_etc.get(), "p/g", "add\n");

  SECTION("a relative symlink to a directory inside /etc receives the changes") {
    dir(d.new_defaults.get(), "real");
    link(d.new_defaults.get(), "p", "real");
    d.merge();
    auto etc = d.new_etc();
    CHECK(describe(etc.get(), "p") == "link -> real 0777 0:0");
    CHECK(describe(etc.get(), "real/f") == "file 0644 0:0 'mod\n'");
    CHECK(describe(etc.get(), "real/g") == "file 0644 0:0 'add\n'");
  }
  SECTION("an absolute symlink is refused and nothing is written where it points") {
    TempDir outside{AT_FDCWD, "/var/tmp/ot-unit-etc-outside-"};
    link(d.new_defaults.get(), "p", outside.name());
    CHECK_THROWS_WITH(d.merge(), Catch::Contains("leads out of the tree"));
    CHECK(sys::list_dir(outside.fd()).empty());
    CHECK_FALSE(d.new_has("etc"));
    CHECK_FALSE(d.new_has("etc.tmp"));
  }
  SECTION("a relative symlink climbing out of /etc is refused") {
    link(d.new_defaults.get(), "p", "../../..");
    CHECK_THROWS_WITH(d.merge(), Catch::Contains("leads out of the tree"));
    CHECK_FALSE(d.new_has("etc"));
  }
}

TEST_CASE("fifos in /etc count as added but are not copied", "[etc-merge]") {
  Deployments d([](int def) { put(def, "hosts", "h\n"); });
  REQUIRE(::mkfifoat(d.old_etc.get(), "fifo", 0644) == 0);
  auto changes = d.merge();
  CHECK(changes.added == Paths{"fifo"});
  CHECK(describe(d.new_etc().get(), "fifo") == "absent");
}

TEST_CASE("carried-over files keep content, mtime and size of large files", "[etc-merge]") {
  Deployments d([](int def) { put(def, "big", "small default\n"); });
  d.same_new_defaults();
  std::string big(3 * 1024 * 1024 + 17, '\0');
  std::mt19937 rng(7);
  for (auto& c : big) c = static_cast<char>(rng());
  put(d.old_etc.get(), "big", big, 0640);
  auto fd = sys::open_at(d.old_etc.get(), "big", O_RDONLY);
  const struct timespec times[2] = {{1000000000, 0}, {1234567890, 5}};
  REQUIRE(::futimens(fd.get(), times) == 0);

  CopyStats stats;
  merge_etc(d.old_root.get(), d.new_root.get(), stats);

  auto etc = d.new_etc();
  CHECK(sys::read_file_at(etc.get(), "big") == big);
  auto st = sys::stat_at(etc.get(), "big");
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_mtim.tv_sec == 1234567890);
  CHECK(stats.bytes >= big.size());
  CHECK(stats.reflinked + stats.kernel_copied + stats.buffer_copied >= 2);
}

TEST_CASE("a stale etc.tmp from an interrupted merge is replaced", "[etc-merge]") {
  Deployments d([](int def) { put(def, "hosts", "h\n"); });
  d.same_new_defaults();
  put(d.new_root.get(), "etc.tmp/leftover", "half-merged");
  d.merge();
  CHECK(describe(d.new_etc().get(), "leftover") == "absent");
  CHECK(describe(d.new_etc().get(), "hosts") == "file 0644 0:0 'h\n'");
  CHECK_FALSE(d.new_has("etc.tmp"));
}

TEST_CASE("a merge without a previous /etc or new defaults fails cleanly", "[etc-merge]") {
  Deployments d([](int def) { put(def, "hosts", "h\n"); });
  SECTION("old deployment lacks etc") {
    sys::remove_tree_at(d.old_root.get(), "etc");
    CHECK_THROWS_WITH(d.merge(), Catch::StartsWith("During /etc merge: While computing configuration diff: "));
  }
  SECTION("new deployment lacks usr/etc") {
    sys::unlink_at(d.new_root.get(), "usr/etc", AT_REMOVEDIR);
    CHECK_THROWS_WITH(d.merge(), Catch::Contains("no usr/etc"));
  }
  CHECK_FALSE(d.new_has("etc"));
  CHECK_FALSE(d.new_has("etc.tmp"));
}

TEST_CASE("config-diff lines: modified, then removed, then added, upstream's format", "[etc-merge]") {
  Deployments d([](int def) {
    put(def, "m", "1\n");
    put(def, "r", "1\n");
  });
  put(d.old_etc.get(), "m", "2\n");
  sys::unlink_at(d.old_etc.get(), "r");
  put(d.old_etc.get(), "dir/a", "new\n");
  auto lines = config_diff_lines(d.old_root.get());
  CHECK(lines == Paths{"M    m\n", "D    r\n", "A    dir\n", "A    dir/a\n"});
}
