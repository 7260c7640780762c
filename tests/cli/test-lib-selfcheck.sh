#!/usr/bin/env bash
# The shell test library catches what it claims to: each helper fails on the
# wrong input, tree_manifest sees every attribute OSTree keeps, and cleanup
# removes scratch dirs and mounts even when a test fails.
. "$(dirname "$0")/lib.sh"
# The nested tests below mount things; keep them out of the host's namespace
# even if the library's own cleanup were broken.
if ((EUID == 0)); then in_private_mount_ns "$@"; fi

# Runs a helper in a subshell; asserts it failed (exit status $1) and that
# its stderr matches regex $2.
expect_helper_fails() {
  local want_rc=$1 regex=$2 rc=0
  shift 2
  ("$@") >"$TEST_TMP/helper.out" 2>"$TEST_TMP/helper.err" || rc=$?
  [[ $rc == "$want_rc" ]] || fail "'$*' exited $rc, expected $want_rc; stderr: $(cat "$TEST_TMP/helper.err")"
  assert_file_has_content "$TEST_TMP/helper.err" "$regex"
}

# Writes a small test script sourcing lib.sh; runs it; its output lands in
# nested.out / nested.err and its exit status in NESTED_RC.
run_nested() {
  local body=$1
  printf '. %q\n%s\n' "$TEST_LIB_DIR/lib.sh" "$body" >"$TEST_TMP/test-nested.sh"
  NESTED_RC=0
  bash "$TEST_TMP/test-nested.sh" >"$TEST_TMP/nested.out" 2>"$TEST_TMP/nested.err" || NESTED_RC=$?
}

# --- assert_eq ------------------------------------------------------------------
assert_eq abc abc "equal strings"
expect_helper_fails 1 "the-answer: expected '42', got '41'" assert_eq 41 42 the-answer
expect_helper_fails 1 "expected '', got 'x'" assert_eq x ""

# --- assert_file_has_content / assert_not_file_has_content -----------------------
printf 'first line\nversion 2022.7\n' >file
assert_file_has_content file '^version [0-9]+\.[0-9]+$'
assert_not_file_has_content file 'version 2023'
expect_helper_fails 1 'does not match /\^third/' assert_file_has_content file '^third'
expect_helper_fails 1 'matches /first/' assert_not_file_has_content file 'first'
expect_helper_fails 1 'no such file' assert_file_has_content missing-file 'x'

# --- assert_fails and assert_one_line_error ----------------------------------------
assert_fails sh -c 'echo "error: Refspec not found" >&2; exit 1'
assert_eq "$LAST_RC" 1 "exit status recorded"
assert_one_line_error 'Refspec'
assert_fails sh -c 'printf "error: no newline" >&2; exit 2'
assert_one_line_error
expect_helper_fails 1 'expected failure, but it succeeded' assert_fails true
expect_helper_fails 1 'crashed \(exit 139, signal 11\)' assert_fails sh -c 'kill -SEGV $$'
expect_helper_fails 1 'command not found' assert_fails /nonexistent/binary
assert_fails sh -c 'echo "error: one" >&2; echo "  and a second line" >&2; exit 1'
expect_helper_fails 1 "got 2 line" assert_one_line_error
assert_fails sh -c 'echo "Error: wrong prefix" >&2; exit 1'
expect_helper_fails 1 "starting with 'error: '" assert_one_line_error
assert_fails sh -c 'exit 1'
expect_helper_fails 1 "got 0 line" assert_one_line_error
assert_fails sh -c 'echo "error: something else" >&2; exit 1'
expect_helper_fails 1 "does not match /Refspec/" assert_one_line_error Refspec

# --- skip, require_* ------------------------------------------------------------------
expect_helper_fails 77 'skipped: no widget here' skip "no widget here"
expect_helper_fails 77 'needs ot-no-such-command' require_cmd sh ot-no-such-command
require_cmd sh awk

# --- tree_manifest ------------------------------------------------------------------------
# A copy has the same manifest; each attribute OSTree keeps, changed alone,
# changes it.
mkdir -p src/sub
printf 'content\n' >src/file
printf 'other\n' >src/sub/other
printf 'x\n' >"src/sub/name with
newline"
ln -s file src/link
chmod 0750 src/sub
manifest_of() { tree_manifest "$1" >"$TEST_TMP/m.$2"; }
manifest_of src base
assert_eq "$(wc -l <m.base)" 6 "one manifest line per entry, the newline name included"
assert_file_has_content m.base '^sub/name with\\012newline	f 0644 '
assert_file_has_content m.base '^sub	d 0750 0:0 - - \{\}$'
assert_file_has_content m.base '^link	l 0777 [0-9]+:[0-9]+ - ->file \{\}$'
cp -a src copy
manifest_of copy copy
assert_eq "$(cat m.copy)" "$(cat m.base)" "manifest of an exact copy"
assert_trees_equal src copy

# Each mutation on a fresh copy must show up as exactly one changed line.
expect_manifest_change() {
  local what=$1 cmd=$2
  rm -rf mut
  cp -a src mut
  (cd mut && eval "$cmd")
  manifest_of mut mut
  local changed
  changed=$(diff m.base m.mut | grep -c '^>' || true)
  assert_eq "$changed" 1 "lines changed by $what"
  expect_helper_fails 1 'trees differ' assert_trees_equal src mut
}
expect_manifest_change "a mode change" 'chmod 0600 file'
expect_manifest_change "a setuid bit" 'chmod u+s file'
expect_manifest_change "a content change of the same size" 'printf "CONTENT\n" > file'
expect_manifest_change "a symlink retarget" 'ln -sfn sub link'
expect_manifest_change "a file turned into a symlink" 'rm sub/other && ln -s ../file sub/other'
expect_manifest_change "a directory mode" 'chmod 0755 sub'
if [[ $(setfattr -n user.probe -v 1 src/file 2>&1) == "" ]]; then
  setfattr -x user.probe src/file
  expect_manifest_change "an added xattr" 'setfattr -n user.test -v one file'
  setfattr -n user.test -v one src/file
  manifest_of src base
  assert_file_has_content m.base '^file	f 0644 .* \{user\.test=0x6f6e65\}$'
  expect_manifest_change "a changed xattr value" 'setfattr -n user.test -v two file'
  expect_manifest_change "a removed xattr" 'setfattr -x user.test file'
  expect_manifest_change "an xattr on a directory" 'setfattr -n user.d -v 1 sub'
else
  _test_say "note: no user.* xattrs on this filesystem; xattr cases not run"
fi
if ((EUID == 0)); then
  expect_manifest_change "an owner change" 'chown 1234:5678 file'
  expect_manifest_change "a symlink owner change" 'chown -h 1234 link'
fi
# Things OSTree does not keep do not count.
expect_unchanged() {
  rm -rf mut
  cp -a src mut
  (cd mut && eval "$2")
  manifest_of mut mut
  assert_eq "$(cat m.mut)" "$(cat m.base)" "manifest after $1"
}
expect_unchanged "touching mtimes" 'touch -d @12345 file sub .'
expect_unchanged "breaking a hardlink into a copy" 'ln file hl && rm hl'

# --- cleanup of a failing test ---------------------------------------------------------------
run_nested 'echo "$TEST_TMP" > '"$TEST_TMP"'/nested.tmp; chmod 0500 "$TEST_TMP"; assert_eq 1 1; false'
assert_eq "$NESTED_RC" 1 "exit status of a test killed by set -e"
assert_file_has_content nested.err 'command failed \(exit 1\) at test-nested.sh:2: false'
assert_file_has_content nested.err 'FAILED \(exit 1\) after 1 checks passed'
[[ ! -e $(cat nested.tmp) ]] || fail "scratch dir $(cat nested.tmp) of a failed test is left behind"
_test_check_passed

run_nested 'assert_eq 1 1; assert_eq 2 2'
assert_eq "$NESTED_RC" 0 "exit status of a passing test"
assert_eq "$(cat nested.out)" "test-nested: 2 checks passed" "final line of a passing test"

run_nested 'skip "nothing to do"; echo not reached'
assert_eq "$NESTED_RC" 77 "exit status of a skipped test"
assert_not_file_has_content nested.out 'not reached|passed'

(unset OT_OSTREE && run_nested 'true' && echo "$NESTED_RC" >nested.rc)
assert_eq "$(cat nested.rc)" 1 "exit status without OT_OSTREE"
assert_file_has_content nested.err 'OT_OSTREE is not set'
(OT_ROFILES=build/rofiles-fuse && run_nested 'true' && echo "$NESTED_RC" >nested.rc)
assert_eq "$(cat nested.rc)" 1 "exit status with a relative OT_ROFILES"
assert_file_has_content nested.err 'OT_ROFILES=build/rofiles-fuse is not an absolute path'

# --- mounts: private namespace, unmount on failure ----------------------------------------------
if ((EUID != 0)) || ! unshare -m --propagation private true 2>/dev/null; then
  _test_say "note: not root; mount namespace cases not run"
else
  # A test in its own namespace: its mount is never visible here, even though
  # it leaves it mounted.
  ns_here=$(readlink /proc/self/ns/mnt)
  # (_OT_PARENT_MNT_NS unset: a fresh namespace, not the one this test runs in)
  _saved_parent_ns=${_OT_PARENT_MNT_NS:-}
  unset _OT_PARENT_MNT_NS
  run_nested 'in_private_mount_ns
    readlink /proc/self/ns/mnt > '"$TEST_TMP"'/nested.ns
    mkdir "$TEST_TMP/m" && mount -t tmpfs none "$TEST_TMP/m"
    echo "$TEST_TMP" > '"$TEST_TMP"'/nested.tmp
    grep -q " $TEST_TMP/m " /proc/self/mountinfo && echo mounted-inside > '"$TEST_TMP"'/nested.seen'
  export _OT_PARENT_MNT_NS=$_saved_parent_ns
  assert_eq "$NESTED_RC" 0 "exit status of a test in a private namespace"
  assert_eq "$(cat nested.seen)" mounted-inside "mount visible inside the namespace"
  [[ $(cat nested.ns) != "$ns_here" ]] || fail "in_private_mount_ns did not enter a new namespace"
  _test_check_passed
  assert_not_file_has_content /proc/self/mountinfo " $(cat nested.tmp)/m "

  # A test that mounts in the current namespace and fails: cleanup unmounts.
  # Done inside a throwaway namespace so nothing can leak from here either.
  cat >"$TEST_TMP/leak-check.sh" <<EOF
set -euo pipefail
bash "$TEST_TMP/test-nested.sh" >"$TEST_TMP/nested.out" 2>"$TEST_TMP/nested.err" || echo \$? >"$TEST_TMP/nested.rc"
grep -c " \$(cat "$TEST_TMP/nested.tmp")/" /proc/self/mountinfo >"$TEST_TMP/nested.left" || true
EOF
  printf '. %q\n%s\n' "$TEST_LIB_DIR/lib.sh" 'echo "$TEST_TMP" > '"$TEST_TMP"'/nested.tmp
    mkdir -p "$TEST_TMP/a" "$TEST_TMP/a b" && mount -t tmpfs none "$TEST_TMP/a"
    mkdir "$TEST_TMP/a/inner" && mount -t tmpfs none "$TEST_TMP/a/inner"
    mount -t tmpfs none "$TEST_TMP/a b"
    fail "on purpose"' >"$TEST_TMP/test-nested.sh"
  unshare -m --propagation private bash "$TEST_TMP/leak-check.sh"
  assert_eq "$(cat nested.rc)" 1 "exit status of a failing test with mounts"
  assert_file_has_content nested.err 'FAIL at test-nested.sh:6: on purpose'
  assert_eq "$(cat nested.left)" 0 "mounts left under the failed test's scratch dir"
fi

# --- failure locations ----------------------------------------------------------------------
# A failure inside a helper names the test's line, not the library's.
run_nested 'assert_eq 1 1
tree_manifest /nonexistent-dir'
assert_file_has_content nested.err 'FAIL at test-nested.sh:3: tree_manifest: /nonexistent-dir is not a directory'
run_nested 'helper() { fail "from a test function"; }
helper'
assert_file_has_content nested.err 'FAIL at test-nested.sh:2: from a test function'
