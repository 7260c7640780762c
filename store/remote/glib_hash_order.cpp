#include "store/remote/glib_hash_order.hpp"

#include <cstdint>
#include <optional>

namespace ot::store::remote {
namespace {

// GLib's open-addressing table: power-of-two buckets, quadratic probing, the
// home bucket taken modulo a prime below the size, hashes 0 and 1 reserved
// (unused, tombstone). Only insertion and growth are modelled: the
// dictionaries we mirror never delete.
constexpr uint32_t kPrimeMod[] = {1,       2,       3,        7,        13,       31,       61,
                                  127,     251,     509,      1021,     2039,     4093,     8191,
                                  16381,   32749,   65521,    131071,   262139,   524287,   1048573,
                                  2097143, 4194301, 8388593,  16777213, 33554393, 67108859, 134217689};
constexpr int kMinShift = 3;

uint32_t g_str_hash(const std::string& s) {
  uint32_t h = 5381;
  for (char c : s) h = h * 33 + uint32_t(int32_t(static_cast<signed char>(c)));
  return h;
}

struct Table {
  int shift = kMinShift;
  std::vector<uint32_t> hashes = std::vector<uint32_t>(size_t(1) << kMinShift, 0);
  std::vector<std::optional<std::string>> keys = std::vector<std::optional<std::string>>(hashes.size());
  size_t nnodes = 0;

  size_t size() const { return hashes.size(); }
  uint32_t mask() const { return uint32_t(size() - 1); }
  uint32_t home(uint32_t hash) const { return uint32_t(hash * 11u) % kPrimeMod[shift]; }

  void insert(const std::string& key) {
    uint32_t hash = g_str_hash(key);
    if (hash < 2) hash = 2;
    uint32_t i = home(hash);
    uint32_t step = 0;
    while (hashes[i] != 0) {
      if (hashes[i] == hash && keys[i] == key) return;
      i = (i + ++step) & mask();
    }
    hashes[i] = hash;
    keys[i] = key;
    ++nnodes;
    // No tombstones, so "occupied" equals the node count.
    if (size() <= nnodes + nnodes / 16) grow();
  }

  // GLib sizes the new table for 4/3 of the nodes and relocates entries in
  // place, walking old buckets in order and evicting unplaced occupants.
  void grow() {
    size_t want = size_t(double(nnodes) * 1.333);
    int new_shift = 0;
    for (; want; want >>= 1) ++new_shift;
    new_shift = std::max(new_shift, kMinShift);
    size_t old_size = size();
    shift = new_shift;
    size_t new_size = size_t(1) << shift;
    hashes.resize(std::max(old_size, new_size), 0);
    keys.resize(hashes.size());
    std::vector<bool> placed(hashes.size(), false);
    for (size_t i = 0; i < old_size; ++i) {
      if (hashes[i] < 2 || placed[i]) continue;
      uint32_t hash = hashes[i];
      std::optional<std::string> key = std::move(keys[i]);
      hashes[i] = 0;
      keys[i].reset();
      for (;;) {
        uint32_t b = home(hash);
        uint32_t step = 0;
        while (placed[b]) b = (b + ++step) & uint32_t(new_size - 1);
        placed[b] = true;
        uint32_t displaced = hashes[b];
        hashes[b] = hash;
        std::swap(key, keys[b]);
        if (displaced < 2) break;
        hash = displaced;
      }
    }
    hashes.resize(new_size);
    keys.resize(new_size);
  }
};

}  // namespace

std::vector<std::string> glib_str_hash_table_order(const std::vector<std::string>& insertion_order) {
  Table t;
  for (const auto& k : insertion_order) t.insert(k);
  std::vector<std::string> out;
  for (auto& k : t.keys)
    if (k) out.push_back(*k);
  return out;
}

}  // namespace ot::store::remote
