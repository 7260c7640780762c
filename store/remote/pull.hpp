#pragma once
// Pulling commits from another repository: over HTTP(S) from an archive
// repository, or from a local repository of any mode (pull-local, file://).
// Every object is verified against its checksum before it lands, objects
// already present are never fetched, and refs move only after the whole
// transaction with every object of their commits has landed.
#include "store/checksum.hpp"
#include "store/remote/pull_verify.hpp"
#include "store/remote/remote_config.hpp"
#include "store/repo.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ot::store::remote {

struct PullStats;

struct PullOptions {
  // Refs (or 64-hex commit checksums) to pull; empty: the remote's
  // configured branches, or with mirror every ref of its summary (all local
  // refs of a local source).
  std::vector<std::string> refs;
  bool mirror = false;                // refs land under refs/heads, not refs/remotes/NAME
  int depth = 0;                      // parents to follow (-1: all)
  bool commit_metadata_only = false;  // commits (and detached metadata) only
  std::vector<std::string> subpaths;  // only these trees of each commit ("/usr/bin")
  // For pull-local: the remote name refs land under (refs/remotes/NAME);
  // empty: local refs.
  std::string local_ref_remote;
  // Refuse a commit whose ostree.ref-binding list lacks the ref it was
  // pulled for (a server answering one ref with another's commit).
  bool verify_bindings = true;
  // Signatures every landing commit (and, for pull-local, the source's
  // summary) must carry; pull() takes them from the remote's config when unset.
  std::shared_ptr<const PullVerifier> verifier;
  // Progress callback, called now and then from the pulling thread.
  std::function<void(const PullStats&)> progress;
};

struct PullStats {
  unsigned metadata_fetched = 0;  // metadata objects (and detached-metadata lookups) fetched
  unsigned content_fetched = 0;
  unsigned metadata_requested = 0;
  unsigned content_requested = 0;
  uint64_t bytes_transferred = 0;    // bodies received over the network
  uint64_t content_bytes_written = 0;  // uncompressed bytes of content objects written
  std::chrono::steady_clock::duration elapsed{};
  bool local = false;  // imported from a local repository
  // Refs updated: (refspec as stored, commit).
  std::vector<std::pair<std::string, Digest>> refs_updated;
};

// `ostree pull REMOTE [REF...]`: remote from the repo's config (and where).
PullStats pull(Repo& repo, const RemotesLocation& where, const std::string& remote_name,
               const PullOptions& options);
// `ostree pull-local SRC [REF...]`.
PullStats pull_local(Repo& repo, const std::string& src_path, const PullOptions& options);

// The line upstream prints when a pull ends:
// "8 metadata, 2 content objects fetched; 799 B transferred in 0 seconds; 3 bytes content written"
std::string format_pull_summary(const PullStats& stats);

// The summary (or nullopt when the server has none) of a configured remote,
// as raw bytes, for `remote refs` / `remote summary`.
std::optional<std::string> fetch_remote_summary(const Repo& repo, const RemotesLocation& where,
                                                const std::string& remote_name);

}  // namespace ot::store::remote
