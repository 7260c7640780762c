#include "deploy/write_deployments.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/fault_point.hpp"
#include "base/sys.hpp"
#include "boot/bootloader.hpp"
#include "boot/kernel_args.hpp"
#include "boot/kernel_layout.hpp"
#include "boot/loader_write.hpp"
#include "deploy/boot_entries.hpp"
#include "deploy/cleanup.hpp"
#include "deploy/staged.hpp"

#include <fcntl.h>
#include <map>
#include <set>
#include <unistd.h>

namespace ot::deploy {

namespace {

// Upstream rewrites the boot entries only when what the bootloader sees
// changes: the number of deployments, or at some position a kernel, its
// arguments or the commit version the menu title shows. A reorder of
// identical boot configurations is a swap of the ostree/boot.N symlink farm
// alone. (Upstream 2022.7 ignores the stateroot here and then cannot read
// back the sysroot it wrote; the entries name it, so it counts for us.)
std::string kargs_without_ostree(const std::string& kargs) {
  boot::KernelArgs parsed = boot::KernelArgs::parse(kargs);
  if (parsed.contains("ostree"))
    parsed.remove("ostree");
  return parsed.to_string();
}

bool bootconfig_changes(const store::Repo& repo, const std::vector<Deployment>& old_list,
                        const std::vector<Deployment>& new_list) {
  if (old_list.size() != new_list.size())
    return true;
  for (size_t i = 0; i < old_list.size(); ++i) {
    if (old_list[i].bootcsum != new_list[i].bootcsum || old_list[i].stateroot != new_list[i].stateroot ||
        kargs_without_ostree(old_list[i].kargs) != kargs_without_ostree(new_list[i].kargs) ||
        commit_version(repo, old_list[i].csum) != commit_version(repo, new_list[i].csum))
      return true;
  }
  return false;
}

// Deployments sharing a kernel are told apart in
// ostree/boot.N/$stateroot/$bootcsum/ by their position among each other.
// Upstream counts per kernel across stateroots, so a second stateroot's
// first deployment of a shared kernel has serial 1: so do we.
void assign_indexes_and_bootserials(std::vector<Deployment>& list) {
  std::map<std::string, int> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    list[i].index = static_cast<int>(i);
    list[i].bootserial = seen[list[i].bootcsum]++;
  }
}

// ostree/boot.N.M: $stateroot/$bootcsum/$bootserial -> the deployment, built
// under a temporary name and renamed into place (never live yet).
void write_bootlinks(int sysroot_dfd, int bootversion, int subbootversion, const std::vector<Deployment>& list) {
  const std::string name = "boot." + std::to_string(bootversion) + "." + std::to_string(subbootversion);
  const std::string tmp = name + ".tmp";
  UniqueFd ostree_dfd = sys::open_dir(sysroot_dfd, "ostree");
  sys::remove_tree_at(ostree_dfd.get(), tmp);
  sys::mkdir_at(ostree_dfd.get(), tmp, 0755);
  for (const Deployment& d : list) {
    const std::string dir = tmp + "/" + d.stateroot + "/" + d.bootcsum;
    sys::mkdirs_at(ostree_dfd.get(), dir, 0755);
    sys::symlink_at("../../../deploy/" + d.stateroot + "/deploy/" + d.dirname(), ostree_dfd.get(),
                    dir + "/" + std::to_string(d.bootserial));
  }
  // fsync every directory of the farm before it can become reachable.
  UniqueFd top = sys::open_dir(ostree_dfd.get(), tmp);
  for (const Deployment& d : list) {
    sys::fsync(sys::open_dir(top.get(), d.stateroot + "/" + d.bootcsum).get());
    sys::fsync(sys::open_dir(top.get(), d.stateroot).get());
  }
  sys::fsync(top.get());
  fault_point("bootlinks written");
  sys::remove_tree_at(ostree_dfd.get(), name);
  sys::rename_at(ostree_dfd.get(), tmp, ostree_dfd.get(), name);
  sys::fsync(ostree_dfd.get());
}

// refs/heads/ostree/N/M/I keep each deployment's commit from being pruned.
// The new set is written before the switch; the old one removed after it.
void write_deployment_refs(store::Repo& repo, int bootversion, int subbootversion,
                           const std::vector<Deployment>& list) {
  for (const Deployment& d : list)
    repo.set_ref("ostree/" + std::to_string(bootversion) + "/" + std::to_string(subbootversion) + "/" +
                     std::to_string(d.index),
                 store::digest_from_hex(d.csum));
}

}  // namespace

WriteResult write_deployments(Sysroot& sysroot, std::vector<Deployment> list) {
  return with_context("writing deployments", [&] {
    // A staged deployment is no boot entry yet. Left out of the new list,
    // its plan is dropped: what it would have replaced was replaced now.
    const Deployment* staged = sysroot.staged();
    bool keeps_staged = false;
    std::erase_if(list, [&](const Deployment& d) {
      const bool is_staged = staged && d.staged && d.csum == staged->csum && d.deployserial == staged->deployserial;
      keeps_staged |= is_staged;
      return d.staged;
    });
    if (staged && !keeps_staged)
      remove_staged_state();
    assign_indexes_and_bootserials(list);
    std::vector<Deployment> old_list;
    for (const Deployment& d : sysroot.deployments())
      if (!d.staged)
        old_list.push_back(d);
    WriteResult result;
    result.count_change = static_cast<int>(list.size()) - static_cast<int>(old_list.size());
    result.bootconfig_swapped = bootconfig_changes(sysroot.repo(), old_list, list);
    result.bootversion = result.bootconfig_swapped ? 1 - sysroot.bootversion() : sysroot.bootversion();
    result.subbootversion = result.bootconfig_swapped
                                ? 1 - read_subbootversion(sysroot.dfd(), result.bootversion)
                                : 1 - sysroot.subbootversion();

    // Until the switch nothing written here is live: if any step before it
    // fails (a tree without os-release, a full /boot), what it wrote is
    // removed again and the sysroot is as it was.
    bool switching = false;
    // refs/heads/ostree/N/M: directories the refs below create, which the
    // ref removal of a failed write leaves behind.
    const std::string ref_dir = "refs/heads/ostree/" + std::to_string(result.bootversion);
    const std::string ref_subdir = ref_dir + "/" + std::to_string(result.subbootversion);
    const bool had_ref_dir = sys::stat_at_opt(sysroot.repo().dfd(), ref_dir).has_value();
    const bool had_ref_subdir = sys::stat_at_opt(sysroot.repo().dfd(), ref_subdir).has_value();
    try {
      // Entries name kernels as /ostree/...; bootloaders that read /boot from
      // the root filesystem look for /boot/ostree/..., which boot/boot -> .
      // makes the same path.
      if (!sys::stat_at_opt(sysroot.boot_dfd(), "boot"))
        sys::symlink_at(".", sysroot.boot_dfd(), "boot");

      const auto configured = sysroot.repo().config().get("sysroot", "bootloader").value_or("auto");
      const boot::BootloaderKind bootloader = boot::detect_bootloader(sysroot.dfd(), configured);
      // Without new entries only the ostree/boot.N link changes, which is
      // atomic whatever the bootloader.
      result.bootloader_atomic = !result.bootconfig_swapped || bootloader == boot::BootloaderKind::syslinux ||
                                 bootloader == boot::BootloaderKind::uboot;

      // Kernels first: an entry must never point at a kernel not yet on disk.
      std::vector<boot::KernelLayout> layouts;
      std::vector<UniqueFd> deployment_dfds;
      for (const Deployment& d : list) {
        deployment_dfds.push_back(sys::open_dir(sysroot.dfd(), d.relpath()));
        auto layout = boot::find_kernel(deployment_dfds.back().get());
        if (!layout)
          throw Error("deployment " + d.dirname() + ": no kernel found in /usr/lib/modules, /usr/lib/ostree-boot or /boot");
        if (layout->bootcsum != d.bootcsum)
          throw Error("deployment " + d.dirname() + ": kernel checksum " + layout->bootcsum +
                      " does not match its boot checksum " + d.bootcsum);
        boot::install_kernel(deployment_dfds.back().get(), *layout, sysroot.boot_dfd(), boot_dir_name(d));
        fault_point("kernel installed");
        layouts.push_back(std::move(*layout));
      }

      write_deployment_refs(sysroot.repo(), result.bootversion, result.subbootversion, list);
      fault_point("deployment refs written");
      write_bootlinks(sysroot.dfd(), result.bootversion, result.subbootversion, list);

      const std::string bootlink = "ostree/boot." + std::to_string(result.bootversion);
      const std::string bootlink_target =
          "boot." + std::to_string(result.bootversion) + "." + std::to_string(result.subbootversion);
      if (result.bootconfig_swapped) {
        // The inactive boot.N link and loader.N may be rewritten freely: no
        // live entry refers to them.
        symlink_atomic(bootlink_target, sysroot.dfd(), bootlink);
        fault_point("inactive bootlink switched");
        std::vector<boot::LoaderEntry> entries;
        for (size_t i = 0; i < list.size(); ++i)
          entries.push_back({boot_entry_filename(list[i], list.size()),
                             make_boot_entry(sysroot.repo(), deployment_dfds[i].get(), list[i], list,
                                             result.bootversion, layouts[i])});
        boot::write_loader(sysroot.dfd(), result.bootversion, entries, bootloader);
        fault_point("loader written");
        switching = true;
        boot::swap_loader(sysroot.boot_dfd(), result.bootversion);  // the switch
      } else {
        switching = true;
        symlink_atomic(bootlink_target, sysroot.dfd(), bootlink);  // the switch
      }
    } catch (...) {
      // Once the switch has begun the new state may be live: leave it.
      if (!switching) {
        try {
          cleanup_sysroot(sysroot);
          if (!had_ref_subdir)
            ::unlinkat(sysroot.repo().dfd(), ref_subdir.c_str(), AT_REMOVEDIR);  // only if empty
          if (!had_ref_dir)
            ::unlinkat(sysroot.repo().dfd(), ref_dir.c_str(), AT_REMOVEDIR);
        } catch (const Error&) {
          // The next cleanup finishes it; the first error is the one to report.
        }
      }
      throw;
    }
    fault_point("switched");

    sysroot.reload();
    cleanup_sysroot(sysroot);
    return result;
  });
}

std::string describe(const WriteResult& r) {
  return std::string(r.bootloader_atomic ? "Transaction complete" : "Bootloader updated") + "; bootconfig swap: " + std::string(r.bootconfig_swapped ? "yes" : "no") +
         "; bootversion: boot." + std::to_string(r.bootversion) + "." + std::to_string(r.subbootversion) +
         ", deployment count change: " + std::to_string(r.count_change);
}

}  // namespace ot::deploy
