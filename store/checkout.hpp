#pragma once
// Checking out a commit (or a path inside it) into a directory, with the
// semantics of upstream `ostree checkout`: hardlinks from the object store
// when the repo mode and checkout mode allow it, copies otherwise; ownership,
// modes, xattrs and symlinks restored; union and whiteout layering.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <cstdint>
#include <string>
#include <unordered_set>

namespace ot::store {

enum class CheckoutMode {
  normal,  // restore ownership and xattrs (needs root for foreign owners)
  user,    // -U: files owned by the caller, no xattrs, no setuid/setgid bits
};

enum class OverwriteMode {
  none,             // the destination must not exist
  union_files,      // --union: keep existing directories, replace files
  union_add,        // --union-add: keep existing files, only add new ones
  union_identical,  // --union-identical: an existing file must be the same object
};

enum class LinkPolicy {
  prefer_hardlinks,   // hardlink when the modes allow it, else copy
  require_hardlinks,  // -H: fail rather than copy a regular file
  force_copy,         // -C: never hardlink (copies may still share extents)
};

struct CheckoutOptions {
  CheckoutMode mode = CheckoutMode::normal;
  OverwriteMode overwrite = OverwriteMode::none;
  LinkPolicy links = LinkPolicy::prefer_hardlinks;
  // --whiteouts: a file `.wh.NAME` removes NAME from the destination instead of
  // being checked out; `.wh..wh..opq` empties its directory first (OCI layers).
  bool process_whiteouts = false;
  // -M: directory modes masked to 0775 (always so for bare-user-only repos).
  bool bareuseronly_dirs = false;
  // --subpath: the path inside the commit to check out; a file lands inside
  // the destination directory under its own name.
  std::string subpath = "/";
  // --allow-noent: a subpath absent from the commit is not an error.
  bool allow_noent = false;
  // fsync files and directories before returning (upstream's CLI does not).
  bool fsync = false;
  // --skip-list: paths to leave out, as upstream spells them relative to the
  // checkout root: "/usr/bin/foo" for a file, "/usr/share/" for a directory.
  std::unordered_set<std::string> skip_paths;
  // Archive repos, user checkouts: keep a decompressed copy of each file in
  // `$repo/uncompressed-objects-cache/` (unless core.enable-uncompressed-cache
  // is false or the repo is read-only) and hardlink from it, so the next
  // checkout of the same files is a hardlink checkout. Upstream's CLI does
  // this unless given --disable-cache, -C, -H, -M, --whiteouts, --union-add
  // or --union-identical.
  bool uncompressed_cache = false;
  // Worker threads; 0 uses every CPU.
  unsigned threads = 0;
};

struct CheckoutStats {
  uint64_t files_linked = 0;   // hardlinked from the object store
  uint64_t files_copied = 0;   // written (regular files and symlinks)
  uint64_t files_skipped = 0;  // kept as found (union modes), whiteouts, skip list
  uint64_t directories = 0;
  bool nothing_to_do = false;  // allow_noent and the subpath does not exist
};

// Checks out commit into dfd/destination. Without a union mode the
// destination must not exist: the tree is built in `.tmp-checkout-XXXXXX`
// beside it and renamed into place, so a failure leaves nothing behind. The
// checkout never writes outside the destination and never follows a symlink
// found there. Throws ot::Error naming the path and object at fault.
CheckoutStats checkout(const Repo& repo, const Digest& commit, int dfd, const std::string& destination,
                       const CheckoutOptions& options = {});

}  // namespace ot::store
