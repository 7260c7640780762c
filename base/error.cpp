#include "base/error.hpp"

#include <cerrno>
#include <cstring>

namespace ot {

void throw_errno(std::string_view op, std::string_view path, int errnum) {
  std::string msg(op);
  if (!path.empty()) {
    msg += '(';
    msg += path;
    msg += ')';
  }
  msg += ": ";
  msg += std::strerror(errnum);
  throw Error(msg, errnum);
}

void throw_errno(std::string_view op, std::string_view path) {
  throw_errno(op, path, errno);
}

}  // namespace ot
