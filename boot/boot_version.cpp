#include "boot/boot_version.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

namespace ot::boot {

int read_boot_version(int boot_dfd) {
  if (!sys::stat_at_opt(boot_dfd, "loader"))
    return 0;
  const std::string target = sys::readlink_at(boot_dfd, "loader");
  if (target == "loader.0")
    return 0;
  if (target == "loader.1")
    return 1;
  throw Error("/boot/loader: unexpected symlink target '" + target + "'");
}

}  // namespace ot::boot
