#include "deploy/boot_entries.hpp"

#include "base/error.hpp"
#include "boot/kernel_args.hpp"
#include "deploy/os_release.hpp"
#include "store/objects.hpp"

namespace ot::deploy {

std::string commit_version(const store::Repo& repo, const std::string& csum) {
  try {
    const store::Commit commit = repo.load_commit(store::digest_from_hex(csum));
    if (const store::gv::Value* v = store::lookup_metadata(commit.metadata, "version"); v && v->type == "s")
      return v->str();
  } catch (const Error&) {
    // A deployment whose commit was pruned still boots; it just has no version.
  }
  return {};
}

namespace {

std::string make_title(const store::Repo& repo, int deployment_dfd, const Deployment& d, bool several_stateroots) {
  const auto os_release = read_os_release(deployment_dfd);
  std::string title;
  if (auto it = os_release.find("PRETTY_NAME"); it != os_release.end())
    title = it->second;
  else if (auto id = os_release.find("ID"); id != os_release.end())
    title = id->second;
  else
    throw Error("No PRETTY_NAME or ID in /etc/os-release of deployment " + d.dirname());
  // The commit's version, unless the OS name already carries it.
  const std::string version = commit_version(repo, d.csum);
  if (!version.empty() && title.find(version) == std::string::npos)
    title += " " + version;
  // With several stateroots, upstream names the stateroot too.
  title += " (ostree:" + (several_stateroots ? d.stateroot + ":" : std::string()) + std::to_string(d.index) + ")";
  return title;
}

}  // namespace

std::string boot_entry_filename(const Deployment& d, size_t count) {
  // 2022.7's name; newer upstream writes ostree-N.conf (both are read).
  return "ostree-" + std::to_string(count - static_cast<size_t>(d.index)) + "-" + d.stateroot + ".conf";
}

std::string boot_dir_name(const Deployment& d) { return d.stateroot + "-" + d.bootcsum; }

boot::BootEntry make_boot_entry(const store::Repo& repo, int deployment_dfd, const Deployment& d,
                                const std::vector<Deployment>& list, int bootversion,
                                const boot::KernelLayout& layout) {
  bool several_stateroots = false;
  for (const Deployment& other : list)
    several_stateroots |= other.stateroot != d.stateroot;
  boot::BootEntry entry;
  entry.set("title", make_title(repo, deployment_dfd, d, several_stateroots));
  entry.set("version", std::to_string(list.size() - static_cast<size_t>(d.index)));
  boot::KernelArgs kargs = boot::KernelArgs::parse(d.kargs);
  const std::string bootlink = "/ostree/boot." + std::to_string(bootversion) + "/" + d.stateroot + "/" +
                               d.bootcsum + "/" + std::to_string(d.bootserial);
  kargs.replace("ostree=" + bootlink);
  // Without an initramfs the kernel runs ostree-prepare-root itself.
  if (!layout.initramfs_name)
    kargs.replace("init=" + bootlink + "/usr/lib/ostree/ostree-prepare-root");
  entry.set("options", kargs.to_string());
  const std::string dir = "/ostree/" + boot_dir_name(d) + "/";
  entry.set("linux", dir + layout.kernel_name);
  if (layout.initramfs_name)
    entry.set("initrd", dir + *layout.initramfs_name);
  // A devicetree file is named by "devicetree"; a directory of them (dtb/)
  // by "fdtdir", which u-boot reads.
  if (layout.devicetree_name)
    entry.set(layout.devicetree_is_dir ? "fdtdir" : "devicetree", dir + *layout.devicetree_name);
  return entry;
}

}  // namespace ot::deploy
