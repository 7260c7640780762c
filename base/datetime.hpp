#pragma once
// Dates as users write them on command lines (`--timestamp`, `--keep-younger-than`).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ot {

// Accepts "@SECONDS", "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", the same with 'T',
// and an optional trailing "Z", "UTC" or "+HH:MM"/"+HHMM" zone. Without a zone,
// local time (TZ), as upstream's parser does. Relative forms "N days ago"
// (also seconds/minutes/hours/weeks) count back from now. nullopt if unparsable.
std::optional<int64_t> parse_timestamp(std::string_view text);

// "YYYY-MM-DD HH:MM:SS +0000" in UTC, as `ostree log` prints dates.
std::string format_timestamp_utc(int64_t seconds);

}  // namespace ot
