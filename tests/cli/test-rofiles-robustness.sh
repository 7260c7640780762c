#!/usr/bin/env bash
# rofiles-fuse when things go wrong: bad arguments, a missing /dev/fuse or a
# dead mount give one clear line on stderr and a non-zero exit, leaving no
# mount; SIGTERM, fusermount3 -u and umount end the daemon cleanly.
#
# The body runs in private mount and PID namespaces: whatever happens, every
# daemon dies with the namespace and no mount outlives the test.
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }

if [[ -z ${ROFILES_TEST_NS:-} ]]; then
  [[ $(id -u) == 0 ]] || skip "needs root (FUSE mounts in a private namespace)"
  [[ -c /dev/fuse ]] || skip "no /dev/fuse"
  command -v unshare >/dev/null || skip "no unshare"
  [[ -x ${OT_ROFILES:-} ]] || skip "our rofiles-fuse is not built (OT_ROFILES)"
  [[ -x ${REF_OSTREE:-} ]] || skip "no reference ostree (REF_OSTREE)"
  exec unshare --mount --propagation private --pid --fork --mount-proc \
    env ROFILES_TEST_NS=1 bash "$0" "$@"
fi

work=$(mktemp -d /var/tmp/test-rofiles-robustness.XXXXXX)
cleanup() {
  local m
  for m in "$work"/mnt*; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() { echo "FAIL: $*"; exit 1; }
is_mounted() { grep -q " $(readlink -f "$1") " /proc/self/mountinfo; }
wait_mounted() {
  local i
  for i in $(seq 200); do is_mounted "$1" && return 0; sleep 0.05; done
  fail "$1 never got mounted"
}

mkdir -p src/sub mnt
echo content > src/sub/file
"$REF_OSTREE" --repo=repo init --mode=bare
"$REF_OSTREE" --repo=repo commit -b t --tree=dir=src >/dev/null
"$REF_OSTREE" --repo=repo checkout -H t co
echo notadir > plainfile

# Runs our binary expecting failure: non-zero exit, exactly one line on
# stderr that contains the given words, nothing mounted afterwards.
expect_failure() {  # words -- args...
  local words=$1; shift 2
  local rc=0 mounts_before
  mounts_before=$(grep -c fuse.rofiles /proc/self/mountinfo || true)
  "$OT_ROFILES" "$@" 2>err.txt >out.txt || rc=$?
  echo "rofiles-fuse $*  ->  exit $rc: $(cat err.txt)"
  ((rc != 0)) || fail "succeeded: $*"
  [[ $(wc -l < err.txt) == 1 ]] || { cat err.txt; fail "not one line of error: $*"; }
  [[ $(cat err.txt) == rofiles-fuse:* ]] || fail "error does not name the program: $*"
  local w
  for w in $words; do grep -qF -- "$w" err.txt || fail "error lacks '$w': $*"; done
  [[ $(grep -c fuse.rofiles /proc/self/mountinfo || true) == "$mounts_before" ]] ||
    fail "a mount was left behind: $*"
}

# --- Arguments --------------------------------------------------------------
expect_failure "missing No such file" -- missing mnt
expect_failure "plainfile Not a directory" -- plainfile mnt
expect_failure "nomnt No such file" -- co nomnt
expect_failure "plainfile Not a directory" -- co plainfile
expect_failure "MOUNTPOINT" -- co
expect_failure "SRCDIR" --
expect_failure "bogus" -- -o bogus co mnt
expect_failure "--frobnicate" -- --frobnicate co mnt

# --- No FUSE device (a private /dev without it) ------------------------------
rc=0
unshare --mount bash -c "mount -t tmpfs none /dev && exec '$OT_ROFILES' co mnt" 2>err.txt || rc=$?
echo "without /dev/fuse  ->  exit $rc: $(cat err.txt)"
((rc != 0)) && [[ $(wc -l < err.txt) == 1 ]] && grep -q "/dev/fuse" err.txt ||
  fail "no clear error without /dev/fuse"

# --- A dead mount (its daemon was killed) as the mountpoint ----------------
mkdir mnt-dead
"$OT_ROFILES" -f co mnt-dead &
pid=$!
wait_mounted mnt-dead
kill -KILL $pid
wait $pid 2>/dev/null || true  # "Killed" is the expected status
expect_failure "mnt-dead not connected" -- co mnt-dead
umount -l mnt-dead

# --- Daemonized: the command returns once the mount is usable ----------------
"$OT_ROFILES" co mnt
[[ $(cat mnt/sub/file) == content ]] || fail "mount not usable right after the command returned"
umount mnt
! is_mounted mnt || fail "umount left the mount"

# --- SIGTERM unmounts cleanly, even with a file open ------------------------
for signal in TERM INT; do
  # Background jobs of a script start with SIGINT ignored; give it back.
  env --default-signal=INT "$OT_ROFILES" -f co mnt &
  pid=$!
  wait_mounted mnt
  exec 3< mnt/sub/file
  kill -$signal $pid
  rc=0
  wait $pid || rc=$?
  exec 3<&-
  echo "SIG$signal  ->  exit $rc"
  ((rc == 0)) || fail "daemon exited with $rc on SIG$signal"
  ! is_mounted mnt || fail "SIG$signal left the mount behind"
done

# --- fusermount3 -u and umount end the daemon -------------------------------
for unmount in "fusermount3 -u" "umount"; do
  "$OT_ROFILES" -f co mnt &
  pid=$!
  wait_mounted mnt
  $unmount mnt
  rc=0
  wait $pid || rc=$?
  ((rc == 0)) || fail "daemon exited with $rc after $unmount"
  ! is_mounted mnt || fail "$unmount left the mount behind"
done

[[ $(cat co/sub/file) == content ]] || fail "the checkout changed"
echo "PASS: clear one-line errors, clean unmounts"
