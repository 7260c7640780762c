#include "store/repo.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/repo_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <cerrno>

namespace ot::store {

Repo::Repo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repo::Repo(Repo&&) noexcept = default;
Repo& Repo::operator=(Repo&&) noexcept = default;
Repo::~Repo() {
  if (impl_) abort_transaction();
}

Repo Repo::init(int dfd, const std::string& path, RepoMode mode) {
  return with_context("Creating repository " + path, [&] {
    sys::mkdirs_at(dfd, path, 0755);
    auto rdfd = sys::open_dir(dfd, path);
    if (auto existing = sys::read_file_at_opt(rdfd.get(), "config")) {
      // Re-running init on a repository of the same mode is harmless, as upstream.
      auto kf = KeyFile::parse(*existing);
      auto m = kf.get("core", "mode");
      if (m && repo_mode_from_name(*m) == mode) return open(dfd, path);
      throw Error("repository already exists with mode " + m.value_or("?"));
    }
    for (const char* d : {"objects", "tmp", "extensions", "state", "refs", "refs/heads",
                          "refs/mirrors", "refs/remotes", "tmp/cache"})
      sys::mkdir_at_opt(rdfd.get(), d, 0755);
    KeyFile kf;
    kf.set("core", "repo_version", "1");
    kf.set("core", "mode", repo_mode_name(mode));
    write_file_atomic(rdfd.get(), "config", kf.serialize());
    return open(dfd, path);
  });
}

Repo Repo::open(int dfd, const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  auto rdfd = sys::open_dir_opt(dfd, path);
  if (!rdfd) throw Error("opening repo: opendir(" + path + "): No such file or directory", ENOENT);
  impl->dfd = std::move(*rdfd);
  auto text = sys::read_file_at_opt(impl->dfd.get(), "config");
  if (!text) throw Error("opening repo " + path + ": not an OSTree repository (no config file)", ENOENT);
  impl->config = with_context("opening repo " + path + ": config", [&] { return KeyFile::parse(*text); });
  auto version = impl->config.get("core", "repo_version");
  if (version != "1")
    throw Error("opening repo " + path + ": unsupported repo_version " + version.value_or("(none)"));
  auto mode = impl->config.get("core", "mode").value_or("bare");
  auto m = repo_mode_from_name(mode);
  if (!m) throw Error("opening repo " + path + ": invalid mode '" + mode + "' in config");
  impl->mode = *m;
  impl->fsync = impl->config.get_bool("core", "fsync").value_or(true);
  impl->objects_dfd = sys::open_dir(impl->dfd.get(), "objects");
  sys::mkdir_at_opt(impl->dfd.get(), "tmp", 0755);
  impl->tmp_dfd = sys::open_dir(impl->dfd.get(), "tmp");
  return Repo(std::move(impl));
}

RepoMode Repo::mode() const { return impl_->mode; }
int Repo::dfd() const { return impl_->dfd.get(); }
int Repo::objects_dfd() const { return impl_->objects_dfd.get(); }
const std::string& Repo::path() const { return impl_->path; }
const KeyFile& Repo::config() const { return impl_->config; }
bool Repo::fsync_enabled() const { return impl_->fsync; }
void Repo::set_fsync(bool enabled) { impl_->fsync = enabled; }
int Repo::tmp_dfd() const { return impl_->tmp_dfd.get(); }

void Repo::write_config(const KeyFile& config) {
  write_file_atomic(dfd(), "config", config.serialize());
  impl_->config = config;
}

// --- transactions -------------------------------------------------------------

void Repo::begin_transaction() {
  if (impl_->staging) throw Error("a transaction is already open");
  impl_->txn_lock.emplace(*this, LockKind::shared);
  try {
    impl_->staging = std::make_unique<TempDir>(tmp_dfd(), "staging-");
  } catch (...) {
    impl_->txn_lock.reset();
    throw;
  }
}

bool Repo::in_transaction() const { return impl_->staging != nullptr; }

int Repo::staging_dfd() const { return impl_->staging ? impl_->staging->fd() : objects_dfd(); }

void Repo::ensure_object_subdir(int dfd, const std::string& loose_path) const {
  sys::mkdir_at_opt(dfd, loose_path.substr(0, 2), 0755);
}

void Repo::commit_transaction() {
  if (!impl_->staging) return;
  int sdfd = impl_->staging->fd();
  // One syncfs for the whole batch instead of an fsync per object: the data
  // is durable before any object becomes visible in objects/.
  if (impl_->fsync) sys::syncfs(sdfd);
  bool moved_dirs = false;
  for (auto& sub : sys::list_dir(sdfd)) {
    // An XX/ that objects/ lacks (a fresh repo) moves whole: one rename
    // instead of one per object.
    if (::renameat2(sdfd, sub.name.c_str(), objects_dfd(), sub.name.c_str(), RENAME_NOREPLACE) == 0) {
      moved_dirs = true;
      continue;
    }
    auto subfd = sys::open_dir(sdfd, sub.name, sys::FollowLinks::no);
    sys::mkdir_at_opt(objects_dfd(), sub.name, 0755);
    auto destfd = sys::open_dir(objects_dfd(), sub.name, sys::FollowLinks::no);
    for (auto& obj : sys::list_dir(subfd.get())) {
      // renameat2(NOREPLACE) semantics are not needed: identical content by construction.
      sys::rename_at(subfd.get(), obj.name, destfd.get(), obj.name);
    }
    if (impl_->fsync) sys::fsync(destfd.get());
  }
  if (moved_dirs && impl_->fsync) sys::fsync(objects_dfd());
  impl_->staging.reset();
  impl_->txn_lock.reset();
}

void Repo::abort_transaction() noexcept {
  impl_->staging.reset();
  impl_->txn_lock.reset();
}

// --- objects ------------------------------------------------------------------

bool Repo::has_object(ObjectType type, const Digest& csum) const {
  auto path = loose_object_path(csum, type, mode());
  if (sys::stat_at_opt(objects_dfd(), path)) return true;
  return impl_->staging && sys::stat_at_opt(impl_->staging->fd(), path);
}

std::optional<std::string> Repo::load_metadata_opt(ObjectType type, const Digest& csum) const {
  auto path = loose_object_path(csum, type, mode());
  if (auto s = sys::read_file_at_opt(objects_dfd(), path)) return s;
  if (impl_->staging) return sys::read_file_at_opt(impl_->staging->fd(), path);
  return std::nullopt;
}

std::string Repo::load_metadata(ObjectType type, const Digest& csum) const {
  auto s = load_metadata_opt(type, csum);
  if (!s)
    throw Error("No such metadata object " + digest_hex(csum) + "." + std::string(object_type_name(type)),
                ENOENT);
  return std::move(*s);
}

void Repo::write_metadata_trusted(ObjectType type, const Digest& csum, std::string_view bytes) {
  auto path = loose_object_path(csum, type, mode());
  int dest = staging_dfd();
  if (has_object(type, csum)) return;
  ensure_object_subdir(dest, path);
  std::string tmp = "tmpobject-" + random_suffix();
  {
    auto fd = sys::open_at(tmp_dfd(), tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    sys::write_all(fd.get(), bytes);
    if (!in_transaction() && impl_->fsync) sys::fsync(fd.get());
  }
  try {
    sys::rename_at(tmp_dfd(), tmp, dest, path);
  } catch (...) {
    sys::unlink_at_opt(tmp_dfd(), tmp);
    throw;
  }
}

Digest Repo::write_metadata(ObjectType type, std::string_view bytes, const std::optional<Digest>& expected) {
  if (!gv::is_normal_form(metadata_variant_type(type), bytes))
    throw Error("malformed " + std::string(object_type_name(type)) + " object: not a normal-form " +
                std::string(metadata_variant_type(type)));
  Digest csum = sha256(bytes);
  if (expected && *expected != csum)
    throw Error("Corrupted " + std::string(object_type_name(type)) + " object " + digest_hex(*expected) +
                " (actual checksum is " + digest_hex(csum) + ")");
  write_metadata_trusted(type, csum, bytes);
  return csum;
}

void Repo::write_commitmeta(const Digest& commit, const gv::Value& dict) {
  if (dict.type != kCommitMetaType) throw Error("detached metadata must be a{sv}");
  auto path = loose_object_path(commit, ObjectType::commit_meta, mode());
  ensure_object_subdir(objects_dfd(), path);
  write_file_atomic(objects_dfd(), path, gv::encode(dict), 0644,
                    fsync_enabled() ? Durability::fsync : Durability::nosync);
}

bool Repo::delete_object(ObjectType type, const Digest& csum) {
  return sys::unlink_at_opt(objects_dfd(), loose_object_path(csum, type, mode()));
}

std::vector<std::pair<Digest, ObjectType>> Repo::list_objects() const {
  std::vector<std::pair<Digest, ObjectType>> out;
  for (auto& sub : sys::list_dir(objects_dfd())) {
    if (sub.name.size() != 2) continue;
    auto subfd = sys::open_dir_opt(objects_dfd(), sub.name, sys::FollowLinks::no);
    if (!subfd) continue;
    sys::for_each_dirent(subfd->get(), [&](const char* name, unsigned char) {
      std::string_view n(name);
      auto dot = n.find('.');
      if (dot != 62) return;
      std::string hex = sub.name + std::string(n.substr(0, 62));
      if (!is_valid_checksum(hex)) return;
      auto ext = n.substr(dot + 1);
      std::optional<ObjectType> type;
      if (ext == "file" || ext == "filez") {
        if (ext == object_extension(ObjectType::file, mode())) type = ObjectType::file;
      } else {
        type = object_type_from_name(ext);
      }
      if (type) out.emplace_back(digest_from_hex(hex), *type);
    });
  }
  return out;
}

Commit Repo::load_commit(const Digest& csum) const {
  return with_context("commit " + digest_hex(csum),
                      [&] { return decode_commit(load_metadata(ObjectType::commit, csum)); });
}

DirTree Repo::load_dirtree(const Digest& csum) const {
  return with_context("dirtree " + digest_hex(csum),
                      [&] { return decode_dirtree(load_metadata(ObjectType::dir_tree, csum)); });
}

DirMeta Repo::load_dirmeta(const Digest& csum) const {
  return with_context("dirmeta " + digest_hex(csum),
                      [&] { return decode_dirmeta(load_metadata(ObjectType::dir_meta, csum)); });
}

gv::Value Repo::load_commitmeta(const Digest& csum) const {
  auto bytes = load_metadata_opt(ObjectType::commit_meta, csum);
  if (!bytes) return gv::array("{sv}", {});
  return with_context("commitmeta " + digest_hex(csum),
                      [&] { return gv::decode(kCommitMetaType, *bytes); });
}

}  // namespace ot::store
