#include "base/format_size.hpp"

#include <cstdio>
#include <iterator>

namespace ot {

std::string format_size(uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  uint64_t factor = 1000;
  size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && bytes >= factor * 1000) {
    factor *= 1000;
    unit++;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f\u00a0%s", double(bytes) / factor, kUnits[unit]);
  return buf;
}

}  // namespace ot
