#include "deploy/deployment.hpp"

#include "store/checksum.hpp"

#include <charconv>

namespace ot::deploy {

std::string Deployment::dirname() const { return csum + "." + std::to_string(deployserial); }

std::string Deployment::relpath() const {
  return "ostree/deploy/" + stateroot + "/deploy/" + dirname();
}

std::string Deployment::origin_relpath() const { return relpath() + ".origin"; }

std::optional<DeployDirName> parse_deploy_dirname(std::string_view name) {
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || !store::is_valid_checksum(name.substr(0, dot)))
    return std::nullopt;
  const std::string_view serial = name.substr(dot + 1);
  int value = 0;
  const auto [end, ec] = std::from_chars(serial.data(), serial.data() + serial.size(), value);
  if (serial.empty() || ec != std::errc() || end != serial.data() + serial.size() || value < 0)
    return std::nullopt;
  return DeployDirName{std::string(name.substr(0, dot)), value};
}

}  // namespace ot::deploy
