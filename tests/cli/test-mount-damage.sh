#!/usr/bin/env bash
# `ostree mount` of damaged repositories: a corrupt object fails with EIO for
# its own file only, with one log line naming the object (--verify for bare
# objects; always for archive objects whose payload does not match its
# header); a partial commit (missing content and dirtree objects, or a
# `pull --subpath`) mounts, and only what is missing fails; a killed server's
# dead mount can still be unmounted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mount.sh"
require_fuse
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
in_private_mount_ns "$@"

mkdir -p tree/files tree/dir/sub tree/other
printf 'hello\n' >tree/files/small
printf 'another file\n' >tree/files/other
head -c $((5 << 20)) /dev/urandom >tree/files/large.bin
# Over 8 MiB: archive mode inflates it in chunks.
seq -f 'line %09g of a file archive mode inflates in chunks' 1 300000 >tree/files/huge.txt
printf 'deep\n' >tree/dir/sub/file
printf 'elsewhere\n' >tree/other/file

# object_path REPO REV PATH: the loose object of PATH's content.
object_path() {
  local csum ext=file
  csum=$("$REF_OSTREE" --repo="$1" ls -C "$2" "$3" | awk '{ print $5 }')
  [[ $(awk -F= '/^mode=/ { print $2 }' "$1/config") == archive* ]] && ext=filez
  echo "$1/objects/${csum:0:2}/${csum:2}.$ext"
}
checksum_of() { "$REF_OSTREE" --repo="$1" ls -C "$2" "$3" | awk '{ print $5 }'; }

# assert_eio CMD...: CMD fails with "Input/output error".
assert_eio() {
  assert_fails "$@"
  assert_file_has_content "$TEST_TMP/err" 'Input/output error'
}

# stop_server DIR: unmounts a foreground server's mount; it exits 0.
stop_server() {
  unmount_commit "$1"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  assert_eq "$rc" 0 "exit status of the server of $1"
}

# --- bare: --verify catches changed bytes --------------------------------------------
"$REF_OSTREE" --repo=bare init --mode=bare
"$REF_OSTREE" --repo=bare commit -b main --tree=dir=tree >/dev/null
small=$(checksum_of bare main /files/small)
printf 'HELLO\n' >"$(object_path bare main /files/small)" # same size, other bytes
serve_foreground bare main mnt-verify verify.log --verify
assert_eio cat mnt-verify/files/small
assert_eio cat mnt-verify/files/small
assert_eq "$(grep -c "$small" verify.log)" 1 "log lines naming the corrupt object"
assert_file_has_content verify.log "$small.*corrupt"
assert_eq "$(stat -c %s mnt-verify/files/small)" 6 "metadata of the corrupt file"
diff -r --exclude=small mnt-verify tree || fail "files other than the corrupt one"
_test_check_passed
stop_server mnt-verify

# --- archive: payloads that do not match their header are EIO without --verify ---------
"$REF_OSTREE" --repo=archive init --mode=archive
"$REF_OSTREE" --repo=archive commit -b main --tree=dir=tree >/dev/null
large=$(checksum_of archive main /files/large.bin)
huge=$(checksum_of archive main /files/huge.txt)
p=$(object_path archive main /files/large.bin)
truncate -s $(($(stat -c %s "$p") / 2)) "$p"
p=$(object_path archive main /files/huge.txt)
truncate -s $(($(stat -c %s "$p") - 1000)) "$p"
# A valid object of other content in place of files/other: only --verify
# can tell.
other=$(checksum_of archive main /files/other)
cp "$(object_path archive main /files/small)" "$(object_path archive main /files/other)"
serve_foreground archive main mnt-archive archive.log
assert_eio cat mnt-archive/files/large.bin
assert_file_has_content archive.log "$large"
# The chunks before the damage are served; the end is not.
cmp <(head -c 100000 mnt-archive/files/huge.txt) <(head -c 100000 tree/files/huge.txt) ||
  fail "start of a large archive object before its damaged end"
_test_check_passed
assert_eio cat mnt-archive/files/huge.txt
assert_file_has_content archive.log "$huge"
assert_eq "$(cat mnt-archive/files/other)" hello "an archive object replaced by a valid one, without --verify"
diff -r --exclude=large.bin --exclude=huge.txt --exclude=other mnt-archive tree || fail "undamaged files"
_test_check_passed
stop_server mnt-archive
serve_foreground archive main mnt-archive-verify archive-verify.log --verify
assert_eio cat mnt-archive-verify/files/other
assert_file_has_content archive-verify.log "$other.*corrupt"
assert_eq "$(cat mnt-archive-verify/files/small)" hello "an intact archive object with --verify"
stop_server mnt-archive-verify

# --- partial commits ------------------------------------------------------------------
"$REF_OSTREE" --repo=user init --mode=bare-user
"$REF_OSTREE" --repo=user commit -b main --tree=dir=tree >/dev/null
gone=$(checksum_of user main /files/other)
sub=$("$REF_OSTREE" --repo=user ls -d -C main /dir/sub | awk '{ print $5 }') # its dirtree
rm "$(object_path user main /files/other)"
rm "user/objects/${sub:0:2}/${sub:2}.dirtree"
serve_foreground user main mnt-partial partial.log
assert_eio cat mnt-partial/files/other
assert_file_has_content partial.log "files/other.*$gone.*missing"
assert_eio ls mnt-partial/dir/sub
assert_file_has_content partial.log "dir/sub.*$sub.*missing"
assert_eq "$(ls mnt-partial/files | tr '\n' ' ')" "huge.txt large.bin other small " "listing with a missing object"
diff -r --exclude=other --exclude=sub mnt-partial tree || fail "what is present in a partial commit"
_test_check_passed
stop_server mnt-partial

# A real partial pull: only /other of the commit.
"$REF_OSTREE" --repo=pulled init --mode=archive
"$REF_OSTREE" --repo=pulled remote add --no-gpg-verify origin "file://$TEST_TMP/archive"
"$REF_OSTREE" --repo=pulled pull --subpath=/other origin main >/dev/null
serve_foreground pulled origin:main mnt-pulled pulled.log
assert_eq "$(cat mnt-pulled/other/file)" elsewhere "the pulled subpath"
assert_eq "$(ls mnt-pulled | tr '\n' ' ')" "dir files other " "root listing of a partial pull"
assert_eio ls mnt-pulled/files
assert_file_has_content pulled.log 'files: dirtree object [0-9a-f]{64} is missing'
stop_server mnt-pulled

# --- a killed server --------------------------------------------------------------------
serve_foreground bare main mnt-killed killed.log
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" || true
assert_fails stat mnt-killed/files
assert_fails "$OT_OSTREE" --repo=bare mount main mnt-killed
assert_one_line_error 'mnt-killed'
unmount_commit mnt-killed
assert_eq "$(awk -v top="$TEST_TMP" 'index($5, top) == 1' /proc/self/mountinfo)" "" "mounts left"
