// OPENDIR, READDIR, READDIRPLUS and FSYNCDIR.
//
// Directory reads are stateless: each request opens the directory, seeks
// to the kernel's offset (a d_off cookie of the source filesystem, stable
// across opens as NFS requires), and reads one buffer's worth. That lets
// OPENDIR answer ENOSYS, after which the kernel sends neither OPENDIR nor
// RELEASEDIR again: two round trips less per directory of a tree walk.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

namespace ot::rofiles {
namespace {

bool is_dot_or_dotdot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

enum class Listing { names, names_and_attributes };

// The kernel's linux_dirent64, as getdents64(2) returns it.
struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Fills one reply buffer from offset `off`. With attributes, each entry is
// looked up (and counted for the kernel) only once it is certain to fit.
void read_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, Listing listing) {
  Filesystem& fs = fs_of(req);
  Node& dir = fs.node(ino);
  int fd = ::openat(dir.dir->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return reply_status(req, -errno);
  UniqueFd owned(fd);
  if (off != 0 && ::lseek(fd, off, SEEK_SET) < 0) return reply_status(req, -errno);

  std::unique_ptr<char[]> reply(new char[size]);
  std::vector<Node*> counted;  // lookups to take back if the reply fails
  size_t used = 0;
  // A FUSE entry is larger than a getdents one, so this many bytes of
  // getdents output (almost) always fill a reply.
  const size_t chunk = std::max<size_t>(size / 2, 4096);
  std::unique_ptr<char[]> raw(new char[chunk]);
  bool full = false;
  while (!full) {
    ssize_t n = ::syscall(SYS_getdents64, fd, raw.get(), chunk);
    if (n < 0) {
      if (used == 0) return reply_status(req, -errno);
      break;
    }
    if (n == 0) break;  // end of directory
    for (ssize_t pos = 0; pos < n;) {
      auto* de = reinterpret_cast<LinuxDirent64*>(raw.get() + pos);
      pos += de->d_reclen;
      char* at = reply.get() + used;
      const size_t room = size - used;
      size_t need;
      if (listing == Listing::names) {
        struct stat st{};
        st.st_ino = de->d_ino;
        st.st_mode = DTTOIF(de->d_type);
        need = fuse_add_direntry(req, at, room, de->d_name, &st, de->d_off);
      } else if (is_dot_or_dotdot(de->d_name)) {
        // No node for these: ino 0 tells the kernel not to cache an entry.
        fuse_entry_param p{};
        p.attr.st_ino = de->d_ino;
        p.attr.st_mode = DTTOIF(de->d_type);
        need = fuse_add_direntry_plus(req, at, room, de->d_name, &p, de->d_off);
      } else {
        need = fuse_add_direntry_plus(req, nullptr, 0, de->d_name, nullptr, 0);
        if (need <= room) {
          Entry e;
          if (fs.nodes.lookup(dir, de->d_name, e) < 0) continue;  // gone since getdents
          counted.push_back(e.node);
          fuse_entry_param p = fs.entry_param(e);
          fuse_add_direntry_plus(req, at, room, de->d_name, &p, de->d_off);
        }
      }
      if (need > room) {  // the next request starts again at this entry
        full = true;
        break;
      }
      used += need;
    }
  }
  if (fuse_reply_buf(req, reply.get(), used) != 0)
    for (Node* n : counted) fs.nodes.forget(*n, 1);
}

}  // namespace

void op_opendir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
  // Nothing to keep per open directory. Kernels that know the convention
  // (Linux 5.1+) then stop sending OPENDIR and RELEASEDIR, and cache the
  // listing (FOPEN_CACHE_DIR | FOPEN_KEEP_CACHE) until the directory's
  // mtime changes; older ones get an empty handle with the same flags.
  if (fs_of(req).no_opendir) return reply_status(req, -ENOSYS);
  fi->fh = 0;
  fi->cache_readdir = 1;
  fi->keep_cache = 1;
  fuse_reply_open(req, fi);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                fuse_file_info*) noexcept {
  guarded(req, [&] { read_dir(req, ino, size, off, Listing::names); });
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    fuse_file_info*) noexcept {
  guarded(req, [&] { read_dir(req, ino, size, off, Listing::names_and_attributes); });
}

void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info*) noexcept {
  guarded(req, [&] {
    int fd = ::openat(fs_of(req).node(ino).dir->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return reply_status(req, -errno);
    UniqueFd owned(fd);
    if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) < 0) return reply_status(req, -errno);
    fuse_reply_err(req, 0);
  });
}

}  // namespace ot::rofiles
