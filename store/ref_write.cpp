#include "store/ref_write.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/opendir.hpp"
#include "store/ref_list.hpp"
#include "store/rev_parse.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace ot::store {
namespace {

void validate_names(const std::optional<std::string>& remote, const std::string& ref) {
  if (remote && !is_valid_remote_name(*remote)) throw Error("Invalid remote name " + *remote);
  if (!is_valid_ref_name(ref)) throw Error("Invalid ref name " + ref);
}

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Upstream touches the repository directory whenever refs change, so tools
// watching its mtime (flatpak) notice.
void touch_repo(const Repo& repo) {
  if (::futimens(repo.dfd(), nullptr) != 0) throw_errno("futimens");
}

// The directory a ref lives in: refs/heads, or refs/remotes/<remote>, which
// is created for a write and may be absent for a delete. refs/heads and
// refs/remotes themselves must exist, as upstream requires.
std::optional<UniqueFd> ref_dir(const Repo& repo, const std::optional<std::string>& remote, bool create) {
  if (!remote) return opendir_at(repo.dfd(), "refs/heads");
  auto remotes = opendir_at(repo.dfd(), "refs/remotes");
  if (create) sys::mkdirs_at(remotes.get(), *remote, 0777);
  auto dfd = sys::open_dir_opt(remotes.get(), *remote);
  if (!dfd && create) throw_errno("opendir", *remote, ENOENT);
  return dfd;
}

}  // namespace

void write_ref_checked(Repo& repo, const std::optional<std::string>& remote, const std::string& ref,
                       const Digest& csum) {
  validate_names(remote, ref);
  if (is_checksum_string(ref)) throw Error("Rev name '" + ref + "' looks like a checksum");
  auto dfd = ref_dir(repo, remote, /*create=*/true);
  if (const std::string parent = parent_of(ref); !parent.empty()) sys::mkdirs_at(dfd->get(), parent, 0777);

  const std::string text = digest_hex(csum) + "\n";
  const Durability durability = repo.fsync_enabled() ? Durability::fsync : Durability::nosync;
  try {
    write_file_atomic(dfd->get(), ref, text, 0644, durability);
  } catch (const Error& e) {
    if (e.errnum() != EISDIR) throw;
    // A directory of the same name holds other refs: refuse, naming the
    // first one; an empty tree of directories just makes way. Upstream
    // looks under refs/heads even for a remote ref; so do we.
    for (const auto& [name, value] : list_refs_ordered(repo, ref, RefListOptions{.cut_prefix = true})) {
      if (name != ref) throw Error("Conflict: " + name + " exists under " + ref + " when attempting write");
    }
    sys::remove_tree_at(dfd->get(), ref);
    write_file_atomic(dfd->get(), ref, text, 0644, durability);
  }
  touch_repo(repo);
}

void delete_ref_checked(Repo& repo, const std::optional<std::string>& remote, const std::string& ref) {
  validate_names(remote, ref);
  // Upstream compares the alias target with the ref name alone, whatever
  // the remote.
  for (const auto& [alias, target] :
       list_refs_ordered(repo, std::nullopt, RefListOptions{.aliases_only = true})) {
    if (target == ref) throw Error("Ref '" + ref + "' has an active alias: '" + alias + "'");
  }
  if (auto dfd = ref_dir(repo, remote, /*create=*/false)) sys::unlink_at_opt(dfd->get(), ref);
  touch_repo(repo);
}

void write_alias_ref(Repo& repo, const std::string& ref, const std::string& target) {
  validate_names(std::nullopt, ref);
  auto dfd = opendir_at(repo.dfd(), "refs/heads");
  if (const std::string parent = parent_of(ref); !parent.empty()) sys::mkdirs_at(dfd.get(), parent, 0755);
  // The link is relative to the alias's own directory.
  std::string relative;
  for (size_t n = std::count(ref.begin(), ref.end(), '/'); n > 0; --n) relative += "../";
  symlink_atomic(relative + target, dfd.get(), ref);
  touch_repo(repo);
}

void write_collection_ref(Repo& repo, const std::string& collection_id, const std::string& ref,
                          const std::optional<Digest>& csum) {
  if (!is_valid_collection_id(collection_id)) throw Error("Invalid collection ID " + collection_id);
  if (!is_valid_ref_name(ref)) throw Error("Invalid ref name " + ref);
  if (repo.config().get("core", "collection-id") == collection_id) {
    if (csum) {
      write_ref_checked(repo, std::nullopt, ref, *csum);
    } else {
      delete_ref_checked(repo, std::nullopt, ref);
    }
    return;
  }
  const std::string dir = "refs/mirrors/" + collection_id;
  if (!csum) {
    if (auto dfd = sys::open_dir_opt(repo.dfd(), dir)) sys::unlink_at_opt(dfd->get(), ref);
    touch_repo(repo);
    return;
  }
  sys::mkdirs_at(repo.dfd(), dir, 0777);
  auto dfd = opendir_at(repo.dfd(), dir);
  if (const std::string parent = parent_of(ref); !parent.empty()) sys::mkdirs_at(dfd.get(), parent, 0777);
  write_file_atomic(dfd.get(), ref, digest_hex(*csum) + "\n", 0644,
                    repo.fsync_enabled() ? Durability::fsync : Durability::nosync);
  touch_repo(repo);
}

}  // namespace ot::store
