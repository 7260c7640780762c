#pragma once
// OSTree's object model and its exact serializations. Everything here is pure
// (bytes in, bytes out) so it can be tested and fuzzed without a repository.
#include "store/checksum.hpp"
#include "store/gvariant.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ot::store {

enum class ObjectType { file = 1, dir_tree = 2, dir_meta = 3, commit = 4, tombstone_commit = 5, commit_meta = 6 };

enum class RepoMode { bare, archive, bare_user, bare_user_only };

// "file", "dirtree", "dirmeta", "commit", "tombstone-commit", "commitmeta".
std::string_view object_type_name(ObjectType type);
// Inverse of object_type_name; nullopt for an unknown name.
std::optional<ObjectType> object_type_from_name(std::string_view name);
// The loose-object file extension: "file"/"filez" for content (by mode), else the type name.
std::string_view object_extension(ObjectType type, RepoMode mode);
// "ab/cdef….ext", relative to objects/.
std::string loose_object_path(const Digest& csum, ObjectType type, RepoMode mode);

// "bare", "archive-z2", "bare-user", "bare-user-only" (the config spelling).
std::string_view repo_mode_name(RepoMode mode);
// Accepts "archive" as an alias of "archive-z2"; nullopt when unknown.
std::optional<RepoMode> repo_mode_from_name(std::string_view name);

// Extended attributes as (name, value) pairs sorted by name.
using Xattrs = std::vector<std::pair<std::string, std::string>>;

// The `a(ayay)` encoding: names carry their trailing NUL, as upstream stores them.
gv::Value xattrs_value(const Xattrs& xattrs);
Xattrs xattrs_from_value(const gv::Value& v);

// What a content object says about its file besides the bytes.
struct FileMeta {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;  // including S_IFMT: regular file or symlink
  std::string symlink_target;
  Xattrs xattrs;
  bool operator==(const FileMeta&) const = default;
};

// `(uuuusa(ayay))`, the header hashed in front of a file's content.
std::string encode_file_header(const FileMeta& meta);
// `(tuuuusa(ayay))`, the header of an archive-mode `.filez` object.
std::string encode_archive_file_header(const FileMeta& meta, uint64_t size);
FileMeta decode_file_header(std::string_view data);
std::pair<FileMeta, uint64_t> decode_archive_file_header(std::string_view data);
// Prefix: big-endian u32 length, 4 zero bytes, then the header variant.
std::string size_prefixed(std::string_view header);
// Reads a size-prefixed header from the front of data; returns the header
// bytes and the offset just after them. Throws on truncation.
std::pair<std::string_view, size_t> split_size_prefixed(std::string_view data);

// `(uuua(ayay))`: bare-user's user.ostreemeta xattr, and the dirmeta object.
struct DirMeta {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;
  Xattrs xattrs;
  bool operator==(const DirMeta&) const = default;
};
std::string encode_dirmeta(const DirMeta& meta);
DirMeta decode_dirmeta(std::string_view data);

struct DirTree {
  struct File {
    std::string name;
    Digest checksum;
  };
  struct Subdir {
    std::string name;
    Digest tree;
    Digest meta;
  };
  std::vector<File> files;   // sorted by name
  std::vector<Subdir> dirs;  // sorted by name
};
std::string encode_dirtree(const DirTree& tree);
// Validates: names neither empty, ".", ".." nor containing '/', each list
// strictly sorted, checksums 32 bytes.
DirTree decode_dirtree(std::string_view data);
// True if name may appear in a dirtree.
bool is_valid_filename(std::string_view name);

struct Commit {
  gv::Value metadata = gv::array("{sv}", {});  // a{sv}
  std::optional<Digest> parent;
  std::vector<std::pair<std::string, Digest>> related;
  std::string subject;
  std::string body;
  uint64_t timestamp = 0;  // seconds since the epoch, UTC
  Digest root_tree{};
  Digest root_meta{};
};
std::string encode_commit(const Commit& commit);
Commit decode_commit(std::string_view data);

// GVariant type strings of the metadata objects.
inline constexpr std::string_view kDirTreeType = "(a(say)a(sayay))";
inline constexpr std::string_view kDirMetaType = "(uuua(ayay))";
inline constexpr std::string_view kCommitType = "(a{sv}aya(say)sstayay)";
inline constexpr std::string_view kCommitMetaType = "a{sv}";
std::string_view metadata_variant_type(ObjectType type);

// Looks up key in an a{sv} dictionary; returns the inner value.
const gv::Value* lookup_metadata(const gv::Value& dict, std::string_view key);

}  // namespace ot::store
