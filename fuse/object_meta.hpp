#pragma once
// What a content object says about its file (mode, owner, size, symlink
// target, xattrs), read with as few syscalls as each repo mode allows: a
// walk over a mounted tree does this once per file, so it is the mount's
// metadata cost. (store::load_content also opens the content for reading;
// this reads only the metadata.)
#include "store/objects.hpp"

#include <cstdint>
#include <optional>

namespace ot::fuse {

struct ObjectMeta {
  store::FileMeta meta;
  uint64_t size = 0;            // content length; 0 for symlinks
  uint64_t payload_offset = 0;  // archive: where the deflate stream starts
};

// nullopt when the object is not in objects_dfd. Throws Error (EIO) when
// it is there but malformed.
std::optional<ObjectMeta> read_object_meta(int objects_dfd, store::RepoMode mode, const store::Digest& csum);

}  // namespace ot::fuse
