#include "base/format_size.hpp"

#include <catch2/catch.hpp>

using ot::format_size;

// Expected strings are what GLib 2.74's g_format_size() prints (the library
// upstream OSTree formats its prune and diff sizes with).
TEST_CASE("sizes print like g_format_size") {
  CHECK(format_size(0) == "0 bytes");
  CHECK(format_size(1) == "1 byte");
  CHECK(format_size(206) == "206 bytes");
  CHECK(format_size(999) == "999 bytes");
  CHECK(format_size(1000) == "1.0\u00a0kB");
  CHECK(format_size(1050) == "1.1\u00a0kB");
  CHECK(format_size(999950) == "1000.0\u00a0kB");
  CHECK(format_size(1000000) == "1.0\u00a0MB");
  CHECK(format_size(22100000) == "22.1\u00a0MB");
  CHECK(format_size(123456789012) == "123.5\u00a0GB");
  CHECK(format_size(1000000000000000000ull) == "1.0\u00a0EB");
  CHECK(format_size(UINT64_MAX) == "18.4\u00a0EB");
}
