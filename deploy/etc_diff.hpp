#pragma once
// What a deployment's administrator changed in /etc: the deployment's etc/
// compared with usr/etc/, the defaults its commit shipped. This is the input
// of the /etc merge of the next deployment and the output of
// `ostree admin config-diff`.
#include <string>
#include <vector>

namespace ot::deploy {

struct EtcChanges {  // paths relative to etc/, sorted (or in walk order, see DiffOrder)
  // Present on both sides with another type, owner, mode, content or
  // symlink target (and xattrs with XattrDiff::compare). A directory whose
  // type changed is listed alone; one whose metadata changed is listed and
  // walked into.
  std::vector<std::string> modified;
  // Only in the defaults; a removed directory is listed, not its contents.
  std::vector<std::string> removed;
  // Only in etc/; an added directory is listed with everything below it.
  std::vector<std::string> added;
};

// Upstream's /etc merge and config-diff ignore xattrs (SELinux labels of
// /usr/etc and /etc always differ): a change to xattrs alone is no change.
enum class XattrDiff { ignore, compare };
// sorted: each list sorted bytewise, a directory before what is below it.
// walk: the order upstream lists entries in (readdir order, 1000-entry
// batches sorted by inode, modified and removed found walking the defaults,
// added walking etc/), which `ostree admin config-diff` prints.
enum class DiffOrder { sorted, walk };

// Compares deployment/usr/etc (the defaults) with deployment/etc, as upstream's
// merge does: content, type, mode, ownership and symlink targets count, xattrs
// do not. Symlinks are compared, never followed. Throws ot::Error if either
// directory is missing or unreadable.
EtcChanges diff_etc(int deployment_dfd);
EtcChanges diff_etc(int deployment_dfd, DiffOrder order, XattrDiff xattrs = XattrDiff::ignore);

// The same comparison between any two directories (orig = defaults).
EtcChanges diff_dirs(int orig_dfd, int modified_dfd, DiffOrder order, XattrDiff xattrs);

// `ostree admin config-diff` output for the deployment: "M    path" lines, then
// "D    path", then "A    path", in upstream's walk order, each ending in '\n'.
std::vector<std::string> config_diff_lines(int deployment_dfd);

}  // namespace ot::deploy
