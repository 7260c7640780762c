#pragma once
// Kernel command lines as upstream's OstreeKernelArgs sees them: an ordered
// list of "KEY" / "KEY=VALUE" arguments in which a key may repeat (console=
// often does). Editing keeps every other argument where it was, so a
// command line survives a round trip through `ostree admin deploy --karg*`
// unchanged apart from the requested edit.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::boot {

class KernelArgs {
public:
  // Splits on whitespace outside double quotes; quotes stay in the argument
  // (`foo="a b"` is one argument). Empty arguments are dropped.
  static KernelArgs parse(std::string_view cmdline);

  // Adds "KEY" or "KEY=VALUE" at the end, even when KEY is already present.
  void append(std::string_view arg);
  // append() unless KEY is already present (`kargs --append-if-missing`).
  void append_if_missing(std::string_view arg);
  // Every occurrence of KEY becomes the single argument `arg`, at the place
  // of the first one; appended when KEY is absent (`--karg`).
  void replace(std::string_view arg);
  // In-place value edit (`kargs --replace`): "KEY=NEW" when KEY has one
  // value, "KEY=OLD=NEW" to pick one of several. Throws ot::Error naming
  // the argument when KEY (or OLD) is absent or the choice is ambiguous.
  void replace_value(std::string_view arg);
  // Removes "KEY" (its only occurrence) or the exact "KEY=VALUE". Throws
  // ot::Error naming the argument when it is absent or ambiguous.
  void remove(std::string_view arg);
  // remove() when KEY is present, nothing otherwise (`--karg-delete`).
  void remove_if_present(std::string_view arg);

  // Whether KEY (the part of `key_or_arg` before any '=') is present.
  bool contains(std::string_view key_or_arg) const;
  // The value of the last KEY=VALUE; nullopt when KEY is absent or its last
  // occurrence has no '=' (as upstream, which answers NULL for both).
  std::optional<std::string> get_last_value(std::string_view key) const;

  // The arguments in order, each "KEY" or "KEY=VALUE".
  std::vector<std::string> to_list() const;
  // to_list() joined with single spaces.
  std::string to_string() const;
  bool empty() const noexcept { return entries_.empty(); }

private:
  struct Entry {
    std::string key;
    std::optional<std::string> value;  // nullopt: "KEY" without '='
  };
  static Entry split(std::string_view arg);
  std::vector<Entry> entries_;
};

// The running kernel's arguments from `path`, without the BOOT_IMAGE= (GRUB)
// and initrd= (systemd-boot) arguments the bootloader adds, as upstream's
// --karg-proc-cmdline does. Throws ot::Error when the file cannot be read.
KernelArgs kernel_args_from_proc_cmdline(const std::string& path = "/proc/cmdline");

}  // namespace ot::boot
