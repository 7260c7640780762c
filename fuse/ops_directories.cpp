// Directory listings: opendir, readdir, readdirplus.
#include "fuse/filesystem.hpp"

#include <cstring>
#include <string>

namespace ot::fuse {
namespace {

bool is_dot_or_dotdot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    if (!fs.tree.is_directory(ino)) throw Error("not a directory", ENOTDIR);
    if (fs.no_opendir.load(std::memory_order_relaxed)) throw Error("stateless directories", ENOSYS);
    fi->cache_readdir = 1;  // listings never change
    fi->keep_cache = 1;
    fuse_reply_open(req, fi);
  });
}

// The type of an entry for d_type; a file whose object cannot be read is
// still listed (as DT_UNKNOWN), its lookup then fails with EIO.
mode_t entry_type(Filesystem& fs, fuse_ino_t dir, const char* name, NodeId id) {
  if (fs.tree.is_directory(id)) return S_IFDIR;
  try {
    return fs.tree.attr(id, dir, name).st_mode & S_IFMT;
  } catch (const Error&) {
    return 0;
  }
}

void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    if (off == 0 && fs.push) fs.push->directory_listed(ino);
    std::string buf(size, '\0');
    size_t used = 0;
    fs.tree.list(ino, off, [&](const char* name, NodeId id, uint64_t next) {
      struct stat st {};
      st.st_ino = id;
      st.st_mode = is_dot_or_dotdot(name) ? S_IFDIR : entry_type(fs, ino, name, id);
      size_t need = fuse_add_direntry(req, buf.data() + used, size - used, name, &st, off_t(next));
      if (need > size - used) return false;
      used += need;
      return true;
    });
    fuse_reply_buf(req, buf.data(), used);
  });
}

// Entries with their attributes, so a walk (find, ls -l, du) needs no
// lookup round trip per name.
void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    if (off == 0 && fs.push) fs.push->directory_listed(ino);
    std::string buf(size, '\0');
    size_t used = 0;
    fs.tree.list(ino, off, [&](const char* name, NodeId id, uint64_t next) {
      fuse_entry_param e{};
      if (is_dot_or_dotdot(name)) {
        // The kernel instantiates nothing for these; only the dirent counts.
        e.attr.st_ino = id;
        e.attr.st_mode = S_IFDIR;
      } else {
        try {
          e.attr = fs.tree.attr(id, ino, name);
          e.ino = id;
          e.generation = 1;
          e.entry_timeout = kForever;
          e.attr_timeout = kForever;
        } catch (const Error&) {
          // No attributes to give: list the name, let lookup report EIO.
          e.attr.st_ino = id;
        }
      }
      size_t need = fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &e, off_t(next));
      if (need > size - used) return false;
      used += need;
      return true;
    });
    fuse_reply_buf(req, buf.data(), used);
  });
}

}  // namespace

void set_directory_operations(fuse_lowlevel_ops& ops) {
  ops.opendir = opendir;
  ops.readdir = readdir;
  ops.readdirplus = readdirplus;
}

}  // namespace ot::fuse
