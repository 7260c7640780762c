#pragma once
// The "ostree.sizes" commit metadata (written by `commit --generate-sizes`):
// for each object of the commit, its checksum, size as stored in an archive
// repo and unpacked size, so a client can tell how much a pull will fetch.
#include "store/checksum.hpp"
#include "store/objects.hpp"

#include <cstdint>
#include <vector>

namespace ot::store {

struct CommitSizesEntry {
  Digest checksum{};
  ObjectType type = ObjectType::file;
  uint64_t archived = 0;
  uint64_t unpacked = 0;
};

// ostree_commit_get_object_sizes(). Throws "No metadata key ostree.sizes in
// commit" when absent, and on malformed entries.
std::vector<CommitSizesEntry> commit_object_sizes(const Commit& commit);

}  // namespace ot::store
