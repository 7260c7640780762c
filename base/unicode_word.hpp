#pragma once
// Unicode-aware "word characters", as GLib's GRegex matches \w (PCRE2 with
// Unicode properties): upstream validates ref and remote names with such a
// pattern, so "héllo" is a valid ref there and must be here.
#include <cstddef>
#include <optional>
#include <string_view>

namespace ot {

// \w under PCRE2_UCP: letters (L*), numbers (N*) and '_'.
bool is_unicode_word_char(char32_t c);

// Decodes the UTF-8 character at s[i] and advances i past it; nullopt (i
// unchanged) for a malformed or overlong sequence or a surrogate.
std::optional<char32_t> next_utf8_char(std::string_view s, size_t& i);

}  // namespace ot
