#pragma once
// One deployment: a checkout of a commit under
// ostree/deploy/$stateroot/deploy/$csum.$deployserial, booted through
// ostree/boot.N/$stateroot/$bootcsum/$bootserial.
#include "base/keyfile.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ot::deploy {

struct Deployment {
  int index = -1;          // position in the sysroot's list, 0 = default
  std::string stateroot;   // "osname" upstream
  std::string csum;        // commit checksum
  int deployserial = 0;    // tells apart two deployments of one commit
  std::string bootcsum;    // checksum of kernel + initramfs
  int bootserial = -1;     // tells apart deployments sharing a bootcsum
  std::string kargs;       // kernel arguments; ostree= keeps its place when rewritten
  KeyFile origin;          // the .origin keyfile (empty when there is none)
  bool has_origin = false;
  bool staged = false;     // finalized at shutdown; not in the boot entries yet

  // "$csum.$deployserial", the directory name under deploy/.
  std::string dirname() const;
  // "ostree/deploy/$stateroot/deploy/$csum.$deployserial", relative to the sysroot.
  std::string relpath() const;
  // The .origin file beside the deployment directory, relative to the sysroot.
  std::string origin_relpath() const;
};

struct DeployDirName {
  std::string csum;
  int deployserial;
};
// Parses "$csum.$serial"; nullopt for anything else (a stray file, a
// half-written "$csum.$serial.tmp", a bad checksum).
std::optional<DeployDirName> parse_deploy_dirname(std::string_view name);

}  // namespace ot::deploy
