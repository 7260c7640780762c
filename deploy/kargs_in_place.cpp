#include "deploy/kargs_in_place.hpp"

#include "base/atomic_file.hpp"
#include "base/sys.hpp"
#include "boot/boot_entry.hpp"

namespace ot::deploy {

void edit_kargs_in_place(Sysroot& sysroot, const std::function<std::string(const std::string&)>& edit) {
  const std::string dir = "loader." + std::to_string(sysroot.bootversion()) + "/entries";
  auto entries = sys::open_dir_opt(sysroot.boot_dfd(), dir, sys::FollowLinks::no);
  if (!entries)
    return;
  for (const sys::DirEntry& e : sys::list_dir(entries->get())) {
    if (!e.name.starts_with("ostree-") || !e.name.ends_with(".conf"))
      continue;
    boot::BootEntry entry = boot::BootEntry::parse(sys::read_file_at(entries->get(), e.name));
    const std::string options = entry.get("options").value_or("");
    const std::string edited = edit(options);
    if (edited == options)
      continue;
    entry.set("options", edited);
    write_file_atomic(entries->get(), e.name, entry.serialize());
  }
}

}  // namespace ot::deploy
