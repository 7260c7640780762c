#include "deploy/sysroot.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "boot/boot_entry.hpp"
#include "boot/boot_version.hpp"
#include "boot/kernel_args.hpp"
#include "boot/loader_write.hpp"
#include "deploy/origin.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

namespace ot::deploy {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start)
      parts.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  return parts;
}

int parse_serial(const std::string& s, std::string_view what) {
  int value = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < 0)
    throw Error("invalid " + std::string(what) + " '" + s + "'");
  return value;
}

// A boot entry's ostree=/ostree/boot.N/$stateroot/$bootcsum/$bootserial,
// followed through the boot.N.M symlink farm to the deployment directory.
Deployment deployment_from_entry(int sysroot_dfd, int bootversion, const boot::BootEntry& entry) {
  boot::KernelArgs kargs = boot::KernelArgs::parse(entry.get("options").value_or(""));
  const auto ostree_arg = kargs.get_last_value("ostree");
  if (!ostree_arg)
    throw Error("boot entry without an ostree= kernel argument");
  const auto parts = split_path(*ostree_arg);
  if (parts.size() != 5 || parts[0] != "ostree" || parts[1] != "boot." + std::to_string(bootversion))
    throw Error("invalid ostree= kernel argument '" + *ostree_arg + "'");
  Deployment d;
  d.stateroot = parts[2];
  d.bootcsum = parts[3];
  d.bootserial = parse_serial(parts[4], "boot serial in '" + *ostree_arg + "'");
  const std::string link = ostree_arg->substr(1);
  const std::string target = sys::readlink_at(sysroot_dfd, link);
  const auto target_parts = split_path(target);
  if (target_parts.size() < 4 || target_parts[target_parts.size() - 2] != "deploy" ||
      target_parts[target_parts.size() - 3] != d.stateroot)
    throw Error("/" + link + ": unexpected target '" + target + "'");
  const auto name = parse_deploy_dirname(target_parts.back());
  if (!name)
    throw Error("/" + link + ": unexpected target '" + target + "'");
  d.csum = name->csum;
  d.deployserial = name->deployserial;
  d.kargs = kargs.to_string();
  return d;
}

}  // namespace

int read_subbootversion(int sysroot_dfd, int bootversion) {
  const std::string link = "ostree/boot." + std::to_string(bootversion);
  if (!sys::stat_at_opt(sysroot_dfd, link))
    return 0;
  const std::string target = sys::readlink_at(sysroot_dfd, link);
  const std::string prefix = "boot." + std::to_string(bootversion) + ".";
  if (target == prefix + "0")
    return 0;
  if (target == prefix + "1")
    return 1;
  throw Error("/" + link + ": unexpected symlink target '" + target + "'");
}

Sysroot::Sysroot(std::string path, UniqueFd dfd, UniqueFd boot_dfd, store::Repo repo)
    : path_(std::move(path)), dfd_(std::move(dfd)), boot_dfd_(std::move(boot_dfd)), repo_(std::move(repo)) {}

Sysroot Sysroot::open(const std::string& path) {
  return with_context("sysroot " + path, [&] {
    UniqueFd dfd = sys::open_dir(AT_FDCWD, path);
    if (!sys::stat_at_opt(dfd.get(), "ostree/repo"))
      throw Error("not an OSTree sysroot (no ostree/repo)");
    sys::mkdir_at_opt(dfd.get(), "boot", 0755);
    UniqueFd boot = sys::open_dir(dfd.get(), "boot");
    store::Repo repo = store::Repo::open(dfd.get(), "ostree/repo");
    Sysroot sysroot(path, std::move(dfd), std::move(boot), std::move(repo));
    sysroot.load();
    return sysroot;
  });
}

void Sysroot::reload() {
  with_context("sysroot " + path_, [&] { load(); });
}

void Sysroot::load() {
  bootversion_ = boot::read_boot_version(boot_dfd());
  subbootversion_ = read_subbootversion(dfd(), bootversion_);
  deployments_.clear();
  booted_index_ = -1;
  staged_state_.reset();
  for (const boot::BootEntry& entry : boot::read_loader_entries(boot_dfd(), bootversion_)) {
    Deployment d = deployment_from_entry(dfd(), bootversion_, entry);
    d.index = static_cast<int>(deployments_.size());
    if (auto origin = read_origin(dfd(), d)) {
      d.origin = std::move(*origin);
      d.has_origin = true;
    }
    deployments_.push_back(std::move(d));
  }
  // Booted: the marker the initramfs leaves, and / is one of our deployment
  // directories (same device and inode), exactly upstream's test.
  if (::access("/run/ostree-booted", F_OK) == 0) {
    struct stat root {};
    if (::stat("/", &root) == 0) {
      for (const Deployment& d : deployments_) {
        auto st = sys::stat_at_opt(dfd(), d.relpath(), 0);
        if (st && st->st_dev == root.st_dev && st->st_ino == root.st_ino) {
          booted_index_ = d.index;
          break;
        }
      }
    }
  }
  // Only a booted system has a /run that belongs to it.
  if (booted_index_ >= 0) {
    staged_state_ = read_staged_state();
    if (staged_state_) {
      Deployment staged = staged_state_->target;
      if (auto origin = read_origin(dfd(), staged)) {
        staged.origin = std::move(*origin);
        staged.has_origin = true;
      }
      deployments_.insert(deployments_.begin(), std::move(staged));
      for (size_t i = 0; i < deployments_.size(); ++i)
        deployments_[i].index = static_cast<int>(i);
      ++booted_index_;
    }
  }
}

const Deployment* Sysroot::staged() const {
  return staged_state_ ? &deployments_.front() : nullptr;
}

const Deployment* Sysroot::booted() const {
  return booted_index_ < 0 ? nullptr : &deployments_[static_cast<size_t>(booted_index_)];
}

const Deployment* Sysroot::merge_deployment(const std::string& stateroot) const {
  if (const Deployment* b = booted(); b && b->stateroot == stateroot)
    return b;
  for (const Deployment& d : deployments_)
    if (d.stateroot == stateroot)
      return &d;
  return nullptr;
}

std::string Sysroot::stateroot_or_booted(const std::optional<std::string>& os) const {
  if (os)
    return *os;
  if (const Deployment* b = booted())
    return b->stateroot;
  throw Error("Not currently booted into an OSTree system and no --os= argument given");
}

bool Sysroot::has_stateroot(const std::string& stateroot) const {
  const auto st = sys::stat_at_opt(dfd(), "ostree/deploy/" + stateroot, 0);
  return st && S_ISDIR(st->st_mode);
}

LockFile Sysroot::lock() {
  LockFile held(dfd(), "ostree/lock");
  reload();
  return held;
}

}  // namespace ot::deploy
