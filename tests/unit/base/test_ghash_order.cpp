#include "base/ghash_order.hpp"

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <random>
#include <string>
#include <vector>

using namespace ot;

namespace {

// The real GLib, loaded at run time (upstream ostree links it; its headers
// need not be installed), so the model is checked against the table itself.
struct GLib {
  using HashFn = unsigned (*)(const void*);
  using EqualFn = int (*)(const void*, const void*);
  using ForeachFn = void (*)(void* key, void* value, void* user);
  void* handle = nullptr;
  void* (*hash_table_new)(HashFn, EqualFn) = nullptr;
  int (*hash_table_insert)(void*, void*, void*) = nullptr;
  void (*hash_table_foreach)(void*, ForeachFn, void*) = nullptr;
  void (*hash_table_unref)(void*) = nullptr;
  HashFn str_hash = nullptr;
  EqualFn str_equal = nullptr;

  GLib() {
    handle = ::dlopen("libglib-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return;
    hash_table_new = reinterpret_cast<decltype(hash_table_new)>(::dlsym(handle, "g_hash_table_new"));
    hash_table_insert = reinterpret_cast<decltype(hash_table_insert)>(::dlsym(handle, "g_hash_table_insert"));
    hash_table_foreach = reinterpret_cast<decltype(hash_table_foreach)>(::dlsym(handle, "g_hash_table_foreach"));
    hash_table_unref = reinterpret_cast<decltype(hash_table_unref)>(::dlsym(handle, "g_hash_table_unref"));
    str_hash = reinterpret_cast<HashFn>(::dlsym(handle, "g_str_hash"));
    str_equal = reinterpret_cast<EqualFn>(::dlsym(handle, "g_str_equal"));
  }
  ~GLib() {
    if (handle != nullptr) ::dlclose(handle);
  }
  bool ok() const { return hash_table_new && hash_table_insert && hash_table_foreach && hash_table_unref && str_hash; }

  std::vector<std::string> order(const std::vector<std::string>& keys) const {
    void* table = hash_table_new(str_hash, str_equal);
    for (const auto& k : keys) hash_table_insert(table, const_cast<char*>(k.c_str()), nullptr);
    std::vector<std::string> out;
    hash_table_foreach(
        table, [](void* key, void*, void* user) { static_cast<std::vector<std::string>*>(user)->emplace_back(static_cast<char*>(key)); },
        &out);
    hash_table_unref(table);
    return out;
  }
};

std::vector<std::string> model_order(const std::vector<std::string>& keys) {
  GHashOrder<int> table;
  for (const auto& k : keys) table.insert(k, 0);
  std::vector<std::string> out;
  for (auto& [k, v] : table.entries()) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("g_str_hash is djb2 over signed chars") {
  const GLib glib;
  if (!glib.ok()) {
    WARN("libglib-2.0.so.0 not available: not compared");
    return;
  }
  for (const std::string s : {"", "main", "exampleos/x86_64/stable", "\xc3\xa9t\xc3\xa9", "\xff\x80"}) {
    CHECK(g_str_hash(s) == glib.str_hash(s.c_str()));
  }
}

TEST_CASE("GHashOrder iterates like GLib's GHashTable through growth and duplicates") {
  const GLib glib;
  if (!glib.ok()) {
    WARN("libglib-2.0.so.0 not available: not compared");
    return;
  }
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> len(1, 14), ch(0, 37);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/.";
  for (size_t n : {0, 1, 5, 6, 7, 8, 20, 100, 1000, 5000}) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < n; ++i) {
      std::string k;
      for (int j = len(rng); j > 0; --j) k += alphabet[static_cast<size_t>(ch(rng))];
      keys.push_back(k);
      if (i % 7 == 3) keys.push_back(keys[i / 2]);  // re-inserted keys keep their slot
    }
    INFO(n << " keys");
    CHECK(model_order(keys) == glib.order(keys));
  }
}
