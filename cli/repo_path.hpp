#pragma once
// Where a command's repository is when the user gave no --repo, by upstream's
// rules: the current directory if it looks like a repository, else
// $OSTREE_REPO, else $OSTREE_SYSROOT/ostree/repo (sysroot "/" by default).
#include <optional>
#include <string>
#include <string_view>

namespace ot::cli {

// The process environment the default lookup reads; a value, so tests can
// supply their own.
struct RepoEnvironment {
  std::string cwd;                          // absolute, as current_dir() returns
  std::optional<std::string> ostree_repo;     // $OSTREE_REPO
  std::optional<std::string> ostree_sysroot;  // $OSTREE_SYSROOT
};

// Reads the environment of this process.
RepoEnvironment process_repo_environment();

// The current directory as GLib reports it: $PWD when it names the same
// directory (so a symlinked path is kept), else getcwd(), else "/".
std::string current_dir();

// Absolute, lexically normalised path (GLib's g_canonicalize_filename): a
// relative path is taken against cwd; ".", ".." and repeated slashes go away.
std::string absolute_path(std::string_view path, std::string_view cwd);

// The repository path used when --repo is absent.
std::string default_repo_path(const RepoEnvironment& env);

// True when path cannot be a repository because it, its objects/ directory
// or its config file does not exist (ENOENT), which upstream reports as
// "Command requires a --repo argument" for a defaulted path. Other failures
// (permissions, not a directory, bad config) return false and are left for
// the repository opener to report.
bool repo_missing(const std::string& path);

}  // namespace ot::cli
