#pragma once
// The order in which a GLib (2.74) GHashTable iterates its entries. Upstream
// ostree prints some listings straight out of a hash table (`ostree refs`,
// `ostree refs --alias`), and scripts written against it see that order, so
// reproducing the table's layout keeps our output byte-for-byte the same.
//
// Only insertion is modelled (open addressing with quadratic probing, the
// in-place rehash on growth); the tables upstream prints are built by
// inserting and never shrink before they are printed.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ot {

// g_str_hash(): djb2 over the bytes taken as signed chars.
uint32_t g_str_hash(std::string_view s);

// A string-keyed table that iterates like GHashTable. Values ride along.
template <typename V>
class GHashOrder {
public:
  GHashOrder() { reset_slots(); }

  // g_hash_table_insert(): a new key takes a slot; an existing key keeps its
  // slot and gets the new value. hash is the table's hash of the key.
  void insert(std::string key, V value, uint32_t hash);
  void insert(std::string key, V value) {
    const uint32_t h = g_str_hash(key);
    insert(std::move(key), std::move(value), h);
  }

  bool contains(std::string_view key, uint32_t hash) const;
  bool contains(std::string_view key) const { return contains(key, g_str_hash(key)); }
  size_t size() const { return nnodes_; }

  // Entries in iteration order (GHashTableIter / g_hash_table_foreach).
  std::vector<std::pair<std::string, V>> entries() const;

private:
  struct Slot {
    uint32_t hash = 0;  // 0 unused, 1 tombstone (never made here), >= 2 real
    std::string key;
    V value{};
  };
  void reset_slots();
  void set_shift(unsigned shift);
  size_t index_of(uint32_t hash) const;
  void maybe_resize();
  void resize();

  std::vector<Slot> slots_;
  size_t mod_ = 0;
  size_t mask_ = 0;
  size_t nnodes_ = 0;
  size_t noccupied_ = 0;
};

namespace ghash_detail {
// GLib's prime_mod table, indexed by shift.
uint32_t prime_mod(unsigned shift);
// g_hash_table_find_closest_shift(), at least the minimum shift of 3.
unsigned shift_for(size_t n);
}  // namespace ghash_detail

template <typename V>
void GHashOrder<V>::reset_slots() {
  set_shift(3);
  slots_.assign(size_t{1} << 3, Slot{});
}

template <typename V>
void GHashOrder<V>::set_shift(unsigned shift) {
  mod_ = ghash_detail::prime_mod(shift);
  mask_ = (size_t{1} << shift) - 1;
}

template <typename V>
size_t GHashOrder<V>::index_of(uint32_t hash) const {
  // GLib multiplies by a small prime (in 32 bits) before the modulo.
  return static_cast<uint32_t>(hash * 11u) % mod_;
}

template <typename V>
bool GHashOrder<V>::contains(std::string_view key, uint32_t hash) const {
  if (hash < 2) hash = 2;
  size_t i = index_of(hash);
  for (size_t step = 1; slots_[i].hash != 0; ++step) {
    if (slots_[i].hash == hash && slots_[i].key == key) return true;
    i = (i + step) & mask_;
  }
  return false;
}

template <typename V>
void GHashOrder<V>::insert(std::string key, V value, uint32_t hash) {
  if (hash < 2) hash = 2;  // 0 and 1 mark free slots and tombstones
  size_t i = index_of(hash);
  for (size_t step = 1; slots_[i].hash != 0; ++step) {
    if (slots_[i].hash == hash && slots_[i].key == key) {
      slots_[i].value = std::move(value);
      return;
    }
    i = (i + step) & mask_;
  }
  slots_[i] = Slot{hash, std::move(key), std::move(value)};
  ++nnodes_;
  ++noccupied_;
  maybe_resize();
}

template <typename V>
void GHashOrder<V>::maybe_resize() {
  const size_t size = slots_.size();
  if ((size > nnodes_ * 4 && size > 8) || size <= noccupied_ + noccupied_ / 16) resize();
}

// GLib rehashes in place: walking the old slots in order, each entry not yet
// placed is moved to its new home, evicting (and then placing) whatever
// entry sat there. The resulting layout depends on that walk, so it is
// reproduced step by step rather than by reinserting.
template <typename V>
void GHashOrder<V>::resize() {
  const size_t old_size = slots_.size();
  const unsigned shift = ghash_detail::shift_for(static_cast<size_t>(static_cast<double>(nnodes_) * 1.333));
  set_shift(shift);
  const size_t new_size = size_t{1} << shift;
  if (new_size > old_size) slots_.resize(new_size);
  std::vector<bool> placed(std::max(new_size, old_size), false);

  for (size_t i = 0; i < old_size; ++i) {
    uint32_t node_hash = slots_[i].hash;
    if (node_hash < 2) {
      slots_[i].hash = 0;
      continue;
    }
    if (placed[i]) continue;
    slots_[i].hash = 0;
    std::string key = std::move(slots_[i].key);
    V value = std::move(slots_[i].value);
    for (;;) {
      size_t j = index_of(node_hash);
      for (size_t step = 1; placed[j]; ++step) j = (j + step) & mask_;
      placed[j] = true;
      const uint32_t replaced = slots_[j].hash;
      slots_[j].hash = node_hash;
      if (replaced < 2) {
        slots_[j].key = std::move(key);
        slots_[j].value = std::move(value);
        break;
      }
      node_hash = replaced;
      std::swap(key, slots_[j].key);
      std::swap(value, slots_[j].value);
    }
  }
  if (new_size < old_size) slots_.resize(new_size);
  noccupied_ = nnodes_;
}

template <typename V>
std::vector<std::pair<std::string, V>> GHashOrder<V>::entries() const {
  std::vector<std::pair<std::string, V>> out;
  out.reserve(nnodes_);
  for (const Slot& s : slots_) {
    if (s.hash >= 2) out.emplace_back(s.key, s.value);
  }
  return out;
}

}  // namespace ot
