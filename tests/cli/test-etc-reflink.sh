#!/usr/bin/env bash
# The /etc merge copies content by reflink where the filesystem can share
# blocks: on btrfs and xfs a large changed config file carried into the new
# /etc occupies the same physical extents as the old one (filefrag shows them
# and the "shared" flag). On ext4 the fallback copies the bytes: same
# content, other extents. Each filesystem is a loop-mounted image inside a
# private mount namespace; the loop devices are detached on every exit path.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd losetup filefrag mkfs.btrfs mkfs.xfs mkfs.ext4 cmp
HELPER=${OT_BUILD:?}/tests/ot-etc-merge
[[ -x $HELPER ]] || fail "$HELPER not built"
in_private_mount_ns "$@"

LOOPS=()
MOUNTS=()
release_loops() {
  local m l
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  MOUNTS=()
  LOOPS=()
}
# Ours first, then lib.sh's cleanup, which reads the exit status: nothing
# here may trip set -e or the ERR trap on the way.
trap '_etc_rc=$?; trap - ERR; set +e; release_loops; (exit $_etc_rc); _test_on_exit' EXIT

# mount_image FS SIZE: a fresh FS image mounted at $TEST_TMP/FS.
mount_image() {
  local fs=$1 size=$2 img=$TEST_TMP/$1.img loop
  truncate -s "$size" "$img"
  loop=$(losetup --find --show "$img") || skip "no free loop device"
  LOOPS+=("$loop")
  "mkfs.$fs" -q "$loop" >/dev/null 2>&1 || fail "mkfs.$fs failed"
  mkdir -p "$TEST_TMP/$fs"
  mount "$loop" "$TEST_TMP/$fs"
  MOUNTS+=("$TEST_TMP/$fs")
}

# extents FILE: "physical_start..physical_end flags" per extent.
extents() {
  filefrag -v "$1" | awk '/^ *[0-9]+:/ { print $4 $5, $NF }'
}

# merge_in DIR: an old deployment whose /etc carries a changed 16 MiB file,
# merged into a new deployment; prints what the helper reported.
merge_in() {
  local d=$1
  mkdir -p "$d/old/usr/etc" "$d/new/usr/etc"
  head -c $((16 << 20)) /dev/urandom >"$d/old/usr/etc/large"
  echo small >"$d/old/usr/etc/small"
  cp "$d/old/usr/etc/large" "$d/new/usr/etc/large"
  echo small2 >"$d/new/usr/etc/small"
  "$HELPER" defaults "$d/old" >/dev/null
  head -c $((16 << 20)) /dev/urandom >"$d/old/etc/large"
  chmod 600 "$d/old/etc/large"
  "$HELPER" merge "$d/old" "$d/new" >"$d/merge.out"
  sync
  cat "$d/merge.out"
}

for fs in btrfs xfs; do
  mount_image "$fs" 400M
  d=$TEST_TMP/$fs/sysroot
  merge_in "$d" >/dev/null
  assert_file_has_content "$d/merge.out" '^Copying /etc changes: 1 modified, 0 removed, 0 added$'
  # Both the carried-over file and the copies of the new defaults share.
  assert_file_has_content "$d/merge.out" '^copied: 3 reflinked, 0 copy_file_range, 0 read_write'
  cmp "$d/old/etc/large" "$d/new/etc/large" || fail "$fs: merged content differs"
  _test_check_passed
  assert_eq "$(stat -c %a "$d/new/etc/large")" 600 "$fs: mode of the merged file"
  old_ext=$(extents "$d/old/etc/large")
  new_ext=$(extents "$d/new/etc/large")
  [[ -n $old_ext ]] || fail "$fs: filefrag shows no extents"
  assert_eq "$(cut -d' ' -f1 <<<"$new_ext")" "$(cut -d' ' -f1 <<<"$old_ext")" "$fs: physical extents of etc/large"
  grep -q shared <<<"$new_ext" || fail "$fs: extents of the merged file are not flagged shared: $new_ext"
  _test_check_passed
  # The defaults' copy shares with usr/etc too.
  assert_eq "$(extents "$d/new/etc/small" | cut -d' ' -f1)" "$(extents "$d/new/usr/etc/small" | cut -d' ' -f1)" \
    "$fs: physical extents of a default file"
  release_loops
done

# The same through `ostree admin deploy` on a btrfs sysroot: the changed
# file in the running /etc and its copy in the new deployment share blocks.
rm -f "$TEST_TMP/btrfs.img"
mount_image btrfs 400M
s=$TEST_TMP/btrfs/sysroot
mkdir -p "$s" tree/usr/lib/modules/6.1.0-r tree/usr/etc
echo kernel >tree/usr/lib/modules/6.1.0-r/vmlinuz
echo 'PRETTY_NAME="Reflink OS"' >tree/usr/lib/os-release
head -c $((16 << 20)) /dev/urandom >tree/usr/etc/large
"$OT_OSTREE" admin init-fs "$s"
"$OT_OSTREE" admin os-init --sysroot="$s" r >/dev/null
"$OT_OSTREE" --repo="$s/ostree/repo" commit -b os --tree=dir=tree -s 1 >/dev/null
"$OT_OSTREE" admin deploy --sysroot="$s" --os=r os >/dev/null
old_etc=$(echo "$s"/ostree/deploy/r/deploy/*.0/etc)
head -c $((16 << 20)) /dev/urandom >"$old_etc/large"
echo 2 >tree/usr/etc/version
"$OT_OSTREE" --repo="$s/ostree/repo" commit -b os --tree=dir=tree -s 2 >/dev/null
"$OT_OSTREE" admin deploy --sysroot="$s" --os=r os >deploy.out
assert_file_has_content deploy.out '^Copying /etc changes: 1 modified, 0 removed, 0 added$'
new_etc=$(echo "$s"/ostree/deploy/r/deploy/$("$OT_OSTREE" --repo="$s/ostree/repo" rev-parse os).0/etc)
sync
cmp "$old_etc/large" "$new_etc/large" || fail "admin deploy: merged content differs"
new_ext=$(extents "$new_etc/large")
assert_eq "$(cut -d' ' -f1 <<<"$new_ext")" "$(extents "$old_etc/large" | cut -d' ' -f1)" "admin deploy on btrfs: extents of etc/large"
grep -q shared <<<"$new_ext" || fail "admin deploy on btrfs: extents not flagged shared: $new_ext"
_test_check_passed
find "$s/ostree/deploy" -mindepth 3 -maxdepth 3 -type d -exec chattr -i {} +
release_loops

# ext4 cannot share blocks: the fallback copies the bytes.
mount_image ext4 200M
d=$TEST_TMP/ext4/sysroot
merge_in "$d" >/dev/null
# Three files copied: the two defaults, then the changed file over one of them.
bytes=$(($(stat -c %s "$d/new/usr/etc/large") + $(stat -c %s "$d/new/usr/etc/small") + $(stat -c %s "$d/old/etc/large")))
assert_file_has_content "$d/merge.out" "^copied: 0 reflinked, 3 copy_file_range, 0 read_write, $bytes bytes\$"
cmp "$d/old/etc/large" "$d/new/etc/large" || fail "ext4: merged content differs"
_test_check_passed
old_ext=$(extents "$d/old/etc/large")
new_ext=$(extents "$d/new/etc/large")
[[ -n $new_ext ]] || fail "ext4: filefrag shows no extents"
[[ $(cut -d' ' -f1 <<<"$new_ext") != "$(cut -d' ' -f1 <<<"$old_ext")" ]] || fail "ext4: copy shares extents: $new_ext"
! grep -q shared <<<"$new_ext" || fail "ext4: extents flagged shared: $new_ext"
_test_check_passed
release_loops
