#pragma once
// Human-readable byte counts the way GLib's g_format_size() prints them, so
// messages match upstream OSTree's ("Deleted 4 objects, 1.2 MB freed").
#include <cstdint>
#include <string>

namespace ot {

// "0 bytes", "1 byte", "999 bytes", then one decimal with SI units separated
// by a no-break space (U+00A0): "1.0 kB", "22.1 MB", ... "EB".
std::string format_size(uint64_t bytes);

}  // namespace ot
