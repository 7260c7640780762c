#pragma once
// `ostree --version`: the compatibility level and the optional features this
// build really contains, in upstream's YAML-like layout.
#include <string>
#include <vector>

namespace ot::cli {

// The upstream release whose command line and formats we match ("2022.7"),
// from the root CMake project VERSION.
std::string package_version();

// Feature names, in upstream's order where upstream has them. A library
// declares its names in its CMakeLists.txt where it links the dependency:
//   set_property(GLOBAL APPEND PROPERTY OT_FEATURES libcurl)
std::vector<std::string> features();

// The complete --version output, ending with a newline.
std::string version_text();

}  // namespace ot::cli
