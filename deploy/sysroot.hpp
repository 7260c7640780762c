#pragma once
// A sysroot: the physical root holding /ostree/repo, the stateroots under
// /ostree/deploy and the boot configuration under /boot. Loading it reads
// the live boot entries, as upstream does: the deployments, their order and
// their kernel arguments are whatever the bootloader would see.
#include "base/fd.hpp"
#include "base/lock_file.hpp"
#include "deploy/deployment.hpp"
#include "deploy/staged.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ot::deploy {

class Sysroot {
public:
  // Opens and loads the sysroot at path. Throws ot::Error when path is not a
  // sysroot (no ostree/repo) or its boot configuration cannot be read.
  static Sysroot open(const std::string& path);

  const std::string& path() const { return path_; }
  int dfd() const { return dfd_.get(); }
  int boot_dfd() const { return boot_dfd_.get(); }
  store::Repo& repo() { return repo_; }
  const store::Repo& repo() const { return repo_; }

  // Which /boot/loader.N and /ostree/boot.N.M are live.
  int bootversion() const { return bootversion_; }
  int subbootversion() const { return subbootversion_; }

  // The deployments in boot order: index 0 is the default. A staged
  // deployment (booted systems only) comes first, with staged set.
  const std::vector<Deployment>& deployments() const { return deployments_; }
  // The deployment the running system was booted from, if this sysroot is
  // the one the machine booted (/run/ostree-booted and / is a deployment).
  const Deployment* booted() const;
  // The staged deployment and its plan, when one waits for shutdown.
  const Deployment* staged() const;
  const std::optional<StagedState>& staged_state() const { return staged_state_; }
  // Where a new deployment of stateroot takes /etc and kernel arguments
  // from: the booted deployment when it is of that stateroot, else the
  // stateroot's first deployment; nullptr for none.
  const Deployment* merge_deployment(const std::string& stateroot) const;
  // --os, else the booted deployment's stateroot; throws upstream's error
  // when neither exists.
  std::string stateroot_or_booted(const std::optional<std::string>& os) const;
  bool has_stateroot(const std::string& stateroot) const;

  // Re-reads everything from disk (after write_deployments).
  void reload();

  // Takes the sysroot lock (ostree/lock, as upstream) and re-reads the
  // sysroot under it. Held for the whole of a command that changes
  // deployments, so two never interleave or act on a stale list.
  [[nodiscard]] LockFile lock();

private:
  Sysroot(std::string path, UniqueFd dfd, UniqueFd boot_dfd, store::Repo repo);
  void load();

  std::string path_;
  UniqueFd dfd_;
  UniqueFd boot_dfd_;
  store::Repo repo_;
  int bootversion_ = 0;
  int subbootversion_ = 0;
  std::vector<Deployment> deployments_;
  int booted_index_ = -1;
  std::optional<StagedState> staged_state_;
};

// Reads the N.M that ostree/boot.N points at; 0 when it does not exist.
int read_subbootversion(int sysroot_dfd, int bootversion);

}  // namespace ot::deploy
