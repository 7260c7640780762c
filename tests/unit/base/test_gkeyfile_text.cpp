#include "base/gkeyfile_text.hpp"

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <string>

using namespace ot;

namespace {

// GLib's GKeyFile itself, loaded at run time, as the oracle.
struct GKeyFile {
  void* handle = ::dlopen("libglib-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
  template <typename F>
  F sym(const char* name) const {
    return handle ? reinterpret_cast<F>(::dlsym(handle, name)) : nullptr;
  }
  void* (*key_file_new)() = sym<void* (*)()>("g_key_file_new");
  int (*load_from_data)(void*, const char*, size_t, int, void**) =
      sym<int (*)(void*, const char*, size_t, int, void**)>("g_key_file_load_from_data");
  void (*set_string)(void*, const char*, const char*, const char*) =
      sym<void (*)(void*, const char*, const char*, const char*)>("g_key_file_set_string");
  int (*remove_key)(void*, const char*, const char*, void**) =
      sym<int (*)(void*, const char*, const char*, void**)>("g_key_file_remove_key");
  char* (*get_string)(void*, const char*, const char*, void**) =
      sym<char* (*)(void*, const char*, const char*, void**)>("g_key_file_get_string");
  char* (*to_data)(void*, size_t*, void**) = sym<char* (*)(void*, size_t*, void**)>("g_key_file_to_data");
  void (*key_file_free)(void*) = sym<void (*)(void*)>("g_key_file_free");
  void (*g_free)(void*) = sym<void (*)(void*)>("g_free");
  void (*error_free)(void*) = sym<void (*)(void*)>("g_error_free");

  ~GKeyFile() {
    if (handle) ::dlclose(handle);
  }
  bool ok() const { return key_file_new && load_from_data && set_string && to_data && get_string && remove_key; }

  // Loads text (without comments, as ostree does), applies fn, returns to_data().
  template <typename Fn>
  std::string edit(const std::string& text, Fn&& fn) const {
    void* kf = key_file_new();
    void* err = nullptr;
    REQUIRE(load_from_data(kf, text.data(), text.size(), 0, &err));
    fn(kf);
    size_t len = 0;
    char* data = to_data(kf, &len, nullptr);
    std::string out(data, len);
    g_free(data);
    key_file_free(kf);
    return out;
  }
  // get_string's text (or "<null>") and whether it reported an error.
  std::pair<std::string, bool> get(const std::string& text, const char* group, const char* key) const {
    std::pair<std::string, bool> out;
    edit(text, [&](void* kf) {
      void* err = nullptr;
      char* v = get_string(kf, group, key, &err);
      out = {v ? v : "<null>", err != nullptr};
      if (err) error_free(err);
      g_free(v);
    });
    return out;
  }
};

const std::string kMessy =
    "# leading comment\n[core]\nrepo_version = 1\n# comment\nmode=archive-z2\n\n\n[x]\n  k = v  \n"
    "esc=a\\qb\\sc\ntrail=abc\\\ncr=v\r\n[remote \"origin\"]\nurl=http://x\n[x]\nlate=1\n[empty]\n";

}  // namespace

TEST_CASE("GKeyFileText writes files as GLib does after loading and editing them") {
  const GKeyFile glib;
  if (!glib.ok()) {
    WARN("libglib-2.0.so.0 not available: not compared");
    return;
  }
  CHECK(GKeyFileText::parse(kMessy).to_data() == glib.edit(kMessy, [](void*) {}));

  for (const std::string value : {"bar", "  two\tleading", "\tx", "a\nb\rc", "back\\slash", " \\ x", "\n lead",
                                  "", "trailing  ", "semi;colon"}) {
    INFO("value '" << value << "'");
    GKeyFileText ours = GKeyFileText::parse(kMessy);
    ours.set_raw("x", "new", gkeyfile_escape_string(value));
    ours.set_raw("core", "mode", gkeyfile_escape_string(value));
    ours.set_raw("brand new", "k", gkeyfile_escape_string(value));
    const std::string theirs = glib.edit(kMessy, [&](void* kf) {
      glib.set_string(kf, "x", "new", value.c_str());
      glib.set_string(kf, "core", "mode", value.c_str());
      glib.set_string(kf, "brand new", "k", value.c_str());
    });
    CHECK(ours.to_data() == theirs);
    // And reads back what was stored.
    const auto back = gkeyfile_unescape_string(*ours.raw_value("x", "new"));
    CHECK(back.valid);
    CHECK(back.value == value);
  }

  GKeyFileText ours = GKeyFileText::parse(kMessy);
  CHECK(ours.remove_key("x", "k"));
  CHECK_FALSE(ours.remove_key("x", "nope"));
  CHECK_FALSE(ours.remove_key("nogroup", "k"));
  CHECK(ours.to_data() == glib.edit(kMessy, [&](void* kf) { glib.remove_key(kf, "x", "k", nullptr); }));
}

TEST_CASE("GKeyFileText reads values as g_key_file_get_string does") {
  const GKeyFile glib;
  if (!glib.ok()) {
    WARN("libglib-2.0.so.0 not available: not compared");
    return;
  }
  const GKeyFileText ours = GKeyFileText::parse(kMessy);
  for (const char* key : {"k", "esc", "trail", "cr", "late"}) {
    INFO("key " << key);
    const auto [text, failed] = glib.get(kMessy, "x", key);
    const auto value = gkeyfile_unescape_string(*ours.raw_value("x", key));
    CHECK(value.value == text);
    CHECK(value.valid == !failed);
  }
}

TEST_CASE("group and key names are checked as GLib checks them") {
  CHECK(gkeyfile_is_group_name("remote \"origin\""));
  CHECK_FALSE(gkeyfile_is_group_name(""));
  CHECK_FALSE(gkeyfile_is_group_name("a[b"));
  CHECK_FALSE(gkeyfile_is_group_name("a\nb"));
  CHECK(gkeyfile_is_key_name("url"));
  CHECK(gkeyfile_is_key_name("k[de]"));
  CHECK(gkeyfile_is_key_name("a b"));
  CHECK_FALSE(gkeyfile_is_key_name(""));
  CHECK_FALSE(gkeyfile_is_key_name(" a"));
  CHECK_FALSE(gkeyfile_is_key_name("a="));
  CHECK_FALSE(gkeyfile_is_key_name("k[d/e]"));
  CHECK_FALSE(gkeyfile_is_key_name("k[de]x"));
}
