#pragma once
// Turning what users type (a ref, "remote:ref", a full or partial checksum,
// any of them followed by '^' for the parent) into a commit checksum, with
// upstream's rules and error messages, which scripts match on.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store {

// ostree_validate_checksum_string(): exactly 64 lowercase hex digits.
bool is_checksum_string(std::string_view s);

// A parsed "[remote:]ref".
struct Refspec {
  std::optional<std::string> remote;
  std::string ref;
};
// ostree_parse_refspec(); throws "Invalid refspec <refspec>".
Refspec parse_refspec_checked(std::string_view refspec);
// Remote names are one ref component ([\w][-._\w]*).
bool is_valid_remote_name(std::string_view name);
// Collection IDs have D-Bus interface name syntax ("org.example.Os").
bool is_valid_collection_id(std::string_view id);

// Whether a bare "ref" that is not under refs/heads is also looked up as
// refs/remotes/<ref> and then in each remote's directory
// (ostree_repo_resolve_rev does; the _ext variant does not).
enum class RemoteFallback { no, yes };

// ostree_repo_resolve_rev(_ext): a 64-hex checksum as is; an unambiguous
// prefix of a commit object's checksum; "X^" as X's parent; else a ref file.
// Returns nullopt for an absent ref when allow_noent, else throws
// "Refspec 'x' not found" (ENOENT). A ref that is a directory throws with
// EISDIR ("Couldn't open ref 'x': Is a directory").
std::optional<Digest> resolve_rev_ext(const Repo& repo, std::string_view rev, bool allow_noent,
                                      RemoteFallback fallback);

// Checksums of the loose commit objects whose hex starts with prefix.
std::vector<Digest> list_commit_objects_starting_with(const Repo& repo, std::string_view prefix);

}  // namespace ot::store
