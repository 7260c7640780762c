#pragma once
// The Boot Loader Specification entry of one deployment, with the title,
// version and ostree= argument upstream writes.
#include "boot/boot_entry.hpp"
#include "boot/kernel_layout.hpp"
#include "deploy/deployment.hpp"
#include "store/repo.hpp"

#include <string>
#include <vector>

namespace ot::deploy {

// The entry for deployment (its index and bootserial set) in `list`,
// booting through ostree/boot.<bootversion>, with kernel files from layout.
boot::BootEntry make_boot_entry(const store::Repo& repo, int deployment_dfd, const Deployment& deployment,
                                const std::vector<Deployment>& list, int bootversion,
                                const boot::KernelLayout& layout);

// 2022.7's entry file name: ostree-<count - index>-<stateroot>.conf.
std::string boot_entry_filename(const Deployment& deployment, size_t count);

// The commit's "version" metadata, or "" (none, or the commit is gone).
std::string commit_version(const store::Repo& repo, const std::string& csum);

// "$stateroot-$bootcsum", the kernel directory under /boot/ostree/.
std::string boot_dir_name(const Deployment& deployment);

}  // namespace ot::deploy
