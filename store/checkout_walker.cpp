#include "store/checkout_walker.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "base/reflink_copy.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/content.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

namespace ot::store::detail {
namespace {

// Files per task in a large directory: big enough that the task stack stays
// short, small enough that both cores get a share of a 2000-file directory.
constexpr size_t kChunk = 256;
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";

[[noreturn]] void throw_link_error(const std::string& loose, const std::string& name, int err) {
  throw Error("Hardlinking " + loose + " to " + name + ": " + std::strerror(err), err);
}

bool has_opaque_whiteout(const DirTree& tree) {
  return std::any_of(tree.files.begin(), tree.files.end(), [](auto& f) { return f.name == kOpaqueWhiteout; });
}

// The content checksum of a file already in the destination, for
// --union-identical's "is it the same object?" test.
Digest existing_checksum(int dfd, const std::string& name, const struct stat& st, bool with_xattrs) {
  FileMeta m{st.st_uid, st.st_gid, st.st_mode, {}, {}};
  std::string content;
  if (S_ISLNK(st.st_mode)) {
    m.symlink_target = sys::readlink_at(dfd, name);
    if (with_xattrs) m.xattrs = sys::list_xattrs_at(dfd, name);
  } else if (S_ISREG(st.st_mode)) {
    auto fd = sys::open_at(dfd, name, O_RDONLY | O_NOFOLLOW);
    content = sys::read_all(fd.get());
    if (with_xattrs) m.xattrs = sys::list_xattrs_fd(fd.get());
  } else {
    return Digest{};
  }
  // Upstream leaves empty-valued xattrs out of a file's checksum.
  std::erase_if(m.xattrs, [](const auto& x) { return x.second.empty(); });
  return content_checksum(m, content);
}

bool same_shape(const struct stat& a, const struct stat& b) {
  return a.st_mode == b.st_mode && a.st_uid == b.st_uid && a.st_gid == b.st_gid && a.st_size == b.st_size;
}

}  // namespace

CheckoutWalker::CheckoutWalker(const CheckoutPlan& plan, AtomicStats& stats)
    : plan_(plan), stats_(stats), objects_dfd_(plan.repo.objects_dfd()) {}

CheckoutWalker::~CheckoutWalker() = default;

// --- scheduling ----------------------------------------------------------------

void CheckoutWalker::run(int root_fd, bool existed, const Digest& tree, const Digest& meta) {
  auto root = std::make_unique<Node>();
  int fd = ::fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) throw_errno("fcntl(F_DUPFD_CLOEXEC)");
  root->fd.reset(fd);
  root->existed = existed;
  try {
    root->meta = load_meta(meta);
  } catch (const Error& e) {
    throw e.with_context("/");
  }
  Task first;
  first.node = root.get();
  first.tree = tree;
  nodes_.push_back(std::move(root));
  stack_.push_back(std::move(first));

  unsigned threads = plan_.opts.threads ? plan_.opts.threads : default_thread_count();
  {
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; i++) pool.emplace_back([this] { work(); });
    work();
  }
  if (error_) std::rethrow_exception(error_);
}

void CheckoutWalker::work() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return failed_ || !stack_.empty() || active_ == 0; });
      if (failed_ || stack_.empty()) {
        cv_.notify_all();
        return;
      }
      task = std::move(stack_.back());
      stack_.pop_back();
      active_++;
    }
    try {
      run_task(task);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_ = true;
    }
    std::lock_guard lock(mutex_);
    active_--;
    if (failed_ || (active_ == 0 && stack_.empty())) cv_.notify_all();
  }
}

void CheckoutWalker::push(Task task) {
  {
    std::lock_guard lock(mutex_);
    stack_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void CheckoutWalker::run_task(Task& task) {
  if (task.files) {
    for (size_t i = task.begin; i < task.end; i++)
      file(task.node, task.node->fd.get(), task.files->files[i].name, task.files->files[i].checksum);
    finish(task.node);
  } else if (task.name.empty()) {
    std::shared_ptr<const DirTree> tree;
    try {
      tree = load_tree(task.tree);
    } catch (const Error& e) {
      throw e.with_context("/");
    }
    fill(task.node, std::move(tree));
  } else {
    make_dir(task.node, task.name, task.tree, task.meta);
  }
}

// --- directories ---------------------------------------------------------------

std::shared_ptr<const DirTree> CheckoutWalker::load_tree(const Digest& csum) {
  auto bytes = plan_.repo.load_metadata(ObjectType::dir_tree, csum);
  return std::make_shared<const DirTree>(
      with_context("dirtree " + digest_hex(csum), [&] { return decode_dirtree(bytes); }));
}

DirMeta CheckoutWalker::load_meta(const Digest& csum) {
  {
    std::lock_guard lock(meta_mutex_);
    if (auto it = meta_cache_.find(csum); it != meta_cache_.end()) return it->second;
  }
  auto bytes = plan_.repo.load_metadata(ObjectType::dir_meta, csum);
  auto meta = with_context("dirmeta " + digest_hex(csum), [&] { return decode_dirmeta(bytes); });
  std::lock_guard lock(meta_mutex_);
  meta_cache_.emplace(csum, meta);
  return meta;
}

std::string CheckoutWalker::path_of(const Node* node) const {
  std::vector<const std::string*> parts;
  for (; node && node->parent; node = node->parent) parts.push_back(&node->name);
  std::string out = "/";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += **it + "/";
  return out;
}

void CheckoutWalker::make_dir(Node* parent, const std::string& name, const Digest& tree_csum,
                              const Digest& meta_csum) {
  std::string path;
  if (plan_.track_paths) {
    path = path_of(parent) + name + "/";
    if (plan_.opts.skip_paths.count(path)) {
      stats_.skipped++;
      finish(parent);
      return;
    }
  }
  Node* node;
  std::shared_ptr<const DirTree> tree;
  try {
    tree = load_tree(tree_csum);
    DirMeta meta = load_meta(meta_csum);
    int pfd = parent->fd.get();
    if (plan_.opts.process_whiteouts && has_opaque_whiteout(*tree)) sys::remove_tree_at(pfd, name);
    // Created private (0700) and given its real mode only once filled, so
    // nobody can use a half-built directory and a 0500 one can be filled.
    bool existed = false;
    if (::mkdirat(pfd, name.c_str(), 0700) < 0) {
      if (errno != EEXIST || plan_.opts.overwrite == OverwriteMode::none) throw_errno("mkdirat", name);
      existed = true;
    }
    int fd = ::openat(pfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR)
        throw Error("the destination has a non-directory where the tree has a directory", errno);
      throw_errno("openat", name);
    }
    auto owned = std::make_unique<Node>();
    owned->fd.reset(fd);
    owned->parent = parent;
    owned->name = name;
    owned->meta = std::move(meta);
    owned->existed = existed;
    node = owned.get();
    std::lock_guard lock(mutex_);
    nodes_.push_back(std::move(owned));
  } catch (const Error& e) {
    throw e.with_context(path.empty() ? path_of(parent) + name + "/" : path);
  }
  fill(node, std::move(tree));
}

void CheckoutWalker::fill(Node* node, std::shared_ptr<const DirTree> tree) {
  if (!node->existed && !plan_.user_mode && !node->meta.xattrs.empty()) {
    try {
      for (auto& [k, v] : node->meta.xattrs) sys::set_xattr_fd(node->fd.get(), k, v);
    } catch (const Error& e) {
      throw e.with_context(path_of(node));
    }
  }
  stats_.dirs++;
  // Whiteouts act in tree order on names the subdirectories may reuse, so
  // with them everything in this directory happens in sequence, files first.
  const bool in_order = plan_.opts.process_whiteouts;
  size_t n = tree->files.size();
  size_t inline_end = n;
  if (!in_order && n > kChunk) {
    inline_end = kChunk;
    for (size_t b = kChunk; b < n; b += kChunk) {
      node->pending++;
      Task t;
      t.node = node;
      t.files = tree;
      t.begin = b;
      t.end = std::min(n, b + kChunk);
      push(std::move(t));
    }
  }
  auto push_dirs = [&] {
    // Reversed, so the stack hands them out in tree order.
    for (auto it = tree->dirs.rbegin(); it != tree->dirs.rend(); ++it) {
      node->pending++;
      Task t;
      t.node = node;
      t.name = it->name;
      t.tree = it->tree;
      t.meta = it->meta;
      push(std::move(t));
    }
  };
  if (!in_order) push_dirs();
  for (size_t i = 0; i < inline_end; i++) file(node, node->fd.get(), tree->files[i].name, tree->files[i].checksum);
  if (in_order) push_dirs();
  finish(node);
}

void CheckoutWalker::finish(Node* node) {
  while (node && node->pending.fetch_sub(1) == 1) {
    apply_dir_meta(node);
    node = node->parent;
  }
}

void CheckoutWalker::apply_dir_meta(Node* node) {
  try {
    int fd = node->fd.get();
    if (!node->existed) {
      const auto& m = node->meta;
      // Owner before mode: chown may clear set-id bits.
      if (!plan_.user_mode) sys::fchown(fd, m.uid, m.gid);
      uint32_t mode = m.mode & 07777;
      if (plan_.mask_dir_modes) mode &= 0775;
      sys::fchmod(fd, mode);
      // Upstream gives checked-out directories a fixed mtime (0), except in
      // copying checkouts (mostly /etc), where they keep the current time.
      if (plan_.opts.links != LinkPolicy::force_copy) {
        const struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
        if (::futimens(fd, times) < 0) throw_errno("futimens");
      }
    }
    if (plan_.opts.fsync) sys::fsync(fd);
  } catch (const Error& e) {
    throw e.with_context(path_of(node));
  }
  node->fd.reset();
}

// --- files -----------------------------------------------------------------------

void CheckoutWalker::checkout_one_file(int dfd, const std::string& name, const Digest& csum) {
  file(nullptr, dfd, name, csum);
}

void CheckoutWalker::file(Node* node, int dfd, const std::string& name, const Digest& csum) {
  try {
    if (plan_.track_paths && plan_.opts.skip_paths.count(path_of(node) + name)) {
      stats_.skipped++;
      return;
    }
    if (plan_.opts.process_whiteouts && name.starts_with(kWhiteoutPrefix)) {
      auto obj = load_content(plan_.repo, csum);
      if (!obj.is_symlink()) {
        std::string target = name.substr(kWhiteoutPrefix.size());
        if (target.empty()) throw Error("Invalid empty whiteout '" + name + "'");
        sys::remove_tree_at(dfd, target);
        stats_.skipped++;
        return;
      }
    }
    if (plan_.try_hardlinks && worth_linking(csum)) {
      auto loose = loose_object_path(csum, ObjectType::file, plan_.repo.mode());
      auto r = link_file(objects_dfd_, loose, dfd, name, csum);
      // Absent from objects/: an open transaction may hold it in staging,
      // where the copy path finds it; if not, it reports it missing.
      if (count_link(r)) return;
    }
    auto obj = load_content(plan_.repo, csum);
    if (plan_.cache_dfd >= 0 && cacheable(obj)) {
      auto loose = loose_object_path(csum, ObjectType::file, RepoMode::bare);
      auto r = link_file(plan_.cache_dfd, loose, dfd, name, csum);
      if (r == LinkResult::absent) {
        add_to_cache(obj, loose);
        r = link_file(plan_.cache_dfd, loose, dfd, name, csum);
      }
      if (count_link(r)) return;
    }
    copy_file(dfd, name, csum, obj);
  } catch (const Error& e) {
    throw e.with_context(path_of(node) + name);
  }
}

bool CheckoutWalker::worth_linking(const Digest& csum) const {
  auto loose = loose_object_path(csum, ObjectType::file, plan_.repo.mode());
  struct stat st;
  if (::fstatat(objects_dfd_, loose.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return false;  // the copy path explains
  uint32_t mode = st.st_mode;
  if (plan_.symlinks_are_files) {
    // bare-user keeps a symlink as a regular file holding its target, and
    // the mode the tree records in the user.ostreemeta xattr.
    std::string proc = "/proc/self/fd/" + std::to_string(objects_dfd_) + "/" + loose;
    char buf[256];
    ssize_t n = ::lgetxattr(proc.c_str(), "user.ostreemeta", buf, sizeof buf);
    if (n < 12) return n < 0 && errno == ERANGE;  // large xattrs: mode unknown, link
    uint32_t be;
    std::memcpy(&be, buf + 8, 4);
    mode = be32toh(be);
  }
  // As upstream: empty files are always copied (a hardlink would gain
  // nothing and they would pile up to the link-count limit); a user-mode
  // repo's symlinks are recreated; and a user checkout must leave every file
  // readable by its owner, which a link to an unreadable object cannot.
  if (S_ISREG(mode) && st.st_size == 0) return false;
  if (S_ISLNK(mode) && plan_.repo.mode() != RepoMode::bare) return false;
  if (plan_.user_mode && S_ISREG(mode) && !(mode & S_IRUSR)) return false;
  return true;
}

CheckoutWalker::LinkResult CheckoutWalker::link_file(int src_dfd, const std::string& loose, int dfd,
                                                     const std::string& name, const Digest& csum) {
  if (::linkat(src_dfd, loose.c_str(), dfd, name.c_str(), 0) == 0) return LinkResult::linked;
  int err = errno;
  const bool require = plan_.opts.links == LinkPolicy::require_hardlinks;
  switch (err) {
    case EMLINK:
    case EXDEV:
    case EPERM:
      // The filesystem refuses this link (too many links, another device,
      // protected hardlinks): copying gives the same tree.
      if (require) throw_link_error(loose, name, err);
      return LinkResult::unsupported;
    case ENOENT:
      return LinkResult::absent;
    case EEXIST:
      break;
    default:
      throw_link_error(loose, name, err);
  }

  switch (plan_.opts.overwrite) {
    case OverwriteMode::none:
      throw_link_error(loose, name, EEXIST);
    case OverwriteMode::union_add:
      return LinkResult::kept;
    case OverwriteMode::union_files:
    case OverwriteMode::union_identical:
      break;
  }
  auto src = sys::stat_at(src_dfd, loose);
  auto dst = sys::stat_at(dfd, name);
  if (src.st_dev == dst.st_dev && src.st_ino == dst.st_ino) return LinkResult::kept;
  if (plan_.opts.overwrite == OverwriteMode::union_identical) {
    bool xattrs = !plan_.user_mode && plan_.repo.mode() != RepoMode::bare_user_only;
    if (same_shape(src, dst) && existing_checksum(dfd, name, dst, xattrs) == csum) return LinkResult::kept;
    throw_link_error(loose, name, EEXIST);
  }
  // --union: link under a temporary name, then rename over the old file, so
  // the name never disappears and a directory there is an error, not a loss.
  std::string tmp;
  for (int attempt = 0;; attempt++) {
    tmp = ".tmp-checkout-union-" + random_suffix(8);
    if (::linkat(src_dfd, loose.c_str(), dfd, tmp.c_str(), 0) == 0) break;
    if (errno != EEXIST || attempt > 100) throw_link_error(loose, tmp, errno);
  }
  try {
    if (plan_.opts.process_whiteouts) sys::remove_tree_at(dfd, name);
    sys::rename_at(dfd, tmp, dfd, name);
  } catch (...) {
    sys::unlink_at_opt(dfd, tmp);
    throw;
  }
  return LinkResult::linked;
}

bool CheckoutWalker::count_link(LinkResult r) {
  switch (r) {
    case LinkResult::linked:
      stats_.linked++;
      return true;
    case LinkResult::kept:
      stats_.skipped++;
      return true;
    case LinkResult::unsupported:
    case LinkResult::absent:
      break;
  }
  return false;
}

bool CheckoutWalker::cacheable(const ContentObject& obj) const {
  // The cache holds what a user checkout hardlinks: non-empty regular files
  // their owner can read (the same files upstream caches).
  return !obj.is_symlink() && obj.size > 0 && (obj.meta.mode & S_IRUSR);
}

void CheckoutWalker::add_to_cache(const ContentObject& obj, const std::string& loose) {
  int tmp_dfd = plan_.repo.tmp_dfd();
  std::string tmp = "uncompressed-" + random_suffix(12);
  auto fd = sys::open_at(tmp_dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  try {
    copy_content_to(obj, fd.get());
    // Set-id bits never go into the cache: user checkouts link to it.
    sys::fchmod(fd.get(), obj.meta.mode & 07777 & ~uint32_t(S_ISUID | S_ISGID));
    if (plan_.repo.fsync_enabled()) sys::fsync(fd.get());
    fd.reset();
    sys::mkdir_at_opt(plan_.cache_dfd, loose.substr(0, 2), 0755);
    // Another checkout may have cached it meanwhile: same bytes, keep theirs.
    sys::link_at_opt(tmp_dfd, tmp, plan_.cache_dfd, loose);
  } catch (...) {
    sys::unlink_at_opt(tmp_dfd, tmp);
    throw;
  }
  sys::unlink_at_opt(tmp_dfd, tmp);
}

void CheckoutWalker::copy_file(int dfd, const std::string& name, const Digest& csum, const ContentObject& obj) {
  const FileMeta& m = obj.meta;
  const OverwriteMode overwrite = plan_.opts.overwrite;
  const bool xattrs_for_compare = !plan_.user_mode && plan_.repo.mode() != RepoMode::bare_user_only;

  if (obj.is_symlink()) {
    if (::symlinkat(m.symlink_target.c_str(), dfd, name.c_str()) < 0) {
      if (errno != EEXIST) throw_errno("symlinkat", name);
      switch (overwrite) {
        case OverwriteMode::none:
          throw_errno("symlinkat", name, EEXIST);
        case OverwriteMode::union_add:
          stats_.skipped++;
          return;
        case OverwriteMode::union_identical: {
          auto st = sys::stat_at(dfd, name);
          if (S_ISLNK(st.st_mode) && sys::readlink_at(dfd, name) == m.symlink_target) {
            stats_.skipped++;
            return;
          }
          throw_errno("symlinkat", name, EEXIST);
        }
        case OverwriteMode::union_files:
          if (plan_.opts.process_whiteouts)
            sys::remove_tree_at(dfd, name);
          else
            sys::unlink_at_opt(dfd, name);
          sys::symlink_at(m.symlink_target, dfd, name);
          // Upstream leaves a replaced symlink's owner and xattrs as created.
          stats_.copied++;
          return;
      }
    }
    if (!plan_.user_mode) {
      sys::fchownat(dfd, name, m.uid, m.gid, AT_SYMLINK_NOFOLLOW);
      for (auto& [k, v] : m.xattrs) sys::set_xattr_at(dfd, name, k, v);
    }
    stats_.copied++;
    return;
  }

  if (overwrite == OverwriteMode::union_add || overwrite == OverwriteMode::union_identical) {
    if (auto st = sys::stat_at_opt(dfd, name)) {
      if (overwrite == OverwriteMode::union_add ||
          (S_ISREG(st->st_mode) && existing_checksum(dfd, name, *st, xattrs_for_compare) == csum)) {
        stats_.skipped++;
        return;
      }
      throw_errno("openat", name, EEXIST);
    }
  }

  auto write_into = [&](int fd) {
    if (!obj.compressed && obj.payload_offset == 0)
      copy_file_data(obj.fd.get(), fd);  // shares extents where the filesystem can
    else
      copy_content_to(obj, fd);
    // Order matters: chown clears set-id bits and file capabilities, so it
    // comes first; then xattrs (security.capability among them); mode last.
    if (!plan_.user_mode) {
      sys::fchown(fd, m.uid, m.gid);
      for (auto& [k, v] : m.xattrs) sys::set_xattr_fd(fd, k, v);
    }
    uint32_t mode = m.mode & 07777;
    // A user checkout drops set-id bits and, as upstream, keeps every file
    // readable by its owner (so the tree can be committed again).
    if (plan_.user_mode) mode = (mode & ~uint32_t(S_ISUID | S_ISGID)) | S_IRUSR;
    sys::fchmod(fd, mode);
    if (plan_.opts.fsync) sys::fsync(fd);
  };

  if (overwrite == OverwriteMode::none) {
    auto fd = sys::open_at(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    write_into(fd.get());
    stats_.copied++;
    return;
  }
  // Union modes: write under a temporary name, then move it into place in one step.
  std::string tmp = ".tmp-checkout-" + random_suffix(8);
  auto fd = sys::open_at(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  try {
    write_into(fd.get());
    fd.reset();
    if (overwrite == OverwriteMode::union_files) {
      if (plan_.opts.process_whiteouts) sys::remove_tree_at(dfd, name);
      sys::rename_at(dfd, tmp, dfd, name);
    } else if (::renameat2(dfd, tmp.c_str(), dfd, name.c_str(), RENAME_NOREPLACE) < 0) {
      if (errno != EEXIST || overwrite != OverwriteMode::union_add) throw_errno("renameat2", name);
      sys::unlink_at_opt(dfd, tmp);  // appeared meanwhile: keep it, as --union-add does
      stats_.skipped++;
      return;
    }
  } catch (...) {
    sys::unlink_at_opt(dfd, tmp);
    throw;
  }
  stats_.copied++;
}

}  // namespace ot::store::detail
