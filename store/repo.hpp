#pragma once
// An OSTree repository on disk: config, loose objects, refs, and the staging
// area that makes a batch of object writes land together.
#include "base/fd.hpp"
#include "base/keyfile.hpp"
#include "store/checksum.hpp"
#include "store/objects.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ot::store {

class Repo {
public:
  // Creates the repository layout and config at dfd/path (path may exist and be empty).
  static Repo init(int dfd, const std::string& path, RepoMode mode);
  // Opens an existing repository; throws naming path if it is not one.
  static Repo open(int dfd, const std::string& path);

  Repo(Repo&&) noexcept;
  Repo& operator=(Repo&&) noexcept;
  ~Repo();

  RepoMode mode() const;
  int dfd() const;              // the repository directory
  int objects_dfd() const;
  const std::string& path() const;  // as given to open/init, for messages
  const KeyFile& config() const;
  // Replaces the config file atomically.
  void write_config(const KeyFile& config);

  // --- objects -------------------------------------------------------------
  bool has_object(ObjectType type, const Digest& csum) const;
  // Raw bytes of a metadata object. Throws "No such metadata object <csum>.<type>".
  std::string load_metadata(ObjectType type, const Digest& csum) const;
  std::optional<std::string> load_metadata_opt(ObjectType type, const Digest& csum) const;
  // Validates normal form, hashes and stores; returns the checksum. If
  // expected is given, a mismatch throws and nothing lands.
  Digest write_metadata(ObjectType type, std::string_view bytes,
                        const std::optional<Digest>& expected = std::nullopt);
  // Stores already-verified bytes under csum (used by pull/commit after hashing).
  void write_metadata_trusted(ObjectType type, const Digest& csum, std::string_view bytes);
  // Replaces the detached metadata (a{sv}) of a commit; stored under the
  // commit's checksum, so unlike other objects it can change (signatures).
  void write_commitmeta(const Digest& commit, const gv::Value& dict);
  // Deletes one loose object; false if it was absent.
  bool delete_object(ObjectType type, const Digest& csum);

  // Every loose object: (checksum, type). Order unspecified.
  std::vector<std::pair<Digest, ObjectType>> list_objects() const;

  // Convenience decoders over load_metadata.
  Commit load_commit(const Digest& csum) const;
  DirTree load_dirtree(const Digest& csum) const;
  DirMeta load_dirmeta(const Digest& csum) const;
  // a{sv}; empty dictionary when the commit has no commitmeta.
  gv::Value load_commitmeta(const Digest& csum) const;

  // --- transactions ---------------------------------------------------------
  // While a transaction is open, new objects are written to a staging
  // directory under tmp/; commit_transaction() syncs the filesystem once and
  // renames them into objects/, so a crash never leaves a half-written object
  // in objects/. Thread-safe for concurrent object writes.
  void begin_transaction();
  void commit_transaction();
  void abort_transaction() noexcept;
  bool in_transaction() const;
  // The directory an object being written now should be linked into, and the
  // tmp/ dir fd for temporary files.
  int staging_dfd() const;
  int tmp_dfd() const;
  // Creates the XX/ subdirectory of a loose path in dfd if needed.
  void ensure_object_subdir(int dfd, const std::string& loose_path) const;

  // Whether writes fsync (config `core.fsync`, default true).
  bool fsync_enabled() const;
  // Overrides core.fsync for this handle (`--fsync=false`).
  void set_fsync(bool enabled);

  // --- refs -----------------------------------------------------------------
  // Resolves "ref", "remote:ref", a full checksum, or any of them followed by
  // one or more '^' (parents). Like upstream, "^0" and "^N" are refused as
  // invalid refspecs. Throws "Refspec 'x' not found" like upstream.
  Digest resolve_rev(const std::string& rev) const;
  std::optional<Digest> resolve_rev_opt(const std::string& rev) const;
  // Refs under refs/heads (local) plus "remote:ref" for refs/remotes/<remote>/.
  // With prefix, only refs starting with it.
  std::vector<std::pair<std::string, Digest>> list_refs(const std::string& prefix = {}) const;
  // Creates or moves a ref ("name" or "remote:name"); atomic; validates the name.
  void set_ref(const std::string& refspec, const Digest& csum);
  // false if absent.
  bool delete_ref(const std::string& refspec);

  struct Impl;

private:
  explicit Repo(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "remote:ref" into {remote, ref}; remote empty for a local ref.
std::pair<std::string, std::string> parse_refspec(const std::string& refspec);
// Ref names: non-empty, components separated by '/', no "..", no leading '.',
// characters from [A-Za-z0-9._/-].
bool is_valid_ref_name(std::string_view name);

}  // namespace ot::store
