// What a user sees when the locale cannot show UTF-8: the same text GLib's
// g_print makes of it.
#include "cli/output.hpp"

#include <clocale>

#include <catch2/catch.hpp>

using namespace ot::cli;

namespace {

// Switches LC_ALL for one scope; the previous locale comes back after.
class ScopedLocale {
public:
  explicit ScopedLocale(const char* name) : old_(std::setlocale(LC_ALL, nullptr)) {
    ok_ = std::setlocale(LC_ALL, name) != nullptr;
  }
  ~ScopedLocale() { std::setlocale(LC_ALL, old_.c_str()); }
  bool ok() const { return ok_; }

private:
  std::string old_;
  bool ok_ = false;
};

}  // namespace

TEST_CASE("a UTF-8 console gets text unchanged, even bytes that are not UTF-8") {
  const ScopedLocale locale("C.UTF-8");
  if (!locale.ok()) {
    WARN("C.UTF-8 locale not available");
    return;
  }
  CHECK(console_is_utf8());
  CHECK(to_console("[OPTION\u2026] \xff") == "[OPTION\u2026] \xff");
}

TEST_CASE("an ASCII console gets '?' for each character it cannot show") {
  const ScopedLocale locale("C");
  CHECK_FALSE(console_is_utf8());
  CHECK(to_console("[OPTION\u2026]") == "[OPTION?]");
  CHECK(to_console("caf\u00e9 \u65e5\u672c \U0001F600") == "caf? ?? ?");
  CHECK(to_console("a\tb\x01" "c\x7f") == "a\tb\x01" "c\x7f");
}

TEST_CASE("an ASCII console gets text that is not UTF-8 escaped and flagged") {
  const ScopedLocale locale("C");
  CHECK(to_console("error: Unknown command '\xff'\n") ==
        "[Invalid UTF-8] error: Unknown command '\\xff'\n");
  CHECK(to_console("a\rb\r\n\x01\xc3") == "[Invalid UTF-8] a\\x0db\r\n\\x01\\xc3");
}

TEST_CASE("UTF-8 validation rejects overlong forms, surrogates and truncation") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("\u00e9\u65e5\U0001F600"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));
  CHECK_FALSE(valid_utf8("\xe6\x97"));
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));
}
