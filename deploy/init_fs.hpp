#pragma once
// Creating a sysroot and its stateroots, with the layout upstream creates.
#include <string>

namespace ot::deploy {

// `admin init-fs PATH`: the top-level directories of a root filesystem
// (boot, dev, home, proc, root, run, sys, tmp; only boot with `modern`) and
// ostree/deploy, ostree/repo (a bare repository). PATH must exist; existing
// parts are kept.
void init_fs(const std::string& path, bool modern);

// `admin os-init NAME`: ostree/deploy/NAME with its shared var/ (lib, log,
// tmp, and lock and run pointing into /run). Throws when NAME exists.
void init_stateroot(int sysroot_dfd, const std::string& name);

// Stateroot names become path components and BLS file names.
bool is_valid_stateroot_name(const std::string& name);

}  // namespace ot::deploy
