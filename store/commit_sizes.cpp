#include "store/commit_sizes.hpp"

#include "base/error.hpp"

#include <cstring>
#include <optional>
#include <string_view>

namespace ot::store {
namespace {

// A protobuf-style varint: 7 bits per byte, low bits first.
std::optional<uint64_t> read_varuint64(std::string_view& in) {
  uint64_t value = 0;
  for (unsigned shift = 0, i = 0; i < in.size() && shift < 64; ++i, shift += 7) {
    const auto byte = static_cast<uint8_t>(in[i]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      in.remove_prefix(i + 1);
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<CommitSizesEntry> commit_object_sizes(const Commit& commit) {
  const gv::Value* sizes = lookup_metadata(commit.metadata, "ostree.sizes");
  if (sizes == nullptr || sizes->type != "aay") throw Error("No metadata key ostree.sizes in commit", ENOENT);
  std::vector<CommitSizesEntry> out;
  for (const gv::Value& item : sizes->children()) {
    std::string_view data = item.str();
    if (data.size() < 32 + 2) throw Error("Invalid object size metadata");
    CommitSizesEntry entry;
    std::memcpy(entry.checksum.data(), data.data(), 32);
    data.remove_prefix(32);
    auto archived = read_varuint64(data);
    if (!archived) throw Error("Unexpected EOF reading compressed size");
    auto unpacked = read_varuint64(data);
    if (!unpacked) throw Error("Unexpected EOF reading uncompressed size");
    entry.archived = *archived;
    entry.unpacked = *unpacked;
    // Entries written before 2020.1 carry no type byte: they list files.
    if (!data.empty()) {
      const int type = static_cast<uint8_t>(data.front());
      if (type < static_cast<int>(ObjectType::file) || type > static_cast<int>(ObjectType::commit_meta)) {
        throw Error("Unexpected object type value " + std::to_string(type));
      }
      entry.type = static_cast<ObjectType>(type);
    }
    out.push_back(entry);
  }
  return out;
}

}  // namespace ot::store
