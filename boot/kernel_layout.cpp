#include "boot/kernel_layout.hpp"

#include "base/error.hpp"
#include "base/hex.hpp"
#include "base/reflink_copy.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace ot::boot {
namespace {

constexpr const char* kModulesDir = "usr/lib/modules";

bool is_regular(int dfd, const std::string& path) {
  auto st = sys::stat_at_opt(dfd, path, 0);
  return st && S_ISREG(st->st_mode);
}

bool is_directory(int dfd, const std::string& path) {
  auto st = sys::stat_at_opt(dfd, path, AT_SYMLINK_NOFOLLOW);
  return st && S_ISDIR(st->st_mode);
}

class Sha256 {
public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw Error("SHA-256: init failed");
  }
  void update_file(int dfd, const std::string& path) {
    auto fd = sys::open_at(dfd, path, O_RDONLY);
    std::vector<char> buf(256 * 1024);
    for (;;) {
      const size_t n = sys::read_full(fd.get(), buf.data(), buf.size());
      if (n == 0) break;
      EVP_DigestUpdate(ctx_.get(), buf.data(), n);
      if (n < buf.size()) break;
    }
  }
  // Every regular file below dir, in name order at each level, content only.
  void update_tree(int dfd, const std::string& dir) {
    auto dir_fd = sys::open_dir(dfd, dir, sys::FollowLinks::no);
    auto entries = sys::list_dir(dir_fd.get());
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.name < b.name; });
    for (const auto& e : entries) {
      auto st = sys::stat_at(dir_fd.get(), e.name);
      if (S_ISDIR(st.st_mode))
        update_tree(dir_fd.get(), e.name);
      else if (S_ISREG(st.st_mode))
        update_file(dir_fd.get(), e.name);
    }
  }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &len);
    return to_hex({md, len});
  }

private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// usr/lib/modules/$kver/vmlinuz: the first $kver in directory order that
// has one wins, as upstream stops at the first match.
std::optional<KernelLayout> find_in_modules(int deployment_dfd) {
  auto modules = sys::open_dir_opt(deployment_dfd, kModulesDir, sys::FollowLinks::no);
  if (!modules) return std::nullopt;
  for (const auto& e : sys::list_dir(modules->get())) {
    if (!is_directory(modules->get(), e.name) || !is_regular(modules->get(), e.name + "/vmlinuz")) continue;
    const std::string kver = e.name;
    const std::string dir = std::string(kModulesDir) + "/" + kver + "/";
    KernelLayout layout;
    layout.kernel_srcpath = dir + "vmlinuz";
    layout.kernel_name = "vmlinuz-" + kver;
    Sha256 sum;
    sum.update_file(deployment_dfd, layout.kernel_srcpath);
    if (is_regular(deployment_dfd, dir + "initramfs.img")) {
      layout.initramfs_srcpath = dir + "initramfs.img";
      layout.initramfs_name = "initramfs-" + kver + ".img";
      sum.update_file(deployment_dfd, *layout.initramfs_srcpath);
    }
    if (is_regular(deployment_dfd, dir + "devicetree")) {
      layout.devicetree_srcpath = dir + "devicetree";
      layout.devicetree_name = "devicetree-" + kver;
      sum.update_file(deployment_dfd, *layout.devicetree_srcpath);
    } else if (is_directory(deployment_dfd, dir + "dtb")) {
      layout.devicetree_srcpath = dir + "dtb";
      layout.devicetree_name = "dtb";
      layout.devicetree_is_dir = true;
      sum.update_tree(deployment_dfd, *layout.devicetree_srcpath);
    }
    if (is_regular(deployment_dfd, dir + ".vmlinuz.hmac")) {
      layout.hmac_srcpath = dir + ".vmlinuz.hmac";
      layout.hmac_name = "." + layout.kernel_name + ".hmac";
    }
    layout.bootcsum = sum.hex();
    return layout;
  }
  return std::nullopt;
}

// "vmlinuz-3.0-$csum" -> {"vmlinuz-3.0", "$csum"}.
std::pair<std::string, std::string> split_csum(const std::string& name) {
  const auto dash = name.rfind('-');
  return {name.substr(0, dash), name.substr(dash + 1)};
}

// The legacy layout names files vmlinuz-$csum, initramfs-$csum,
// devicetree-$csum; the kernel's checksum is the boot checksum.
std::optional<KernelLayout> find_legacy(int deployment_dfd, const std::string& dir) {
  auto dfd = sys::open_dir_opt(deployment_dfd, dir, sys::FollowLinks::no);
  if (!dfd) return std::nullopt;
  std::optional<std::string> kernel, initramfs, devicetree;
  for (const auto& e : sys::list_dir(dfd->get())) {
    if (!is_regular(dfd->get(), e.name)) continue;
    if (!kernel && e.name.starts_with("vmlinuz-"))
      kernel = e.name;
    else if (!initramfs && e.name.starts_with("initramfs-"))
      initramfs = e.name;
    else if (!devicetree && e.name.starts_with("devicetree-"))
      devicetree = e.name;
  }
  if (!kernel) return std::nullopt;
  KernelLayout layout;
  auto [kname, kcsum] = split_csum(*kernel);
  layout.kernel_srcpath = dir + "/" + *kernel;
  layout.kernel_name = kname;
  layout.bootcsum = kcsum;
  if (initramfs) {
    auto [name, csum] = split_csum(*initramfs);
    if (csum != kcsum) throw Error("Mismatched kernel checksum vs initrd");
    layout.initramfs_srcpath = dir + "/" + *initramfs;
    layout.initramfs_name = name;
  }
  if (devicetree) {
    auto [name, csum] = split_csum(*devicetree);
    if (csum != kcsum) throw Error("Mismatched kernel checksum vs device tree in tree");
    layout.devicetree_srcpath = dir + "/" + *devicetree;
    layout.devicetree_name = name;
  }
  return layout;
}

// Hardlink when /boot shares the deployment's filesystem (the content is
// already durable in the repository), else copy and fsync.
void link_or_copy(int src_dfd, const std::string& src, int dst_dfd, const std::string& dst) {
  if (::linkat(src_dfd, src.c_str(), dst_dfd, dst.c_str(), 0) == 0) return;
  const int err = errno;
  if (err != EXDEV && err != EMLINK && err != EPERM && err != EACCES && err != ENOTSUP)
    throw_errno("linkat", dst, err);
  auto in = sys::open_at(src_dfd, src, O_RDONLY | O_NOFOLLOW);
  const auto st = sys::fstat(in.get());
  auto out = sys::open_at(dst_dfd, dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, st.st_mode & 07777);
  copy_file_data(in.get(), out.get());
  sys::fsync(out.get());
}

void link_or_copy_tree(int src_dfd, const std::string& src, int dst_dfd, const std::string& dst) {
  auto from = sys::open_dir(src_dfd, src, sys::FollowLinks::no);
  sys::mkdir_at(dst_dfd, dst, sys::fstat(from.get()).st_mode & 07777);
  auto to = sys::open_dir(dst_dfd, dst, sys::FollowLinks::no);
  for (const auto& e : sys::list_dir(from.get())) {
    const auto st = sys::stat_at(from.get(), e.name);
    if (S_ISDIR(st.st_mode))
      link_or_copy_tree(from.get(), e.name, to.get(), e.name);
    else if (S_ISREG(st.st_mode))
      link_or_copy(from.get(), e.name, to.get(), e.name);
    else if (S_ISLNK(st.st_mode))
      sys::symlink_at(sys::readlink_at(from.get(), e.name), to.get(), e.name);
  }
  sys::fsync(to.get());
}

// The (source, name) pairs of one layout.
std::vector<std::pair<std::string, std::string>> files_of(const KernelLayout& l) {
  std::vector<std::pair<std::string, std::string>> out{{l.kernel_srcpath, l.kernel_name}};
  if (l.initramfs_srcpath) out.emplace_back(*l.initramfs_srcpath, *l.initramfs_name);
  if (l.devicetree_srcpath) out.emplace_back(*l.devicetree_srcpath, *l.devicetree_name);
  if (l.hmac_srcpath) out.emplace_back(*l.hmac_srcpath, *l.hmac_name);
  return out;
}

void install_into(int deployment_dfd, const KernelLayout& layout, int dir_fd) {
  for (const auto& [src, name] : files_of(layout)) {
    if (sys::stat_at_opt(dir_fd, name)) continue;
    if (layout.devicetree_is_dir && layout.devicetree_srcpath == src)
      link_or_copy_tree(deployment_dfd, src, dir_fd, name);
    else
      link_or_copy(deployment_dfd, src, dir_fd, name);
  }
  sys::fsync(dir_fd);
}

}  // namespace

std::optional<KernelLayout> find_kernel(int deployment_dfd) {
  return with_context("finding the kernel", [&]() -> std::optional<KernelLayout> {
    if (auto l = find_in_modules(deployment_dfd)) return l;
    if (auto l = find_legacy(deployment_dfd, "usr/lib/ostree-boot")) return l;
    return find_legacy(deployment_dfd, "boot");
  });
}

void install_kernel(int deployment_dfd, const KernelLayout& layout, int boot_dfd, const std::string& bootdir_name) {
  with_context("installing the kernel into /boot/ostree/" + bootdir_name, [&] {
    sys::mkdir_at_opt(boot_dfd, "ostree", 0755);
    auto ostree_dir = sys::open_dir(boot_dfd, "ostree", sys::FollowLinks::no);
    if (auto existing = sys::open_dir_opt(ostree_dir.get(), bootdir_name, sys::FollowLinks::no)) {
      // Complete when we made it; an older tool may have been cut short.
      install_into(deployment_dfd, layout, existing->get());
      return;
    }
    TempDir tmp{ostree_dir.get(), "." + bootdir_name + ".tmp-"};
    sys::fchmod(tmp.fd(), 0755);
    install_into(deployment_dfd, layout, tmp.fd());
    sys::rename_at(ostree_dir.get(), tmp.name(), ostree_dir.get(), bootdir_name);
    tmp.release();
    sys::fsync(ostree_dir.get());
  });
}

}  // namespace ot::boot
