#include "rofiles/write_policy.hpp"

namespace ot::rofiles {

bool is_shared(const struct statx& st) noexcept {
  // ostree hardlinks only regular files and symlinks out of the repository;
  // anything else under the mount was made by the user.
  if (!S_ISREG(st.stx_mode) && !S_ISLNK(st.stx_mode)) return false;
#ifdef STATX_ATTR_VERITY
  if (st.stx_attributes_mask & st.stx_attributes & STATX_ATTR_VERITY) return true;
#endif
  return st.stx_nlink > 1;
}

Verdict judge_write(const struct statx& st, SharedFiles mode) noexcept {
  if (!is_shared(st)) return Verdict::allow;
  return mode == SharedFiles::copy_up ? Verdict::copy_up : Verdict::refuse;
}

}  // namespace ot::rofiles
