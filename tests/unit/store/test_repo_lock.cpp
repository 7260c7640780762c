#include "store/repo_lock.hpp"

#include "base/ofd_lock.hpp"
#include "scratch.hpp"

#include <catch2/catch.hpp>

using namespace ot;
using namespace ot::store;
using ot::test::Scratch;
using ot::test::sh;

TEST_CASE("an open transaction holds upstream's shared repo lock; upstream prune waits for it") {
  Scratch s;
  auto repo = Repo::init(s.fd(), "repo", RepoMode::archive);
  auto kf = repo.config();
  kf.set("core", "lock-timeout-secs", "1");
  repo.write_config(kf);
  repo = Repo::open(s.fd(), "repo");

  repo.begin_transaction();
  CHECK(OfdLock::is_locked(repo.dfd(), ".lock", LockKind::exclusive));
  // The reference takes an exclusive lock to prune: with ours held it gives up.
  int rc = std::system((s.ref("repo", "prune --refs-only") + " >/dev/null 2>&1").c_str());
  CHECK(rc != 0);
  repo.commit_transaction();
  CHECK_FALSE(OfdLock::is_locked(repo.dfd(), ".lock", LockKind::exclusive));
  sh(s.ref("repo", "prune --refs-only >/dev/null"));
}

TEST_CASE("an exclusive repo lock keeps transactions out until released; core.locking=false opts out") {
  Scratch s;
  auto repo = Repo::init(s.fd(), "repo", RepoMode::bare_user);
  auto kf = repo.config();
  kf.set("core", "lock-timeout-secs", "0");
  repo.write_config(kf);
  repo = Repo::open(s.fd(), "repo");
  {
    RepoLock exclusive(repo, LockKind::exclusive);
    CHECK_THROWS_WITH(repo.begin_transaction(), Catch::StartsWith("Locking repo shared failed"));
    CHECK_FALSE(repo.in_transaction());
  }
  repo.begin_transaction();
  repo.abort_transaction();
  CHECK_FALSE(OfdLock::is_locked(repo.dfd(), ".lock", LockKind::exclusive));

  kf.set("core", "locking", "false");
  repo.write_config(kf);
  repo = Repo::open(s.fd(), "repo");
  RepoLock exclusive(repo, LockKind::exclusive);
  repo.begin_transaction();  // no lock taken, so no conflict
  repo.abort_transaction();
}
