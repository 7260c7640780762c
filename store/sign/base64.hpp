#pragma once
// Base64 as GLib reads and writes it: ed25519 keys on command lines, in key
// files and in remote configs are base64 of the raw key bytes.
#include <string>
#include <string_view>

namespace ot::store::sign {

// Standard alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);
// Like g_base64_decode: characters outside the alphabet are skipped and
// decoding stops at the first '='; a trailing partial group is dropped.
std::string base64_decode(std::string_view text);

}  // namespace ot::store::sign
