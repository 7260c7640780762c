#include "boot/boot_version.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>

TEST_CASE("the boot version follows the /boot/loader symlink", "[boot]") {
  ot::TempDir boot{AT_FDCWD, "/tmp/ot-unit-boot-"};
  CHECK(ot::boot::read_boot_version(boot.fd()) == 0);
  ot::sys::symlink_at("loader.1", boot.fd(), "loader");
  CHECK(ot::boot::read_boot_version(boot.fd()) == 1);
  ot::sys::unlink_at(boot.fd(), "loader");
  ot::sys::symlink_at("elsewhere", boot.fd(), "loader");
  CHECK_THROWS_AS(ot::boot::read_boot_version(boot.fd()), ot::Error);
}
