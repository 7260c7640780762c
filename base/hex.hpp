#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ot {

std::string to_hex(std::span<const uint8_t> bytes);
inline std::string to_hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}
// Lowercase or uppercase hex to bytes; nullopt on odd length or a non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace ot
