#!/usr/bin/env bash
# Reading through `ostree mount` fills the kernel's page cache ahead of the
# reader: once a program reads a file of a directory, the other small files
# of that directory reach the kernel without a READ request each (the
# server's request trace shows none), and while files are being read, a
# directory that is listed gets the same. The bytes are exactly the
# checkout's, in bare and archive repositories, and --verify still refuses a
# corrupt object in such a directory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mount.sh"
require_fuse
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
in_private_mount_ns "$@"

# Small files of distinct sizes and content in three directories, and one
# file too large to be pushed.
for d in first second third; do
  mkdir -p tree/$d
  for i in $(seq -w 1 30); do head -c $((10#$i * 1733)) /dev/urandom >tree/$d/f$i; done
done
head -c $((3 << 20)) /dev/urandom >tree/first/large

# reads LOG: the READ requests the server has answered so far.
reads() { grep -c 'opcode: READ (' "$1" || true; }

# Pushing is asynchronous: give the server's background thread time (it
# needs milliseconds here).
settle() { sleep 0.3; }

# pushed_ahead MODE LOG: the scenario on the mount at mnt-MODE; prints what
# went wrong, if anything. Pushed pages are speculative: the kernel may take
# them back before they are read, as it may readahead pages (and a host that
# reclaims idle page cache proactively does, within seconds), so a few READ
# requests are allowed where without pushing there is one per file (29, 30).
pushed_ahead() {
  local mode=$1 log=$2 before i
  # A walk reads no content. (Only of first/: the kernel keeps listings, and
  # third/ must still be unlisted below.)
  find mnt-$mode/first -printf '%s %m\n' >/dev/null
  [[ $(reads "$log") == 0 ]] || { echo "a walk sent READ requests"; return; }
  # Reading one file of first/ brings the others along.
  cmp mnt-$mode/first/f01 co-$mode/first/f01 || { echo "content of first/f01"; return; }
  before=$(reads "$log")
  ((before > 0)) || { echo "the first read of a file asked the server nothing"; return; }
  settle
  for i in $(seq -w 2 30); do
    cmp mnt-$mode/first/f$i co-$mode/first/f$i || { echo "content of first/f$i"; return; }
  done
  (($(reads "$log") - before <= 3)) || { echo "$(($(reads "$log") - before)) READ requests for first/f02..f30"; return; }
  # While files are being read, a directory that is listed is pushed too.
  cat mnt-$mode/second/f01 >/dev/null
  ls mnt-$mode/third >/dev/null
  settle
  before=$(reads "$log")
  for i in $(seq -w 1 30); do
    cmp mnt-$mode/third/f$i co-$mode/third/f$i || { echo "content of third/f$i"; return; }
  done
  (($(reads "$log") - before <= 3)) || echo "$(($(reads "$log") - before)) READ requests for third/, listed while reading"
}

for mode in bare archive; do
  "$REF_OSTREE" --repo=repo-$mode init --mode=$mode
  "$REF_OSTREE" --repo=repo-$mode commit -b t --tree=dir=tree >/dev/null
  "$REF_OSTREE" --repo=repo-$mode checkout t co-$mode
  # A fresh mount has nothing cached: up to three tries, against reclaim.
  for try in 1 2 3; do
    serve_foreground repo-$mode t mnt-$mode trace-$mode.log --debug
    problem=$(pushed_ahead $mode trace-$mode.log)
    [[ -z $problem ]] || _test_say "$mode, try $try: $problem"
    # Everything, once more, against the checkout.
    (cd mnt-$mode && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >sums.mnt
    (cd co-$mode && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >sums.co
    cmp sums.mnt sums.co || fail "$mode: content through the mount differs from the checkout"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || fail "$mode: server exit status after SIGTERM"
    wait_unmounted mnt-$mode
    [[ -n $problem ]] || break
  done
  [[ -z $problem ]] || fail "$mode: $problem"
  _test_check_passed
done

# --verify: a corrupt object in a directory being pushed is never served.
csum=$("$REF_OSTREE" --repo=repo-bare ls -C t /second/f07 | awk '{ print $5 }')
object=repo-bare/objects/${csum:0:2}/${csum:2}.file
[[ -f $object ]] || fail "no object $object for second/f07"
size=$(stat -c %s "$object")
chmod u+w "$object"
head -c "$size" /dev/zero >"$object"
serve_foreground repo-bare t mnt-verify verify.log --verify
cmp mnt-verify/second/f01 co-bare/second/f01 || fail "--verify: content of second/f01"
settle
assert_fails cat mnt-verify/second/f07
assert_file_has_content "$TEST_TMP/err" 'Input/output error'
cmp mnt-verify/second/f08 co-bare/second/f08 || fail "--verify: content of second/f08 next to a corrupt file"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
wait_unmounted mnt-verify
