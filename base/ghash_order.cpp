#include "base/ghash_order.hpp"

#include <array>

namespace ot {

uint32_t g_str_hash(std::string_view s) {
  uint32_t h = 5381;
  for (char c : s) h = h * 33u + static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(c)));
  return h;
}

namespace ghash_detail {

uint32_t prime_mod(unsigned shift) {
  // The largest prime below each power of two, as GLib tabulates them.
  static constexpr std::array<uint32_t, 32> primes = {
      1,         2,         3,         7,         13,        31,        61,        127,
      251,       509,       1021,      2039,      4093,      8191,      16381,     32749,
      65521,     131071,    262139,    524287,    1048573,   2097143,   4194301,   8388593,
      16777213,  33554393,  67108859,  134217689, 268435399, 536870909, 1073741789, 2147483647};
  return primes.at(shift);
}

unsigned shift_for(size_t n) {
  unsigned shift = 0;
  for (; n != 0; n >>= 1) ++shift;
  return shift < 3 ? 3 : shift;
}

}  // namespace ghash_detail
}  // namespace ot
