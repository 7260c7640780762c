#include "boot/loader_write.hpp"

#include "base/error.hpp"
#include "base/fault_point.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "boot/bootloader_configs.hpp"

#include <algorithm>
#include <cstring>

namespace ot::boot {
namespace {

// Writes a new file and fsyncs it; the directory is synced by the caller.
void write_synced(int dfd, const std::string& name, std::string_view data) {
  auto fd = sys::open_at(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  sys::write_all(fd.get(), data);
  sys::fsync(fd.get());
}

// The path a bootloader reads stays fixed and reaches the live loader.N
// through /boot/loader; it is created once if the sysroot lacks it, never
// replacing a file someone put there.
void ensure_stable_link(int boot_dfd, const std::string& dir, const std::string& name, const std::string& target) {
  if (!dir.empty()) sys::mkdirs_at(boot_dfd, dir, 0755);
  const std::string path = dir.empty() ? name : dir + "/" + name;
  if (sys::stat_at_opt(boot_dfd, path, AT_SYMLINK_NOFOLLOW)) return;
  sys::symlink_at(target, boot_dfd, path);
  auto parent = sys::open_dir(boot_dfd, dir.empty() ? "." : dir);
  sys::fsync(parent.get());
}

// "/boot" when /boot is a directory of the root filesystem (GRUB then sees
// the kernels under /boot/ostree), "" when it is its own partition.
std::string grub_boot_prefix(int sysroot_dfd) {
  auto boot = sys::stat_at_opt(sysroot_dfd, "boot", 0);
  auto repo = sys::stat_at_opt(sysroot_dfd, "ostree/repo", 0);
  if (boot && repo && boot->st_dev != repo->st_dev) return "";
  return "/boot";
}

void write_bootloader_config(int sysroot_dfd, int boot_dfd, int loader_dfd, const std::vector<BootEntry>& sorted,
                             BootloaderKind kind) {
  switch (kind) {
    case BootloaderKind::none:
      return;
    case BootloaderKind::syslinux: {
      // The live file, through the stable symlink, keeps the user's entries.
      auto existing = sys::read_file_at_opt(boot_dfd, "syslinux/syslinux.cfg");
      write_synced(loader_dfd, "syslinux.cfg", syslinux_config(existing.value_or(""), sorted));
      ensure_stable_link(boot_dfd, "syslinux", "syslinux.cfg", "../loader/syslinux.cfg");
      return;
    }
    case BootloaderKind::uboot: {
      auto read_uenv = [sysroot_dfd](const std::string& ostree_path) {
        std::string rel = ostree_path;
        while (rel.starts_with("/")) rel.erase(0, 1);
        return sys::read_file_at_opt(sysroot_dfd, rel + "/usr/lib/ostree-boot/uEnv.txt");
      };
      write_synced(loader_dfd, "uEnv.txt", uboot_config(sorted, read_uenv));
      ensure_stable_link(boot_dfd, "", "uEnv.txt", "loader/uEnv.txt");
      return;
    }
    case BootloaderKind::grub2:
      write_synced(loader_dfd, "grub.cfg", grub2_config(sorted, grub_boot_prefix(sysroot_dfd)));
      // A grub.cfg already in /boot/grub or /boot/grub2 (a distribution's,
      // or the link) is left alone.
      if (!sys::stat_at_opt(boot_dfd, "grub/grub.cfg", AT_SYMLINK_NOFOLLOW))
        ensure_stable_link(boot_dfd, "grub2", "grub.cfg", "../loader/grub.cfg");
      return;
  }
}

bool version_before(const BootEntry& a, const BootEntry& b) {
  auto va = a.get("version");
  auto vb = b.get("version");
  if (va && vb) return ::strverscmp(va->c_str(), vb->c_str()) > 0;
  return va.has_value() && !vb.has_value();
}

}  // namespace

void write_loader(int sysroot_dfd, int new_bootversion, const std::vector<LoaderEntry>& entries,
                  BootloaderKind kind) {
  const std::string name = "loader." + std::to_string(new_bootversion);
  with_context("writing /boot/" + name, [&] {
    if (new_bootversion != 0 && new_bootversion != 1) throw Error("boot version must be 0 or 1");
    auto boot = sys::open_dir(sysroot_dfd, "boot");
    // A loader.N left by an interrupted run is not live: start afresh.
    sys::remove_tree_at(boot.get(), name);
    TempDir tmp{boot.get(), "." + name + ".tmp-"};
    sys::fchmod(tmp.fd(), 0755);
    sys::mkdir_at(tmp.fd(), "entries", 0755);
    {
      auto entries_dir = sys::open_dir(tmp.fd(), "entries", sys::FollowLinks::no);
      for (const auto& e : entries) {
        if (e.filename.empty() || e.filename.find('/') != std::string::npos || e.filename[0] == '.')
          throw Error("invalid entry file name '" + e.filename + "'");
        write_synced(entries_dir.get(), e.filename, e.entry.serialize());
        fault_point("boot entry written");
      }
      sys::fsync(entries_dir.get());
    }
    std::vector<BootEntry> sorted;
    for (const auto& e : entries) sorted.push_back(e.entry);
    std::stable_sort(sorted.begin(), sorted.end(), version_before);
    write_bootloader_config(sysroot_dfd, boot.get(), tmp.fd(), sorted, kind);
    sys::fsync(tmp.fd());
    sys::rename_at(boot.get(), tmp.name(), boot.get(), name);
    tmp.release();
    sys::fsync(boot.get());
  });
}

void swap_loader(int boot_dfd, int new_bootversion) {
  with_context("making /boot/loader." + std::to_string(new_bootversion) + " live", [&] {
    const std::string tmp = "loader.tmp-" + random_suffix();
    sys::symlink_at("loader." + std::to_string(new_bootversion), boot_dfd, tmp);
    fault_point("loader symlink made");
    try {
      sys::rename_at(boot_dfd, tmp, boot_dfd, "loader");
    } catch (...) {
      ::unlinkat(boot_dfd, tmp.c_str(), 0);
      throw;
    }
    sys::fsync(boot_dfd);
  });
}

std::vector<BootEntry> read_loader_entries(int boot_dfd, int bootversion) {
  const std::string dir = "loader." + std::to_string(bootversion) + "/entries";
  return with_context("reading /boot/" + dir, [&] {
    std::vector<BootEntry> out;
    auto dfd = sys::open_dir_opt(boot_dfd, dir);
    if (!dfd) return out;
    auto names = sys::list_dir(dfd->get());
    // Directory order is arbitrary; sorting names first makes ties stable.
    std::sort(names.begin(), names.end(), [](auto& a, auto& b) { return a.name < b.name; });
    for (const auto& e : names) {
      if (!e.name.starts_with("ostree-") || !e.name.ends_with(".conf")) continue;
      auto st = sys::stat_at(dfd->get(), e.name, 0);
      if (!S_ISREG(st.st_mode)) continue;
      out.push_back(with_context("parsing " + e.name, [&] { return BootEntry::parse(sys::read_file_at(dfd->get(), e.name)); }));
    }
    std::stable_sort(out.begin(), out.end(), version_before);
    return out;
  });
}

}  // namespace ot::boot
