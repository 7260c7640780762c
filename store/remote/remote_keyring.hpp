#pragma once
// A remote's own GPG keyring, $repo/<remote>.trustedkeys.gpg, where
// `remote gpg-import` puts the keys that pulls from it trust (the same file
// upstream reads and writes).
#include "store/remote/remote_config.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store::remote {

// Adds the public keys key_ids (all when empty) of source (keyring or armored
// key bytes; nullopt: the user's GnuPG home) to the keyring of the remote
// name, which must exist. Returns how many keys were new to it.
unsigned import_remote_gpg_keys(Repo& repo, const RemotesLocation& where, std::string_view name,
                                const std::optional<std::string>& source, const std::vector<std::string>& key_ids);

}  // namespace ot::store::remote
