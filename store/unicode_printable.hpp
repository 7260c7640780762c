#pragma once
// Which Unicode code points GLib 2.74 considers printable (g_unichar_isprint),
// so text output that escapes the others matches upstream's byte for byte.
namespace ot::store {

// False for control, format, unassigned and surrogate code points (Unicode
// 15.0 categories Cc, Cf, Cn, Cs) and for anything past U+10FFFF.
bool is_printable_codepoint(char32_t c);

}  // namespace ot::store
