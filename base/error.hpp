#pragma once
// One exception type for everything above the syscall layer. A failed syscall
// keeps its errno so FUSE callbacks can return the original -errno, and each
// layer adds context on the way up: "checkout of foo: openat(usr/etc): ENOENT".
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ot {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message, int errnum = 0)
      : std::runtime_error(message), errnum_(errnum) {}

  // errno of the syscall at the root of the chain, or 0 when none.
  int errnum() const noexcept { return errnum_; }

  // A new error whose message is "context: <this message>", same errno.
  Error with_context(std::string_view context) const {
    return Error(std::string(context) + ": " + what(), errnum_);
  }

private:
  int errnum_;
};

// Throws Error "op(path): strerror(errnum)" carrying errnum.
[[noreturn]] void throw_errno(std::string_view op, std::string_view path, int errnum);
// Same with the current errno.
[[noreturn]] void throw_errno(std::string_view op, std::string_view path = {});

// Runs fn(); an Error escaping it gets "context: " prepended.
template <typename Fn>
decltype(auto) with_context(std::string_view context, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const Error& e) {
    throw e.with_context(context);
  }
}

}  // namespace ot
