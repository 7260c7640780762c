#include "deploy/init_fs.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/repo.hpp"

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace ot::deploy {

namespace {

// mkdir that keeps an existing directory and sets the mode exactly (umask
// would strip the sticky and world bits of tmp).
void ensure_dir(int dfd, const std::string& path, mode_t mode) {
  if (sys::mkdir_at_opt(dfd, path, mode)) {
    UniqueFd fd = sys::open_dir(dfd, path, sys::FollowLinks::no);
    sys::fchmod(fd.get(), mode);
  }
}

}  // namespace

void init_fs(const std::string& path, bool modern) {
  UniqueFd dfd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd)
    throw_errno("opendir", path);
  with_context("init-fs " + path, [&] {
    ensure_dir(dfd.get(), "boot", 0755);
    if (!modern) {
      for (const char* dir : {"dev", "home", "proc", "run", "sys"})
        ensure_dir(dfd.get(), dir, 0755);
      ensure_dir(dfd.get(), "root", 0700);
      ensure_dir(dfd.get(), "tmp", 01777);
    }
    ensure_dir(dfd.get(), "ostree", 0755);
    ensure_dir(dfd.get(), "ostree/deploy", 0755);
    if (!sys::stat_at_opt(dfd.get(), "ostree/repo/config"))
      store::Repo::init(dfd.get(), "ostree/repo", store::RepoMode::bare);
  });
}

bool is_valid_stateroot_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.front() == '.')
    return false;
  for (char c : name)
    if (c == '/' || c == '\0' || c == '\n' || c == ' ')
      return false;
  return true;
}

void init_stateroot(int sysroot_dfd, const std::string& name) {
  if (!is_valid_stateroot_name(name))
    throw Error("Invalid stateroot name '" + name + "'");
  const std::string root = "ostree/deploy/" + name;
  // upstream: "Creating ostree/deploy/NAME: File exists".
  if (sys::stat_at_opt(sysroot_dfd, root))
    throw Error("Creating " + root + ": " + std::strerror(EEXIST), EEXIST);
  with_context("Creating " + root, [&] {
    // Built under a temporary name so a crash never leaves half a stateroot.
    const std::string tmp = "ostree/deploy/." + name + ".tmp";
    sys::remove_tree_at(sysroot_dfd, tmp);
    sys::mkdir_at(sysroot_dfd, tmp, 0755);
    ensure_dir(sysroot_dfd, tmp + "/var", 0755);
    for (const char* dir : {"lib", "log"})
      ensure_dir(sysroot_dfd, tmp + "/var/" + dir, 0755);
    ensure_dir(sysroot_dfd, tmp + "/var/tmp", 01777);
    sys::symlink_at("../run/lock", sysroot_dfd, tmp + "/var/lock");
    sys::symlink_at("../run", sysroot_dfd, tmp + "/var/run");
    sys::fsync(sys::open_dir(sysroot_dfd, tmp + "/var").get());
    sys::fsync(sys::open_dir(sysroot_dfd, tmp).get());
    sys::rename_at(sysroot_dfd, tmp, sysroot_dfd, root);
    sys::fsync(sys::open_dir(sysroot_dfd, "ostree/deploy").get());
  });
}

}  // namespace ot::deploy
