#include "store/remote/remote_keyring.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/remote/pull_verify.hpp"
#include "store/sign/gpg.hpp"

namespace ot::store::remote {

unsigned import_remote_gpg_keys(Repo& repo, const RemotesLocation& where, std::string_view name,
                                const std::optional<std::string>& source, const std::vector<std::string>& key_ids) {
  return with_context("GPG", [&] {
    if (!find_remote(repo, where, name)) throw Error("Remote \"" + std::string(name) + "\" not found");
    auto file = remote_keyring_name(name);
    auto merged = sign::gpg_import_keys(sys::read_file_at_opt(repo.dfd(), file), source, key_ids);
    write_file_atomic(repo.dfd(), file, merged.keyring, 0644,
                      repo.fsync_enabled() ? Durability::fsync : Durability::nosync);
    return merged.imported;
  });
}

}  // namespace ot::store::remote
