#include "cli/repo_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace ot::cli {

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

// g_file_test(): any failure to look just means "no".
bool has_type(const std::string& dir, const std::string& name, mode_t type) {
  try {
    const auto dfd = sys::open_dir_opt(AT_FDCWD, dir);
    if (!dfd) return false;
    const auto st = sys::stat_at_opt(dfd->get(), name, 0);
    return st && (st->st_mode & S_IFMT) == type;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

RepoEnvironment process_repo_environment() {
  return RepoEnvironment{current_dir(), env("OSTREE_REPO"), env("OSTREE_SYSROOT")};
}

std::string current_dir() {
  if (const char* pwd = std::getenv("PWD"); pwd != nullptr && pwd[0] == '/') {
    struct stat a {};
    struct stat b {};
    if (::stat(pwd, &a) == 0 && ::stat(".", &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
      return pwd;
    }
  }
  std::vector<char> buf(4096);
  while (::getcwd(buf.data(), buf.size()) == nullptr) {
    // A deleted working directory reads as "/", as in GLib.
    if (errno != ERANGE) return "/";
    buf.resize(buf.size() * 2);
  }
  return buf.data();
}

std::string absolute_path(std::string_view path, std::string_view cwd) {
  std::string full;
  if (!path.starts_with('/')) {
    // Joined as g_build_filename does: no doubled separator at the seam.
    full = cwd;
    if (!full.ends_with('/')) full += '/';
  }
  full += path;

  // POSIX leaves a leading "//" implementation-defined, so GLib keeps exactly
  // two leading slashes and collapses three or more to one.
  std::size_t leading = 0;
  while (leading < full.size() && full[leading] == '/') ++leading;
  const std::string root = leading == 2 ? "//" : "/";

  std::vector<std::string_view> parts;
  std::string_view rest = std::string_view(full).substr(leading);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out = root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

std::string default_repo_path(const RepoEnvironment& env) {
  // Upstream's test for "the current directory is a repository" is only
  // objects/ being a directory and config a regular file (symlinks followed).
  if (has_type(env.cwd, "objects", S_IFDIR) && has_type(env.cwd, "config", S_IFREG)) {
    return absolute_path(".", env.cwd);
  }
  if (env.ostree_repo && !env.ostree_repo->empty()) {
    return absolute_path(*env.ostree_repo, env.cwd);
  }
  const std::string sysroot =
      env.ostree_sysroot && !env.ostree_sysroot->empty() ? *env.ostree_sysroot : "/";
  return absolute_path(sysroot + (sysroot.ends_with('/') ? "" : "/") + "ostree/repo", env.cwd);
}

bool repo_missing(const std::string& path) {
  try {
    const auto dir = sys::open_dir_opt(AT_FDCWD, path);
    if (!dir) return true;
    return !sys::stat_at_opt(dir->get(), "objects", 0) ||
           !sys::stat_at_opt(dir->get(), "config", 0);
  } catch (const Error&) {
    return false;
  }
}

}  // namespace ot::cli
