#include "store/objects.hpp"

#include "base/error.hpp"

#include <arpa/inet.h>
#include <endian.h>

#include <algorithm>
#include <cstring>

namespace ot::store {
namespace {

uint32_t be32(uint32_t x) { return htobe32(x); }
uint64_t be64(uint64_t x) { return htobe64(x); }

Digest digest_from_bytes(const std::string& b, std::string_view what) {
  if (b.size() != 32) throw Error("malformed " + std::string(what) + ": checksum is not 32 bytes");
  Digest d;
  std::memcpy(d.data(), b.data(), 32);
  return d;
}

std::string digest_string(const Digest& d) { return std::string(digest_bytes(d)); }

// The metadata variants must be in normal form: otherwise two encodings of
// one object would have two checksums, and parsers could disagree on content.
gv::Value decode_normal(std::string_view type, std::string_view data, std::string_view what) {
  auto v = with_context("malformed " + std::string(what), [&] { return gv::decode(type, data); });
  if (gv::encode(v) != data) throw Error("malformed " + std::string(what) + ": not in normal form");
  return v;
}

}  // namespace

std::string_view object_type_name(ObjectType type) {
  switch (type) {
    case ObjectType::file: return "file";
    case ObjectType::dir_tree: return "dirtree";
    case ObjectType::dir_meta: return "dirmeta";
    case ObjectType::commit: return "commit";
    case ObjectType::tombstone_commit: return "tombstone-commit";
    case ObjectType::commit_meta: return "commitmeta";
  }
  return "unknown";
}

std::optional<ObjectType> object_type_from_name(std::string_view name) {
  for (auto t : {ObjectType::file, ObjectType::dir_tree, ObjectType::dir_meta, ObjectType::commit,
                 ObjectType::tombstone_commit, ObjectType::commit_meta})
    if (object_type_name(t) == name) return t;
  return std::nullopt;
}

std::string_view object_extension(ObjectType type, RepoMode mode) {
  if (type == ObjectType::file) return mode == RepoMode::archive ? "filez" : "file";
  return object_type_name(type);
}

std::string loose_object_path(const Digest& csum, ObjectType type, RepoMode mode) {
  std::string hex = digest_hex(csum);
  std::string out;
  out.reserve(80);
  out.append(hex, 0, 2);
  out += '/';
  out.append(hex, 2, std::string::npos);
  out += '.';
  out += object_extension(type, mode);
  return out;
}

std::string_view repo_mode_name(RepoMode mode) {
  switch (mode) {
    case RepoMode::bare: return "bare";
    case RepoMode::archive: return "archive-z2";
    case RepoMode::bare_user: return "bare-user";
    case RepoMode::bare_user_only: return "bare-user-only";
  }
  return "unknown";
}

std::optional<RepoMode> repo_mode_from_name(std::string_view name) {
  if (name == "bare") return RepoMode::bare;
  if (name == "archive" || name == "archive-z2") return RepoMode::archive;
  if (name == "bare-user") return RepoMode::bare_user;
  if (name == "bare-user-only") return RepoMode::bare_user_only;
  return std::nullopt;
}

gv::Value xattrs_value(const Xattrs& xattrs) {
  gv::Children items;
  items.reserve(xattrs.size());
  for (auto& [name, value] : xattrs)
    items.push_back(gv::tuple({gv::bytes(name + '\0'), gv::bytes(value)}));
  return gv::array("(ayay)", std::move(items));
}

Xattrs xattrs_from_value(const gv::Value& v) {
  Xattrs out;
  for (auto& item : v.children()) {
    std::string name = item[0].str();
    if (name.empty() || name.back() != '\0' || name.find('\0') != name.size() - 1)
      throw Error("malformed xattr name");
    name.pop_back();
    out.emplace_back(std::move(name), item[1].str());
  }
  return out;
}

std::string encode_file_header(const FileMeta& m) {
  return gv::encode(gv::tuple({gv::u32(be32(m.uid)), gv::u32(be32(m.gid)), gv::u32(be32(m.mode)),
                               gv::u32(0), gv::str(m.symlink_target), xattrs_value(m.xattrs)}));
}

std::string encode_archive_file_header(const FileMeta& m, uint64_t size) {
  return gv::encode(gv::tuple({gv::u64(be64(size)), gv::u32(be32(m.uid)), gv::u32(be32(m.gid)),
                               gv::u32(be32(m.mode)), gv::u32(0), gv::str(m.symlink_target),
                               xattrs_value(m.xattrs)}));
}

FileMeta decode_file_header(std::string_view data) {
  auto v = with_context("malformed file header",
                        [&] { return gv::decode("(uuuusa(ayay))", data); });
  return FileMeta{be32(v[0].u32()), be32(v[1].u32()), be32(v[2].u32()), v[4].str(),
                  xattrs_from_value(v[5])};
}

std::pair<FileMeta, uint64_t> decode_archive_file_header(std::string_view data) {
  auto v = with_context("malformed archive file header",
                        [&] { return gv::decode("(tuuuusa(ayay))", data); });
  return {FileMeta{be32(v[1].u32()), be32(v[2].u32()), be32(v[3].u32()), v[5].str(),
                   xattrs_from_value(v[6])},
          be64(v[0].u64())};
}

std::string size_prefixed(std::string_view header) {
  std::string out(8, '\0');
  uint32_t len = be32(static_cast<uint32_t>(header.size()));
  std::memcpy(out.data(), &len, 4);
  out += header;
  return out;
}

std::pair<std::string_view, size_t> split_size_prefixed(std::string_view data) {
  if (data.size() < 8) throw Error("truncated object header");
  uint32_t len;
  std::memcpy(&len, data.data(), 4);
  len = be32(len);
  if (data.size() - 8 < len) throw Error("truncated object header");
  return {data.substr(8, len), 8 + size_t(len)};
}

std::string encode_dirmeta(const DirMeta& m) {
  return gv::encode(gv::tuple({gv::u32(be32(m.uid)), gv::u32(be32(m.gid)), gv::u32(be32(m.mode)),
                               xattrs_value(m.xattrs)}));
}

DirMeta decode_dirmeta(std::string_view data) {
  auto v = decode_normal(kDirMetaType, data, "dirmeta");
  return DirMeta{be32(v[0].u32()), be32(v[1].u32()), be32(v[2].u32()), xattrs_from_value(v[3])};
}

bool is_valid_filename(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

std::string encode_dirtree(const DirTree& t) {
  gv::Children files, dirs;
  files.reserve(t.files.size());
  dirs.reserve(t.dirs.size());
  for (auto& f : t.files) files.push_back(gv::tuple({gv::str(f.name), gv::bytes(digest_string(f.checksum))}));
  for (auto& d : t.dirs)
    dirs.push_back(gv::tuple({gv::str(d.name), gv::bytes(digest_string(d.tree)),
                              gv::bytes(digest_string(d.meta))}));
  return gv::encode(gv::tuple({gv::array("(say)", std::move(files)), gv::array("(sayay)", std::move(dirs))}));
}

DirTree decode_dirtree(std::string_view data) {
  auto v = decode_normal(kDirTreeType, data, "dirtree");
  DirTree t;
  const std::string* prev = nullptr;
  auto check_name = [&](const std::string& name) {
    if (!is_valid_filename(name)) throw Error("malformed dirtree: invalid file name '" + name + "'");
    if (prev && !(*prev < name)) throw Error("malformed dirtree: names not sorted or duplicated: '" + name + "'");
    prev = &name;
  };
  for (auto& f : v[0].children()) {
    check_name(f[0].str());
    t.files.push_back({f[0].str(), digest_from_bytes(f[1].str(), "dirtree")});
  }
  prev = nullptr;
  for (auto& d : v[1].children()) {
    check_name(d[0].str());
    t.dirs.push_back({d[0].str(), digest_from_bytes(d[1].str(), "dirtree"),
                      digest_from_bytes(d[2].str(), "dirtree")});
  }
  // A name may not be both a file and a directory.
  for (auto& f : t.files)
    if (std::binary_search(t.dirs.begin(), t.dirs.end(), f.name,
                           [](const auto& a, const auto& b) {
                             if constexpr (std::is_same_v<std::decay_t<decltype(a)>, std::string>)
                               return a < b.name;
                             else
                               return a.name < b;
                           }))
      throw Error("malformed dirtree: '" + f.name + "' is both a file and a directory");
  return t;
}

std::string encode_commit(const Commit& c) {
  gv::Children related;
  for (auto& [name, csum] : c.related) related.push_back(gv::tuple({gv::str(name), gv::bytes(digest_string(csum))}));
  return gv::encode(gv::tuple({c.metadata, gv::bytes(c.parent ? digest_string(*c.parent) : std::string()),
                               gv::array("(say)", std::move(related)), gv::str(c.subject),
                               gv::str(c.body), gv::u64(be64(c.timestamp)),
                               gv::bytes(digest_string(c.root_tree)),
                               gv::bytes(digest_string(c.root_meta))}));
}

Commit decode_commit(std::string_view data) {
  auto v = decode_normal(kCommitType, data, "commit");
  Commit c;
  c.metadata = v[0];
  if (!v[1].str().empty()) c.parent = digest_from_bytes(v[1].str(), "commit parent");
  for (auto& r : v[2].children()) c.related.emplace_back(r[0].str(), digest_from_bytes(r[1].str(), "commit"));
  c.subject = v[3].str();
  c.body = v[4].str();
  c.timestamp = be64(v[5].u64());
  c.root_tree = digest_from_bytes(v[6].str(), "commit root tree");
  c.root_meta = digest_from_bytes(v[7].str(), "commit root dirmeta");
  return c;
}

std::string_view metadata_variant_type(ObjectType type) {
  switch (type) {
    case ObjectType::dir_tree: return kDirTreeType;
    case ObjectType::dir_meta: return kDirMetaType;
    case ObjectType::commit: case ObjectType::tombstone_commit: return kCommitType;
    case ObjectType::commit_meta: return kCommitMetaType;
    case ObjectType::file: break;
  }
  throw Error("content objects are not metadata");
}

const gv::Value* lookup_metadata(const gv::Value& dict, std::string_view key) {
  for (auto& entry : dict.children())
    if (entry[0].str() == key) return &entry[1][0];
  return nullptr;
}

}  // namespace ot::store
