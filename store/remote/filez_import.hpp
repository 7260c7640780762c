#pragma once
// Storing a content object that arrives in archive form (.filez: a
// size-prefixed header, then the raw-deflate payload) into a repository of
// any mode. It is verified against its checksum before it lands: an archive
// repo keeps the bytes as fetched (the fetched file itself when the fetcher
// spilled it to disk), other modes get the inflated content. Memory stays
// bounded by a few chunks however large the object.
#include "base/temp_file.hpp"
#include "store/checksum.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <cstdint>
#include <string_view>

namespace ot::store::remote {

// Where the .filez bytes are: in memory, or in a file.
struct FilezBody {
  std::string_view bytes;     // when fd < 0
  int fd = -1;                // a file holding the whole object
  TempFile* owned = nullptr;  // that file, when an archive repo may take it as the object
};

// Verifies the object against expected (header, payload, checksum) and
// stores it; throws, leaving nothing behind, when anything is wrong. Returns
// the uncompressed content size.
uint64_t import_filez(Repo& repo, const Digest& expected, const FilezBody& body);

// bare-user-only repos cannot hold setuid/setgid/sticky or world-writable
// files; upstream refuses such objects rather than store them with a mode
// their checksum does not describe.
void check_mode_for_repo(const Repo& repo, const FileMeta& meta, const Digest& csum);

}  // namespace ot::store::remote
