#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <set>
#include <string>

using namespace ot;

namespace {

struct Scratch {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-tempdir-"};
  int fd() const { return dir.fd(); }
};

bool exists(int dfd, const std::string& name) { return sys::stat_at_opt(dfd, name).has_value(); }

// Fills dfd with what makes a naive rm -r fail: directories without read,
// write or search permission, a file with mode 000, a symlink to a directory
// outside (whose content must survive).
void fill_with_hostile_tree(int dfd) {
  sys::mkdirs_at(dfd, "ro/inner", 0755);
  auto f = sys::open_at(dfd, "ro/inner/file", O_WRONLY | O_CREAT, 0000);
  f.reset();
  sys::mkdirs_at(dfd, "noperm/deeper", 0755);
  f = sys::open_at(dfd, "noperm/deeper/file", O_WRONLY | O_CREAT, 0644);
  f.reset();
  sys::mkdir_at(dfd, "empty-noperm", 0000);
  auto chmod_at = [&](const std::string& p, mode_t m) {
    auto d = sys::open_dir(dfd, p);
    sys::fchmod(d.get(), m);
  };
  chmod_at("ro/inner", 0500);
  chmod_at("ro", 0555);
  chmod_at("noperm/deeper", 0000);
  chmod_at("noperm", 0000);
}

// Runs fn in a child process with the uid/gid of nobody, so permission checks
// apply even when the tests run as root. Returns fn's result, or nullopt when
// the privileges cannot be dropped (not root).
template <typename Fn>
std::optional<int> as_nobody(Fn&& fn) {
  if (::geteuid() != 0) return std::nullopt;
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::setgroups(0, nullptr) < 0 || ::setresgid(65534, 65534, 65534) < 0 ||
        ::setresuid(65534, 65534, 65534) < 0)
      ::_exit(100);
    int rc;
    try {
      rc = fn();
    } catch (...) {
      rc = 101;
    }
    ::_exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("temp_dir: a unique directory, removed with its contents on destruction",
          "[base][temp_dir]") {
  Scratch s;
  std::string name1, name2;
  {
    TempDir a(s.fd(), "work-");
    TempDir b(s.fd(), "work-");
    name1 = a.name();
    name2 = b.name();
    CHECK(name1 != name2);
    CHECK(name1.rfind("work-", 0) == 0);
    CHECK(name1.size() == 5 + 6);
    CHECK(a.parent_fd() == s.fd());
    auto st = sys::fstat(a.fd());
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 07777) == 0700);
    CHECK(st.st_ino == sys::stat_at(s.fd(), name1).st_ino);
    fill_with_hostile_tree(a.fd());
  }
  CHECK_FALSE(exists(s.fd(), name1));
  CHECK_FALSE(exists(s.fd(), name2));
}

TEST_CASE("temp_dir: read-only and unreadable subdirectories are removed without root",
          "[base][temp_dir]") {
  Scratch s;
  // nobody needs to be able to create entries in the parent.
  sys::fchmod(s.fd(), 0777);
  auto rc = as_nobody([&] {
    std::string name;
    {
      TempDir t(s.fd(), "unprivileged-");
      name = t.name();
      fill_with_hostile_tree(t.fd());
    }
    return exists(s.fd(), name) ? 1 : 0;
  });
  if (!rc) {
    WARN("needs root to switch to an unprivileged user: not checked");
    return;
  }
  CHECK(*rc == 0);
}

TEST_CASE("temp_dir: release keeps the directory, moving transfers ownership",
          "[base][temp_dir]") {
  Scratch s;
  std::string kept;
  {
    TempDir t(s.fd(), "keep-");
    kept = t.name();
    t.release();
  }
  CHECK(exists(s.fd(), kept));

  std::string moved_name;
  {
    std::optional<TempDir> outer;
    {
      TempDir inner(s.fd(), "move-");
      moved_name = inner.name();
      outer.emplace(std::move(inner));
      CHECK(inner.name().empty());
    }
    // The moved-from object's destruction removed nothing.
    CHECK(exists(s.fd(), moved_name));
    CHECK(outer->name() == moved_name);
    CHECK(sys::fstat(outer->fd()).st_ino == sys::stat_at(s.fd(), moved_name).st_ino);
  }
  CHECK_FALSE(exists(s.fd(), moved_name));
}

TEST_CASE("temp_dir: destruction keeps errno and survives an already-removed directory",
          "[base][temp_dir]") {
  Scratch s;
  {
    TempDir t(s.fd(), "gone-");
    sys::remove_tree_at(s.fd(), t.name());
    errno = EXDEV;
  }
  CHECK(errno == EXDEV);
  {
    TempDir t(s.fd(), "errno-");
    sys::mkdirs_at(t.fd(), "a/b", 0755);
    errno = ENOSPC;
  }
  CHECK(errno == ENOSPC);
}

TEST_CASE("temp_dir: creation in a missing parent fails with the path", "[base][temp_dir]") {
  Scratch s;
  CHECK_THROWS_WITH(TempDir(s.fd(), "missing/x-"),
                    Catch::Matchers::StartsWith("mkdirat(missing/x-") &&
                        Catch::Matchers::EndsWith("): No such file or directory"));
}

TEST_CASE("temp_dir: random_suffix draws from [a-zA-Z0-9]", "[base][temp_dir]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; i++) {
    auto r = random_suffix(12);
    REQUIRE(r.size() == 12);
    for (char c : r) CHECK(((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')));
    seen.insert(r);
  }
  CHECK(seen.size() == 100);
  CHECK(random_suffix().size() == 8);
  CHECK(random_suffix(0).empty());
}
