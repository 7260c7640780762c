#pragma once
// One Boot Loader Specification entry (/boot/loader/entries/*.conf): "key
// value" lines. Parsing and writing follow upstream's bootconfig parser, so
// an entry we write is byte-identical to the one upstream writes for the
// same keys, and any entry upstream wrote reads back here.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::boot {

class BootEntry {
public:
  // Lines starting with an ASCII letter and holding a space or tab give
  // "key" -> rest of line; other lines (comments, blanks) are ignored. A
  // second "initrd" line starts the overlay initrds; any other repeated
  // key keeps its last value.
  static BootEntry parse(std::string_view text);

  // nullopt when the key is not set. For "initrd", the primary initrd.
  std::optional<std::string> get(std::string_view key) const;
  // Sets or replaces one key.
  void set(std::string_view key, std::string value);

  // Extra initrds written as further "initrd" lines after the primary one.
  const std::vector<std::string>& overlay_initrds() const noexcept { return overlay_initrds_; }
  void set_overlay_initrds(std::vector<std::string> initrds) { overlay_initrds_ = std::move(initrds); }

  // The file text as upstream writes it: title, version, options,
  // devicetree, linux, initrd (then overlay initrds) in that order, then any
  // other key in the order upstream's GLib hash table yields them; one
  // "key value\n" line each.
  std::string serialize() const;

private:
  void insert(std::string key, std::string value);
  std::vector<std::string> insertion_order_;  // keys, first insertion first
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> overlay_initrds_;
};

}  // namespace ot::boot
