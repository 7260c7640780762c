#pragma once
// Writing refs with upstream's rules (ostree_repo_set_ref_immediate and
// ostree_repo_set_alias_ref_immediate): what may be replaced, what is refused
// and how, so `ostree refs --create/--delete` behave the same in both tools.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>

namespace ot::store {

// Points ref (under refs/remotes/<remote>/ when remote is set) at csum,
// creating parent directories. A directory in the way is replaced only when
// no ref lives under it; otherwise "Conflict: X exists under REF when
// attempting write".
void write_ref_checked(Repo& repo, const std::optional<std::string>& remote, const std::string& ref,
                       const Digest& csum);

// Removes a ref; absent is not an error. Refused while an alias points at a
// ref of that name: "Ref 'REF' has an active alias: 'ALIAS'".
void delete_ref_checked(Repo& repo, const std::optional<std::string>& remote, const std::string& ref);

// Makes refs/heads/ref an alias (a relative symlink) of the local ref target,
// replacing an existing alias atomically.
void write_alias_ref(Repo& repo, const std::string& ref, const std::string& target);

// Points (collection_id, ref) at csum, or removes it when csum is nullopt:
// the repository's own collection lives in refs/heads, others in
// refs/mirrors/<collection_id>/.
void write_collection_ref(Repo& repo, const std::string& collection_id, const std::string& ref,
                          const std::optional<Digest>& csum);

}  // namespace ot::store
