// Extended attributes, from the content object or dirmeta.
#include "fuse/filesystem.hpp"

#include <cstring>
#include <string>

namespace ot::fuse {
namespace {

// getxattr/listxattr protocol: size 0 asks for the length; too small a
// buffer is ERANGE.
void reply_value(fuse_req_t req, const std::string& value, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, value.size());
  } else if (size < value.size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, value.data(), value.size());
  }
}

void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  guarded(req, [&] {
    for (auto& [key, value] : filesystem(req).tree.xattrs(ino)) {
      if (key == name) {
        reply_value(req, value, size);
        return;
      }
    }
    fuse_reply_err(req, ENODATA);
  });
}

void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  guarded(req, [&] {
    std::string names;
    for (auto& [key, value] : filesystem(req).tree.xattrs(ino)) {
      names += key;
      names += '\0';
    }
    reply_value(req, names, size);
  });
}

}  // namespace

void set_xattr_operations(fuse_lowlevel_ops& ops) {
  ops.getxattr = getxattr;
  ops.listxattr = listxattr;
}

}  // namespace ot::fuse
