#include "boot/boot_entry.hpp"

#include "base/ghash_order.hpp"

#include <algorithm>
#include <array>

namespace ot::boot {
namespace {

// The keys upstream writes first, in the Boot Loader Specification's example
// order; everything else follows in hash-table order.
constexpr std::array<std::string_view, 6> kFixedKeys = {"title", "version", "options",
                                                         "devicetree", "linux", "initrd"};

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

void BootEntry::insert(std::string key, std::string value) {
  auto it = values_.find(key);
  if (it != values_.end()) {
    it->second = std::move(value);
    return;
  }
  insertion_order_.push_back(key);
  values_.emplace(std::move(key), std::move(value));
}

BootEntry BootEntry::parse(std::string_view text) {
  BootEntry entry;
  std::vector<std::string> overlays;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || !is_ascii_alpha(line[0])) continue;
    const size_t sep = line.find_first_of(" \t");
    if (sep == std::string_view::npos) continue;
    std::string key(line.substr(0, sep));
    std::string value(line.substr(sep + 1));
    if (key == "initrd" && entry.values_.contains(key))
      overlays.push_back(std::move(value));
    else
      entry.insert(std::move(key), std::move(value));
  }
  entry.overlay_initrds_ = std::move(overlays);
  return entry;
}

std::optional<std::string> BootEntry::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

void BootEntry::set(std::string_view key, std::string value) { insert(std::string(key), std::move(value)); }

std::string BootEntry::serialize() const {
  std::string out;
  auto write_line = [&out](std::string_view key, std::string_view value) {
    out.append(key);
    out += ' ';
    out.append(value);
    out += '\n';
  };
  for (std::string_view key : kFixedKeys) {
    if (auto it = values_.find(key); it != values_.end()) write_line(key, it->second);
  }
  if (values_.contains("initrd")) {
    for (const auto& initrd : overlay_initrds_) write_line("initrd", initrd);
  }
  // Upstream iterates its GHashTable for the remaining keys; replaying the
  // insertions reproduces that order exactly.
  GHashOrder<char> order;
  for (const auto& key : insertion_order_) order.insert(key, 0);
  for (const auto& [key, unused] : order.entries()) {
    if (std::find(kFixedKeys.begin(), kFixedKeys.end(), key) != kFixedKeys.end()) continue;
    write_line(key, values_.at(key));
  }
  return out;
}

}  // namespace ot::boot
