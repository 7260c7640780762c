#pragma once
// The repository summary file: every local ref with its commit's checksum,
// size and timestamp, plus a{sv} metadata, as `(a(s(taya{sv}))a{sv})`. It is
// what a client reads first when pulling, so it is written exactly as
// upstream writes it (field byte orders, dictionary order) and parsed as
// untrusted input.
#include "store/checksum.hpp"
#include "store/gvariant.hpp"
#include "store/repo.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ot::store::remote {

inline constexpr std::string_view kSummaryType = "(a(s(taya{sv}))a{sv})";

struct SummaryRef {
  std::string name;
  uint64_t commit_size = 0;  // bytes of the commit object
  Digest checksum{};
  gv::Value metadata;        // a{sv}; ostree.commit.timestamp is big-endian
};

struct Summary {
  std::vector<SummaryRef> refs;  // sorted by name
  gv::Value metadata;            // a{sv}
  const SummaryRef* find(std::string_view ref) const;
};

// Additional metadata entries (`summary -m KEY=VALUE`), in command-line order.
using SummaryMetadata = std::vector<std::pair<std::string, gv::Value>>;

// The summary bytes for the repo's local refs (refs/heads), with
// last-modified = now (seconds since the epoch).
std::string generate_summary(const Repo& repo, const SummaryMetadata& extra, uint64_t now);
// Writes repo/summary atomically and removes a summary.sig that would no
// longer match it.
void update_summary(Repo& repo, const SummaryMetadata& extra);

// Decodes and validates summary bytes (checksums 32 bytes, names valid refs).
// Throws ot::Error naming the problem.
Summary parse_summary(std::string_view bytes);

// `ostree summary --view` / `remote summary` text.
std::string format_summary_view(std::string_view bytes);
// `--raw`: the variant printed as upstream prints it (byte-swapped to the
// big-endian view it treats as canonical).
std::string format_summary_raw(std::string_view bytes);

}  // namespace ot::store::remote
