#include "boot/bootloader_configs.hpp"

#include "base/error.hpp"
#include "boot/kernel_args.hpp"

namespace ot::boot {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;  // g_strsplit("") yields no lines at all
  size_t start = 0;
  for (;;) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      return out;
    }
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
}

// Upstream's line joiner: each line gets a '\n'; a leading empty line is
// dropped, and after the first empty line every later empty line is too.
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  bool seen_empty = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      if (seen_empty || i == 0) continue;
      seen_empty = true;
    }
    out += lines[i];
    out += '\n';
  }
  return out;
}

std::string require_linux(const BootEntry& entry) {
  auto linux = entry.get("linux");
  if (!linux) throw Error("No \"linux\" key in bootloader config");
  return *linux;
}

bool is_ostree_kernel(std::string_view path) {
  return path.starts_with("/ostree/") || path.starts_with("/boot/ostree/");
}

// GLib's g_shell_quote: single quotes, each ' written as '\''.
std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

// `echo ${line}` in the generator's shell: words rejoined by one space.
std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool pending = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string syslinux_config(std::string_view existing, const std::vector<BootEntry>& entries) {
  const std::vector<std::string> lines = split_lines(existing);
  std::vector<std::string> out, label_lines;
  std::optional<std::string> kernel_arg;  // like upstream, not reset between labels
  bool saw_default = false, regenerate_default = false, in_label = false;
  for (size_t i = 0; i <= lines.size(); ++i) {
    const std::string* line = i < lines.size() ? &lines[i] : nullptr;
    if (in_label && (!line || !line->starts_with("\t"))) {
      in_label = false;
      if (!kernel_arg) throw Error("No KERNEL argument found after LABEL");
      // Our own entries are regenerated below; anything else is kept.
      if (!is_ostree_kernel(*kernel_arg)) out.insert(out.end(), label_lines.begin(), label_lines.end());
      label_lines.clear();
    }
    if (!line) break;
    bool skip = false;
    if (!in_label && line->starts_with("LABEL ")) {
      in_label = true;
      label_lines.clear();
    } else if (in_label && line->starts_with("\tKERNEL ")) {
      kernel_arg = line->substr(8);
    } else if (!in_label && line->starts_with("DEFAULT ")) {
      saw_default = true;
      // An ostree title ("... (ostree:0)", formerly "ostree:...") means the
      // default is ours to regenerate; any other default is the user's.
      if (line->starts_with("DEFAULT ostree:") || line->find("(ostree") != std::string::npos)
        regenerate_default = true;
      skip = true;
    }
    if (!skip) (in_label ? label_lines : out).push_back(*line);
  }
  if (!saw_default) regenerate_default = true;

  for (size_t i = 0; i < entries.size(); ++i) {
    const BootEntry& e = entries[i];
    const std::string title = e.get("title").value_or("(Untitled)");
    if (regenerate_default && i == 0) out.push_back("DEFAULT " + title);
    out.push_back("LABEL " + title);
    out.push_back("\tKERNEL /boot" + require_linux(e));
    if (auto v = e.get("initrd")) out.push_back("\tINITRD /boot" + *v);
    if (auto v = e.get("devicetree")) out.push_back("\tDEVICETREE /boot" + *v);
    if (auto v = e.get("options")) out.push_back("\tAPPEND " + *v);
  }
  return join_lines(out);
}

std::string uboot_config(const std::vector<BootEntry>& entries, const SystemUenvReader& read_system_uenv) {
  std::vector<std::string> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const BootEntry& e = entries[i];
    const std::string suffix = i == 0 ? "" : std::to_string(i + 1);
    out.push_back("kernel_image" + suffix + "=/boot" + require_linux(e));
    if (auto v = e.get("initrd")) out.push_back("ramdisk_image" + suffix + "=/boot" + *v);
    if (auto v = e.get("devicetree")) out.push_back("fdt_file" + suffix + "=/boot" + *v);
    if (auto v = e.get("fdtdir")) out.push_back("fdtdir" + suffix + "=/boot" + *v);
    if (auto v = e.get("options")) {
      out.push_back("bootargs" + suffix + "=" + *v);
      if (i == 0) {
        auto ostree = KernelArgs::parse(*v).get_last_value("ostree");
        if (!ostree) throw Error("No ostree= kernel argument found in boot loader configuration file");
        if (auto uenv = read_system_uenv(*ostree)) out.push_back(std::move(*uenv));
      }
    }
  }
  return join_lines(out);
}

std::string grub2_menu_entries(const std::vector<BootEntry>& entries, std::string_view device_id,
                               std::string_view prepare_root_cache) {
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const BootEntry& e = entries[i];
    out += "menuentry " + shell_quote(e.get("title").value_or("(Untitled)")) +
           " --class gnu-linux --class gnu --class os --unrestricted " +
           shell_quote("ostree-" + std::to_string(i) + "-" + std::string(device_id)) + " {\n";
    out += "load_video\nset gfxpayload=keep\ninsmod gzio\n";
    out += prepare_root_cache;
    out += '\n';
    out += "linux " + require_linux(e);
    if (auto v = e.get("options")) out += " " + *v;
    out += '\n';
    if (auto v = e.get("initrd")) out += "initrd " + *v + "\n";
    if (auto v = e.get("devicetree")) out += "devicetree " + *v + "\n";
    out += "}\n";
  }
  return out;
}

std::string grub2_config(const std::vector<BootEntry>& entries, std::string_view boot_prefix) {
  std::string out =
      "# This file was generated by ostree-grub-generator. Do not modify the generated file - all changes will\n"
      "# be lost the next time file is regenerated. For more details refer to the ostree-grub-generator script.\n"
      "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
      "default=boot\n"
      "timeout=10\n"
      "\n";
  const std::string prefix(boot_prefix);
  for (const BootEntry& e : entries) {
    std::string title = collapse_spaces(e.get("title").value_or(""));
    if (title.empty()) title = "(Untitled)";
    out += "menuentry '" + title + "' {\n";
    out += "\t linux " + prefix + collapse_spaces(require_linux(e)) + " " +
           collapse_spaces(e.get("options").value_or("")) + "\n";
    // The generator script writes an empty "initrd" line for an entry without
    // one, which GRUB rejects; the line is left out instead.
    if (auto v = e.get("initrd")) out += "\t initrd " + prefix + collapse_spaces(*v) + "\n";
    if (auto v = e.get("devicetree")) out += "\t devicetree " + prefix + collapse_spaces(*v) + "\n";
    out += "}\n\n";
  }
  return out;
}

}  // namespace ot::boot
