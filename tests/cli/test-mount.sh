#!/usr/bin/env bash
# `ostree mount` of the edge-case tree, committed by the reference in every
# repo mode, is exactly the reference's checkout of it (diff -r, stat,
# getfattr, content checksums); identical files are one inode; every change
# is refused with EROFS; parallel readers get the right bytes; --subpath,
# --unmount, SIGTERM and fusermount3 -u unmount cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mount.sh"
require_fuse
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
in_private_mount_ns "$@"

"$OT_SRC/tests/data/make-edge-tree.sh" tree 2>/dev/null

for mode in bare bare-user bare-user-only archive; do
  "$REF_OSTREE" --repo=repo-$mode init --mode=$mode
  "$REF_OSTREE" --repo=repo-$mode commit -b edge --tree=dir=tree -s edge >/dev/null
  "$REF_OSTREE" --repo=repo-$mode checkout edge co-$mode
  mount_commit repo-$mode edge mnt-$mode
  assert_same_as_checkout mnt-$mode co-$mode

  # Hardlinks: one inode per content object, st_nlink = names in the tree.
  ino() { stat -c %i "$1"; }
  assert_eq "$(ino mnt-$mode/files/small-duplicate)" "$(ino mnt-$mode/files/small)" "$mode: identical files share an inode"
  assert_eq "$(stat -c %h mnt-$mode/files/small)" 2 "$mode: link count of files/small"
  assert_eq "$(ino mnt-$mode/hardlinks/b)" "$(ino mnt-$mode/hardlinks/a)" "$mode: hardlinked names share an inode"
  assert_eq "$(stat -c %h mnt-$mode/hardlinks/a)" 3 "$mode: link count of a thrice-named file"
  assert_eq "$(stat -c %h mnt-$mode/dedup/copy7)" 50 "$mode: link count of a file fifty times in the tree"
  assert_eq "$(find mnt-$mode/dedup -samefile mnt-$mode/dedup/copy0 | wc -l)" 50 "$mode: find -samefile"
  # Directories are distinct per path even when their dirtrees are equal.
  [[ $(ino mnt-$mode/empty-dir) != "$(ino mnt-$mode/nested-empty/inner/innermost)" ]] ||
    fail "$mode: two empty directories share an inode"
  _test_check_passed
  assert_eq "$(stat -c %h mnt-$mode/files)" 2 "$mode: link count of a directory without subdirectories"
  assert_eq "$(stat -c %h mnt-$mode/modes)" 6 "$mode: link count of a directory with four subdirectories"
  # Random reads in large files (archive: inflated in chunks) match.
  for off in 4095 2047 1 3000 0; do
    cmp <(dd if=mnt-$mode/files/sparse bs=4096 skip=$off count=3 status=none) \
      <(dd if=co-$mode/files/sparse bs=4096 skip=$off count=3 status=none) ||
      fail "$mode: random read at block $off of files/sparse"
    cmp <(dd if=mnt-$mode/files/large.bin bs=1000 skip=$off count=7 status=none) \
      <(dd if=co-$mode/files/large.bin bs=1000 skip=$off count=7 status=none) ||
      fail "$mode: random read at $off000 of files/large.bin"
  done
  _test_check_passed
done

# Reading through a bare mount leaves the objects in the page cache (which
# they share with every hardlinked checkout) instead of taking their pages.
if command -v fincore >/dev/null; then
  resident() {
    find repo-bare/objects -name '*.file' -type f -print0 |
      xargs -0 fincore --bytes --noheadings -o RES | awk '{ s += $1 } END { print s }'
  }
  find repo-bare/objects -name '*.file' -type f -print0 | xargs -0 cat >/dev/null
  before=$(resident)
  mount_commit repo-bare edge mnt-cache
  find mnt-cache -type f -print0 | xargs -0 cat >/dev/null
  after=$(resident)
  # Taking the pages would leave next to nothing; a few percent can go to
  # the machine's own reclaim (proactive reclaim runs on shared test hosts).
  ((after * 100 >= before * 95)) ||
    fail "bytes of the objects in the page cache after reading them through the mount: $after of $before"
  _test_check_passed
  unmount_commit mnt-cache
fi

# --- read-only: every change is EROFS ------------------------------------------------
m=mnt-bare
erofs() { # WHAT CMD...
  local what=$1
  shift
  assert_fails "$@"
  assert_file_has_content "$TEST_TMP/err" 'Read-only file system'
}
erofs "create" touch $m/new-file
erofs "write" sh -c "echo x >>$m/files/small"
erofs "truncate" truncate -s 0 $m/files/small
erofs "unlink" rm -f $m/files/small
erofs "rmdir" rmdir $m/empty-dir
erofs "mkdir" mkdir $m/new-dir
erofs "rename" mv $m/files/small $m/files/moved
erofs "symlink" ln -s target $m/new-link
erofs "link" ln $m/files/small $m/files/new-hardlink
erofs "chmod" chmod 0600 $m/files/small
erofs "chown" chown 1:1 $m/files/small
erofs "utimes" touch -m $m/files/small
erofs "setxattr" setfattr -n user.new -v 1 $m/files/small
erofs "removexattr" setfattr -x user.edge.test $m/xattrs/user
assert_eq "$(cat $m/files/small)" "hello, world" "content after refused changes"

# --- many concurrent readers ------------------------------------------------------------
for mode in bare archive; do
  (cd mnt-$mode && find . -type f -print0 | xargs -0 -P 8 -n 16 sha256sum | LC_ALL=C sort -k 2) >sums.mnt
  (cd co-$mode && find . -type f -print0 | xargs -0 sha256sum | LC_ALL=C sort -k 2) >sums.co
  assert_eq "$(wc -l <sums.mnt)" "$(wc -l <sums.co)" "$mode: files read in parallel"
  cmp sums.mnt sums.co || fail "$mode: parallel readers got different content"
  _test_check_passed
done

# --- unmounting -----------------------------------------------------------------------
for mode in bare bare-user bare-user-only; do unmount_commit mnt-$mode; done
fusermount3 -u mnt-archive
wait_unmounted mnt-archive
_test_check_passed

# SIGTERM to a foreground server unmounts and exits 0.
serve_foreground repo-archive edge mnt-term term.log
kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
assert_eq "$rc" 0 "exit status after SIGTERM"
wait_unmounted mnt-term

# SIGTERM to a server in the background does the same.
mount_commit repo-bare edge mnt-term2
pid=$(pgrep -f -- "mount edge mnt-term2\$")
[[ $pid =~ ^[0-9]+$ ]] || fail "no single server process for mnt-term2: '$pid'"
kill -TERM "$pid"
wait_unmounted mnt-term2
for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "the server of mnt-term2 still runs after SIGTERM"
_test_check_passed

# A mount in use cannot be unmounted: one line, and it stays usable.
mount_commit repo-bare edge mnt-inuse
(cd mnt-inuse/files && exec sleep 30) &
sleeper=$!
sleep 0.2
assert_fails "$OT_OSTREE" mount --unmount mnt-inuse
assert_one_line_error "busy"
assert_eq "$(cat mnt-inuse/files/small)" "hello, world" "content of a mount that refused to unmount"
kill "$sleeper"
wait "$sleeper" || true
unmount_commit mnt-inuse

# --- --subpath --------------------------------------------------------------------------
mount_commit repo-archive edge mnt-sub --subpath=/names
"$REF_OSTREE" --repo=repo-archive checkout --subpath=/names edge co-sub
assert_same_as_checkout mnt-sub co-sub
unmount_commit mnt-sub
mount_commit repo-bare "$("$REF_OSTREE" --repo=repo-bare rev-parse edge)" mnt-sub --subpath=deep/d01/d02/
assert_eq "$(ls mnt-sub)" d03 "subpath given by checksum and relative path"
unmount_commit mnt-sub

# --- errors: one line, non-zero, nothing mounted ---------------------------------------------
mkdir -p mnt-err
assert_fails "$OT_OSTREE" --repo=repo-bare mount no-such-ref mnt-err
assert_one_line_error "no-such-ref"
assert_fails "$OT_OSTREE" --repo=no-such-repo mount edge mnt-err
assert_one_line_error "no-such-repo"
assert_fails "$OT_OSTREE" --repo=repo-bare mount edge no-such-dir
assert_one_line_error "no-such-dir"
assert_fails "$OT_OSTREE" --repo=repo-bare mount edge tree/files/small
assert_one_line_error "not a directory"
assert_fails "$OT_OSTREE" --repo=repo-bare mount --subpath=/files/small edge mnt-err
assert_one_line_error "not a directory"
assert_fails "$OT_OSTREE" --repo=repo-bare mount --subpath=/nowhere edge mnt-err
assert_one_line_error "nowhere"
mount_commit repo-bare edge mnt-busy
assert_fails "$OT_OSTREE" --repo=repo-bare mount edge mnt-busy
assert_one_line_error "busy"
assert_eq "$(grep -c " $(readlink -f mnt-busy) " /proc/self/mountinfo)" 1 "mounts on a busy mountpoint"
unmount_commit mnt-busy
assert_fails "$OT_OSTREE" mount --unmount mnt-err
assert_one_line_error "not a mount point"
assert_eq "$(awk -v top="$TEST_TMP" 'index($5, top) == 1' /proc/self/mountinfo)" "" "mounts left"
