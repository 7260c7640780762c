// Command dispatch, the global options every command gets, and how a
// command finds its repository.
#include "cli/invocation.hpp"
#include "cli/repo_path.hpp"

#include <fcntl.h>
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "base/sys.hpp"
#include "base/temp_dir.hpp"

using namespace ot::cli;

namespace {

// What the test commands saw, for the assertions.
struct Seen {
  std::string prgname;
  std::vector<std::string> args;
  std::string repo;
  bool repo_explicit = false;
};
Seen g_seen;

void run_echo(Invocation& inv) {
  bool loud = false;
  g_seen.args = inv.parse("[WORDS]", {flag("loud", 'l', loud, "Shout")});
  g_seen.prgname = inv.prgname();
  if (loud) g_seen.args.insert(g_seen.args.begin(), "<loud>");
}
void run_group(Invocation& inv) { inv.dispatch(); }
void run_repo_user(Invocation& inv) {
  inv.parse("");
  g_seen.repo = inv.repo_path();
  g_seen.repo_explicit = inv.repo_path_is_explicit();
}

const Registrar group_cmd{{.name = "test-group", .description = "A group", .run = run_group,
                           .flags = CommandFlags::no_repo}};
const Registrar echo_cmd{{.group = "test-group", .name = "echo", .description = "Echo words",
                          .run = run_echo, .flags = CommandFlags::no_repo}};
const Registrar top_echo_cmd{{.name = "test-echo", .description = "Echo words", .run = run_echo,
                              .flags = CommandFlags::no_repo}};
const Registrar repo_cmd{{.name = "test-repo-user", .description = "Uses a repo", .run = run_repo_user}};
// Registered out of upstream's order on purpose.
const Registrar sd1{{.group = "static-delta", .name = "zzz-extra", .run = run_echo}};
const Registrar sd2{{.group = "static-delta", .name = "verify", .run = run_echo}};
const Registrar sd3{{.group = "static-delta", .name = "list", .run = run_echo}};
const Registrar sd4{{.group = "static-delta", .name = "generate", .run = run_echo}};

void run_top(std::vector<std::string> args) {
  static const Command top{.flags = CommandFlags::no_repo};
  g_seen = {};
  Invocation inv("ostree", top, std::move(args));
  inv.dispatch(GroupSpec{.stop_at_double_dash = false});
}

std::string error_of(std::vector<std::string> args) {
  try {
    run_top(std::move(args));
  } catch (const ot::Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) setenv(name, value, 1); else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1); else unsetenv(name_);
  }

private:
  const char* name_;
  std::optional<std::string> old_;
};

// A directory that passes for a repository at the level the CLI checks.
struct FakeRepoDir {
  ot::UniqueFd tmp = ot::sys::open_dir(AT_FDCWD, "/tmp");
  ot::TempDir dir{tmp.get(), "ot-cli-test-"};
  std::string path = "/tmp/" + dir.name();
  explicit FakeRepoDir(bool complete = true) {
    if (complete) {
      ot::sys::mkdir_at(dir.fd(), "objects", 0755);
      ot::UniqueFd f = ot::sys::open_at(dir.fd(), "config", O_WRONLY | O_CREAT, 0644);
    }
  }
};

}  // namespace

TEST_CASE("a subcommand runs with the arguments around its name") {
  run_top({"test-group", "-l", "echo", "a"});
  CHECK(g_seen.prgname == "ostree test-group echo");
  CHECK(g_seen.args == std::vector<std::string>{"<loud>", "a"});
}

TEST_CASE("groups stop looking for their subcommand at '--' and drop what follows") {
  CHECK(error_of({"test-group", "--", "echo"}) == "No \"test-group\" subcommand specified");
  run_top({"test-group", "echo", "x", "--", "y"});
  CHECK(g_seen.args == std::vector<std::string>{"x"});
}

TEST_CASE("the first '--' left after option parsing is dropped, later ones kept") {
  run_top({"test-group", "echo", "x", "--", "--", "y"});
  CHECK(g_seen.args == std::vector<std::string>{"x"});
  // The top level does not stop at "--"; the command's parse drops it.
  run_top({"--", "test-echo", "a", "--", "-b"});
  CHECK(g_seen.prgname == "ostree test-echo");
  CHECK(g_seen.args == std::vector<std::string>{"a", "--", "-b"});
}

TEST_CASE("unknown and missing commands are reported in upstream's words") {
  CHECK(error_of({}) == "No command specified");
  CHECK(error_of({"-v"}) == "No command specified");
  CHECK(error_of({"nope"}) == "Unknown command 'nope'");
  CHECK(error_of({"--nope"}) == "Unknown option --nope");
  CHECK(error_of({"--repo=/x", "nope"}) == "Unknown option --repo=/x");
  CHECK(error_of({"test-group"}) == "No \"test-group\" subcommand specified");
  CHECK(error_of({"test-group", "nope"}) == "Unknown \"test-group\" subcommand 'nope'");
  CHECK(error_of({"test-group", "echo", "--nope"}) == "Unknown option --nope");
}

TEST_CASE("the help and version options end the program successfully") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"-h", "nope"}, {"--version"}, {"test-group", "--help"},
           {"test-group", "echo", "--version"}, {"test-group", "echo", "-lh"}}) {
    int status = -1;
    try {
      run_top(args);
    } catch (const Exit& e) {
      status = e.status;
    }
    CHECK(status == 0);
  }
}

TEST_CASE("listings follow upstream's order, unknown names last") {
  std::vector<std::string> names;
  for (const Command* c : commands_in("static-delta")) names.emplace_back(c->name);
  CHECK(names == std::vector<std::string>{"list", "generate", "verify", "zzz-extra"});
}

TEST_CASE("the --repo option works before and after the command, made absolute") {
  FakeRepoDir repo;
  run_top({"--repo=" + repo.path + "/./objects/..", "test-repo-user"});
  CHECK(g_seen.repo == repo.path);
  CHECK(g_seen.repo_explicit);
  run_top({"test-repo-user", "--repo", repo.path + "//"});
  CHECK(g_seen.repo == repo.path);
  // Upstream only accepts the joined form before the command: the value is
  // taken for the command name, and --repo is no top-level option.
  CHECK(error_of({"--repo", repo.path, "test-repo-user"}) == "Unknown option --repo");
}

TEST_CASE("without --repo, $OSTREE_REPO is used when it holds a repository") {
  FakeRepoDir repo;
  FakeRepoDir empty(false);
  const ScopedEnv sysroot("OSTREE_SYSROOT", "/nonexistent-sysroot");
  {
    const ScopedEnv env("OSTREE_REPO", repo.path.c_str());
    run_top({"test-repo-user"});
    CHECK(g_seen.repo == repo.path);
    CHECK_FALSE(g_seen.repo_explicit);
  }
  for (const char* value : {empty.path.c_str(), "/nonexistent-repo", "", static_cast<const char*>(nullptr)}) {
    const ScopedEnv env("OSTREE_REPO", value);
    CHECK(error_of({"test-repo-user"}) == "Command requires a --repo argument");
  }
}

TEST_CASE("the default lookup prefers a repository in the current directory") {
  FakeRepoDir cwd_repo;
  FakeRepoDir other;
  RepoEnvironment env{cwd_repo.path, other.path, std::nullopt};
  CHECK(default_repo_path(env) == cwd_repo.path);
  env.cwd = other.path + "/objects";
  CHECK(default_repo_path(env) == other.path);
  env.ostree_repo = "";
  CHECK(default_repo_path(env) == "/ostree/repo");
  env.ostree_sysroot = "/sysroot/";
  CHECK(default_repo_path(env) == "/sysroot/ostree/repo");
  env.ostree_repo = "../x";
  CHECK(default_repo_path(env) == other.path + "/x");
}

TEST_CASE("a repository is missing when its directory, objects/ or config is") {
  FakeRepoDir complete;
  FakeRepoDir empty(false);
  CHECK_FALSE(repo_missing(complete.path));
  CHECK(repo_missing(empty.path));
  CHECK(repo_missing("/nonexistent-repo"));
  ot::sys::mkdir_at(empty.dir.fd(), "objects", 0755);
  CHECK(repo_missing(empty.path));
  // Not a directory at all is for the opener to report, not "missing".
  CHECK_FALSE(repo_missing("/etc/passwd"));
}

TEST_CASE("open_repo turns a defaulted repository's ENOENT into upstream's message") {
  FakeRepoDir repo;
  const ScopedEnv env("OSTREE_REPO", repo.path.c_str());
  static const Command cmd{.name = "x"};
  Invocation inv("ostree x", cmd, {});
  inv.parse("");
  const auto enoent = [](const std::string& p) -> int { ot::throw_errno("openat", p, ENOENT); };
  const auto eacces = [](const std::string& p) -> int { ot::throw_errno("openat", p, EACCES); };
  CHECK_THROWS_WITH(inv.open_repo(enoent), "Command requires a --repo argument");
  CHECK_THROWS_WITH(inv.open_repo(eacces), "openat(" + repo.path + "): Permission denied");
  CHECK(inv.open_repo([](const std::string& p) { return p; }) == repo.path);

  Invocation explicit_inv("ostree x", cmd, {"--repo=/nonexistent-repo"});
  explicit_inv.parse("");
  CHECK_THROWS_WITH(explicit_inv.open_repo(enoent),
                    "openat(/nonexistent-repo): No such file or directory");
}
