#pragma once
// os-release(5) of a deployment: the boot menu titles come from it.
#include <map>
#include <string>
#include <string_view>

namespace ot::deploy {

// KEY=VALUE lines; values unquoted ('…', or "…" where a backslash escapes
// $ ` " \ and newline).
std::map<std::string, std::string> parse_os_release(std::string_view text);

// The deployment's usr/lib/os-release, else etc/os-release (upstream's
// order); empty when neither exists.
std::map<std::string, std::string> read_os_release(int deployment_dfd);

}  // namespace ot::deploy
