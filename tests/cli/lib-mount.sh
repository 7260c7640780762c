# Sourced by tests/cli/test-mount*.sh after lib.sh: helpers for `ostree mount`.
# Every test that uses these runs in a private mount namespace
# (in_private_mount_ns) and lib.sh unmounts whatever is left under $TEST_TMP,
# so a failing test leaves no mount and no server behind.

# require_fuse: skips unless FUSE mounts can be made here.
require_fuse() {
  require_root
  require_cmd fusermount3 getfattr setfattr
  [[ -c /dev/fuse ]] || skip "no /dev/fuse"
  [[ -x $OT_OSTREE ]] || skip "$OT_OSTREE is not built"
}

# is_mounted DIR: true when an ostree FUSE mount is on DIR.
is_mounted() {
  local dir
  dir=$(readlink -f "$1")
  awk -v d="$dir" '$5 == d { sub(/.* - /, ""); split($0, f, " "); t = f[1] } END { exit !(t == "fuse.ostree") }' \
    /proc/self/mountinfo
}

# wait_mounted DIR [PID]: waits up to 10 s for DIR to be mounted (failing
# early if PID, a foreground server, died first).
wait_mounted() {
  local i
  for ((i = 0; i < 200; i++)); do
    is_mounted "$1" && return 0
    if [[ -n ${2:-} ]] && ! kill -0 "$2" 2>/dev/null; then
      fail "the server for $1 exited before mounting"
    fi
    sleep 0.05
  done
  fail "$1 was not mounted within 10 s"
}

# wait_unmounted DIR: waits up to 10 s for DIR to be unmounted.
wait_unmounted() {
  local i
  for ((i = 0; i < 200; i++)); do
    is_mounted "$1" || return 0
    sleep 0.05
  done
  fail "$1 is still mounted after 10 s"
}

# mount_commit REPO REV DIR [OPTION...]: `ostree mount` in the background
# (the command returns once the mount is in place).
mount_commit() {
  local repo=$1 rev=$2 dir=$3
  shift 3
  mkdir -p "$dir"
  "$OT_OSTREE" --repo="$repo" mount "$@" "$rev" "$dir"
  is_mounted "$dir" || fail "ostree mount returned but $dir is not mounted"
}

# serve_foreground REPO REV DIR LOG [OPTION...]: `ostree mount -f` as a
# background job logging to LOG; sets SERVER_PID; returns once mounted.
serve_foreground() {
  local repo=$1 rev=$2 dir=$3 log=$4
  shift 4
  mkdir -p "$dir"
  "$OT_OSTREE" --repo="$repo" mount -f "$@" "$rev" "$dir" 2>"$log" &
  SERVER_PID=$!
  wait_mounted "$dir" "$SERVER_PID"
}

# unmount_commit DIR: `ostree mount --unmount`, then checks it is gone.
unmount_commit() {
  "$OT_OSTREE" mount --unmount "$1"
  wait_unmounted "$1"
}

# stat_manifest DIR: one line per entry, sorted by path, with what stat(1)
# shows of a checkout that must be identical on the mount: type, mode,
# owner, size (not for directories: that depends on the filesystem). Inode
# numbers, link counts, times and the device are left out: they differ
# between any two checkouts.
stat_manifest() {
  (cd "$1" && find . -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%n|%F|%a|%u|%g|%s' |
    awk -F'|' -v OFS='|' '$2 == "directory" { $6 = "-" } { print }')
}

# xattr_manifest DIR: getfattr -d of every entry (symlinks themselves), in
# path order.
xattr_manifest() {
  (cd "$1" && find . -print0 | LC_ALL=C sort -z |
    xargs -0 getfattr -h -d -m - -e hex --absolute-names 2>/dev/null) || true
}

# assert_same_as_checkout MOUNT CHECKOUT: the mount is the checkout, as diff,
# stat, getfattr and tree_manifest see it.
assert_same_as_checkout() {
  local mnt=$1 co=$2
  diff -r --no-dereference "$mnt" "$co" >"$TEST_TMP/diff.out" 2>&1 || {
    head -n 20 "$TEST_TMP/diff.out" >&2
    fail "diff -r: $mnt differs from $co"
  }
  _test_check_passed
  stat_manifest "$mnt" >"$TEST_TMP/stat.mnt"
  stat_manifest "$co" >"$TEST_TMP/stat.co"
  diff -u "$TEST_TMP/stat.co" "$TEST_TMP/stat.mnt" >"$TEST_TMP/stat.diff" || {
    head -n 20 "$TEST_TMP/stat.diff" >&2
    fail "stat: $mnt differs from $co"
  }
  _test_check_passed
  xattr_manifest "$mnt" >"$TEST_TMP/xattr.mnt"
  xattr_manifest "$co" >"$TEST_TMP/xattr.co"
  diff -u "$TEST_TMP/xattr.co" "$TEST_TMP/xattr.mnt" >"$TEST_TMP/xattr.diff" || {
    head -n 20 "$TEST_TMP/xattr.diff" >&2
    fail "getfattr -d: $mnt differs from $co"
  }
  _test_check_passed
  assert_trees_equal "$co" "$mnt"
}
