#include "base/file_lock.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

using namespace ot;

namespace {

struct Scratch {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-lock-"};
  int fd() const { return dir.fd(); }
};

void close_all_except(int a, int b) {
  for (int fd = 3; fd < 1024; fd++)
    if (fd != a && fd != b) ::close(fd);
}

// Another process that takes a lock on dfd/"lock" and reports on a pipe the
// moment it holds it. A process, not a thread, because that is how two ostree
// commands contend for a repo. Killed on destruction if still waiting.
class Contender {
public:
  Contender(int dfd, LockKind kind) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read_end_ = UniqueFd(fds[0]);
    UniqueFd write_end(fds[1]);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // Like an exec'd ostree command, the child must not share the parent's
      // lock descriptions: a flock lives as long as any fd referring to it.
      close_all_except(dfd, write_end.get());
      try {
        FileLock lock(dfd, "lock", kind);
        (void)!::write(write_end.get(), "L", 1);
        ::pause();  // hold the lock until killed
      } catch (...) {
      }
      ::_exit(1);
    }
  }
  Contender(const Contender&) = delete;
  Contender& operator=(const Contender&) = delete;
  ~Contender() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  // True if the contender holds its lock within timeout_ms.
  bool acquired_within(int timeout_ms) {
    struct pollfd p = {read_end_.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    char c;
    return ::read(read_end_.get(), &c, 1) == 1;
  }

private:
  pid_t pid_ = -1;
  UniqueFd read_end_;
};

// Long enough that a lock that should be granted is granted on a loaded
// machine; short enough to keep the suite fast.
constexpr int kGranted = 5000;
constexpr int kBlocked = 300;

}  // namespace

TEST_CASE("file_lock: an exclusive lock waits until shared holders are gone", "[base][file_lock]") {
  Scratch s;
  std::optional<FileLock> shared1, shared2;
  shared1.emplace(s.fd(), "lock", LockKind::shared);
  shared2.emplace(s.fd(), "lock", LockKind::shared);  // shared locks coexist
  Contender exclusive(s.fd(), LockKind::exclusive);
  CHECK_FALSE(exclusive.acquired_within(kBlocked));
  shared1.reset();
  CHECK_FALSE(exclusive.acquired_within(kBlocked));  // one holder left
  shared2.reset();
  CHECK(exclusive.acquired_within(kGranted));
}

TEST_CASE("file_lock: an exclusive holder blocks both kinds; shared holders admit shared",
          "[base][file_lock]") {
  Scratch s;
  {
    std::optional<FileLock> excl;
    excl.emplace(s.fd(), "lock", LockKind::exclusive);
    Contender shared(s.fd(), LockKind::shared);
    Contender exclusive(s.fd(), LockKind::exclusive);
    CHECK_FALSE(shared.acquired_within(kBlocked));
    CHECK_FALSE(exclusive.acquired_within(0));
    excl.reset();
    CHECK(shared.acquired_within(kGranted));
    // The exclusive contender now waits for the shared one, which never lets go.
    CHECK_FALSE(exclusive.acquired_within(kBlocked));
  }
  {
    FileLock shared(s.fd(), "lock", LockKind::shared);
    Contender other(s.fd(), LockKind::shared);
    CHECK(other.acquired_within(kGranted));
  }
}

TEST_CASE("file_lock: the lock file is created and kept", "[base][file_lock]") {
  Scratch s;
  { FileLock lock(s.fd(), "lock", LockKind::exclusive); }
  auto st = sys::stat_at(s.fd(), "lock");
  CHECK(S_ISREG(st.st_mode));
  // Taking it again after release does not block.
  Contender again(s.fd(), LockKind::exclusive);
  CHECK(again.acquired_within(kGranted));
}

TEST_CASE("file_lock: a lock in a missing directory is an error", "[base][file_lock]") {
  Scratch s;
  CHECK_THROWS_WITH(FileLock(s.fd(), "missing/lock", LockKind::shared),
                    "openat(missing/lock): No such file or directory");
}
