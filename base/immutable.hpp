#pragma once
// The filesystem's immutable attribute (chattr +i). Upstream sets it on each
// deployment's root directory so nothing can add or remove top-level
// entries of a deployment by accident; cleanup clears it before deleting.
namespace ot {

// Sets or clears FS_IMMUTABLE_FL on fd. Filesystems without the attribute
// (tmpfs, overlayfs) are accepted silently, as upstream does.
void set_immutable(int fd, bool immutable);

}  // namespace ot
