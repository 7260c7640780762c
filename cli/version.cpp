#include "cli/version.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

#ifndef OT_PACKAGE_VERSION
#error "OT_PACKAGE_VERSION must come from the CMake project version"
#endif
#ifndef OT_FEATURES
#define OT_FEATURES ""
#endif

namespace ot::cli {

namespace {

// Upstream's order of feature names (configure.ac appends them in this
// order), so a listing of the same features reads the same.
constexpr std::array<std::string_view, 13> upstream_feature_order = {
    "libcurl", "libsoup",  "gpgme", "ex-fsverity", "libarchive", "selinux", "avahi",
    "libmount", "systemd", "release", "p2p",       "sign-ed25519", "composefs"};

std::size_t rank(std::string_view name) {
  const auto it = std::find(upstream_feature_order.begin(), upstream_feature_order.end(), name);
  return static_cast<std::size_t>(it - upstream_feature_order.begin());
}

}  // namespace

std::string package_version() { return OT_PACKAGE_VERSION; }

std::vector<std::string> features() {
  std::vector<std::string> out;
  std::string_view all = OT_FEATURES;
  while (!all.empty()) {
    const std::size_t space = all.find(' ');
    const std::string_view name = all.substr(0, space);
    all = space == std::string_view::npos ? std::string_view{} : all.substr(space + 1);
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) {
      out.emplace_back(name);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return rank(a) < rank(b);
  });
  return out;
}

std::string version_text() {
  // Upstream names its library here, and scripts match on "libostree:".
  std::string out = fmt::format("libostree:\n Version: '{}'\n Features:\n", package_version());
  for (const std::string& f : features()) out += fmt::format("  - {}\n", f);
  return out;
}

}  // namespace ot::cli
