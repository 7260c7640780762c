#pragma once
// Copying file content the cheapest way the filesystem allows: share extents
// (FICLONE, btrfs/xfs), else let the kernel copy (copy_file_range, which
// also offloads to NFS/CIFS servers), else read and write through a buffer.
// Used wherever a private copy must replace a shared (hardlinked) file.

namespace ot {

// The ways copy_file_data() can move bytes, cheapest first.
enum class CopyMethod { reflink, copy_file_range, read_write };

// Copies all of src_fd's content (from offset 0, independent of its file
// position) to dst_fd starting at offset 0, trying methods from `first`
// down. dst_fd should be empty; it is left exactly as long as the source.
// Returns the method that did the work; throws ot::Error with the errno.
CopyMethod copy_file_data(int src_fd, int dst_fd, CopyMethod first = CopyMethod::reflink);

}  // namespace ot
