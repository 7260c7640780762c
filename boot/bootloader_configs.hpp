#pragma once
// The bootloader configuration files upstream 2022.7 generates from the BLS
// entries, as text. Each takes the entries in read_loader_entries() order
// (default first). Paths in the entries are relative to /boot; syslinux and
// U-Boot read them from the root filesystem, so "/boot" is prefixed as
// upstream does.
#include "boot/boot_entry.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::boot {

// syslinux.cfg: the lines of `existing` (the current file) that are not
// ostree entries (a LABEL whose KERNEL is under /ostree/ or /boot/ostree/)
// nor an ostree DEFAULT, then one LABEL per entry, with a DEFAULT naming the
// first entry unless the file has a DEFAULT of its own. Repeated blank lines
// collapse as upstream's do. Throws ot::Error for an entry without "linux"
// or a LABEL without KERNEL.
std::string syslinux_config(std::string_view existing, const std::vector<BootEntry>& entries);

// Reads a deployment's own uEnv.txt given the ostree= path of the default
// entry (e.g. "/ostree/boot.1/os/<bootcsum>/0"); nullopt when it has none.
using SystemUenvReader = std::function<std::optional<std::string>(const std::string& ostree_path)>;

// uEnv.txt: kernel_image, ramdisk_image, fdt_file, fdtdir and bootargs per
// entry (suffixed 2, 3, ... after the first), the default deployment's
// usr/lib/ostree-boot/uEnv.txt after its bootargs. Throws ot::Error for an
// entry without "linux" or a default entry whose options lack ostree=.
std::string uboot_config(const std::vector<BootEntry>& entries, const SystemUenvReader& read_system_uenv);

// The menu entries `ostree admin instutil grub2-generate` prints (what
// grub2-mkconfig's 15_ostree includes): device_id and prepare_root_cache
// are GRUB2_BOOT_DEVICE_ID and GRUB2_PREPARE_ROOT_CACHE.
std::string grub2_menu_entries(const std::vector<BootEntry>& entries, std::string_view device_id,
                               std::string_view prepare_root_cache);

// A complete grub.cfg in the format of upstream's ostree-grub-generator
// (used where grub2-mkconfig is not): a header, then per entry a menuentry
// with linux/initrd/devicetree under boot_prefix ("/boot" when /boot is
// not its own partition, "" when it is).
std::string grub2_config(const std::vector<BootEntry>& entries, std::string_view boot_prefix);

}  // namespace ot::boot
