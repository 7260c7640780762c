#pragma once
// Where a deployment keeps its kernel, initramfs and devicetree, and the
// copy of them under /boot/ostree/ that the bootloader reads. The layouts
// and names are upstream's (get_kernel_from_tree in ostree-sysroot-deploy.c):
//   usr/lib/modules/$kver/{vmlinuz,initramfs.img,devicetree|dtb/}  (current)
//   usr/lib/ostree-boot/vmlinuz-$csum, then boot/vmlinuz-$csum      (legacy)
#include <optional>
#include <string>

namespace ot::boot {

struct KernelLayout {
  std::string kernel_srcpath;  // relative to the deployment root, e.g. usr/lib/modules/5.10.0/vmlinuz
  std::string kernel_name;     // name under /boot/ostree/$stateroot-$bootcsum/, e.g. vmlinuz-5.10.0
  std::optional<std::string> initramfs_srcpath, initramfs_name;  // e.g. initramfs-5.10.0.img
  // A file (devicetree) or, for usr/lib/modules/$kver/dtb, a directory;
  // devicetree_is_dir tells which. A directory keeps the name "dtb".
  std::optional<std::string> devicetree_srcpath, devicetree_name;
  bool devicetree_is_dir = false;
  // FIPS: usr/lib/modules/$kver/.vmlinuz.hmac, installed as .vmlinuz-$kver.hmac.
  std::optional<std::string> hmac_srcpath, hmac_name;
  std::string bootcsum;  // 64 hex
};

// Finds the kernel in a deployment tree: nullopt when the tree has none.
// bootcsum is SHA-256 over the kernel then the initramfs bytes (current
// layout) or the checksum in the legacy file names. Throws ot::Error on an
// ambiguous tree (two kernels) or unreadable files.
std::optional<KernelLayout> find_kernel(int deployment_dfd);

// Copies the kernel, initramfs, devicetree (and hmac) into
// boot_dfd/ostree/<bootdir_name>/ (e.g. "testos-<bootcsum>") once: an
// existing directory is left alone; otherwise the files land (hardlinked
// when /boot shares the deployment's filesystem, else copied) and are
// fsynced in a temporary directory that appears by rename.
void install_kernel(int deployment_dfd, const KernelLayout& layout, int boot_dfd,
                    const std::string& bootdir_name);

}  // namespace ot::boot
