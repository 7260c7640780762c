#pragma once
// `admin kargs edit-in-place`: new kernel arguments written straight into
// the live boot entries, each file replaced atomically, without a new boot
// version (as upstream does it).
#include "deploy/sysroot.hpp"

#include <functional>
#include <string>

namespace ot::deploy {

// For every booted-through entry of the live /boot/loader, replaces its
// options with edit(current options). Entries are found by their ostree=
// argument, so both entry file naming schemes work.
void edit_kargs_in_place(Sysroot& sysroot, const std::function<std::string(const std::string&)>& edit);

}  // namespace ot::deploy
