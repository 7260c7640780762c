# Sourced by every tests/cli/test-*.sh:  . "$(dirname "$0")/lib.sh"
#
# Gives the test strict mode, a private scratch directory (cwd, $TEST_TMP)
# removed on exit with anything still mounted under it, the binaries under
# test by explicit path, and assertion helpers that count checks. A test that
# ends normally prints "test-foo: N checks passed"; exit 77 means skipped.
#
# Environment (set by tests/CMakeLists.txt for each ctest):
#   OT_OSTREE, OT_ROFILES    our binaries (absolute paths)
#   REF_OSTREE, REF_ROFILES  the reference: Debian's ostree 2022.7
#   OT_SRC, OT_BUILD         source and build directories (optional)
#   OT_KEEP_TMP=1            keep $TEST_TMP after the test, for debugging
set -euo pipefail
set -E # the ERR trap fires inside functions and subshells too

TEST_NAME=$(basename "${BASH_SOURCE[-1]}" .sh)
TEST_SCRIPT=$(readlink -f "${BASH_SOURCE[-1]}")
TEST_LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
: "${OT_SRC:=$(dirname "$(dirname "$TEST_LIB_DIR")")}"
export OT_SRC
TEST_CHECKS=0
_test_main_pid=$BASHPID

_test_say() { echo "$TEST_NAME: $*" >&2; }

# fail MSG: the test fails here, naming the caller's line.
fail() {
  # Called from a helper of this library: name the test line that called it.
  local i=1
  while ((i < ${#BASH_SOURCE[@]} - 1)) && [[ ${BASH_SOURCE[i]} == "${BASH_SOURCE[0]}" ]]; do
    i=$((i + 1))
  done
  _test_say "FAIL at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}: $*"
  exit 1
}

# skip WHY: the test cannot run here (missing privilege or tool); ctest reports
# it as skipped, not passed.
skip() {
  _test_say "skipped: $*"
  exit 77
}

_test_check_passed() { TEST_CHECKS=$((TEST_CHECKS + 1)); }

for _v in OT_OSTREE OT_ROFILES REF_OSTREE REF_ROFILES; do
  if [[ -z ${!_v:-} ]]; then
    _test_say "FAIL: \$$_v is not set. Run through ctest (it sets OT_OSTREE, OT_ROFILES, REF_OSTREE, REF_ROFILES), or export them as absolute paths."
    exit 1
  fi
  if [[ ${!_v} != /* ]]; then
    _test_say "FAIL: \$$_v=${!_v} is not an absolute path; binaries are named by absolute path, never looked up in PATH."
    exit 1
  fi
done
unset _v

# --- scratch directory and cleanup ----------------------------------------------

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ot-$TEST_NAME.XXXXXX")
export TEST_TMP

# Unmounts everything at or below $TEST_TMP, deepest first: a failed test must
# not leave a FUSE or overlay mount behind.
_test_unmount_all() {
  local mounts m
  mounts=$(awk -v top="$TEST_TMP" '$5 == top || index($5, top "/") == 1 { print $5 }' \
    /proc/self/mountinfo 2>/dev/null | sort -r) || true
  for m in $mounts; do
    m=$(printf '%b' "${m//\\/\\0}") # mountinfo escapes space, tab, newline as \ooo
    fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
      _test_say "warning: could not unmount $m"
  done
}

_test_on_exit() {
  local rc=$?
  trap - EXIT ERR
  [[ $BASHPID == "$_test_main_pid" ]] || exit "$rc"
  # Background jobs the test started (daemons it did not stop).
  local jobs_left
  jobs_left=$(jobs -p) || true
  [[ -z $jobs_left ]] || kill $jobs_left 2>/dev/null || true
  cd /
  _test_unmount_all
  if [[ ${OT_KEEP_TMP:-0} == 1 ]]; then
    _test_say "kept $TEST_TMP"
  else
    # Checkouts contain read-only directories and immutable-looking modes;
    # deployment directories carry the immutable attribute (chattr +i).
    find "$TEST_TMP" -path '*/ostree/deploy/*/deploy/*' -prune -type d -exec chattr -i {} + 2>/dev/null || true
    chmod -R u+rwx "$TEST_TMP" 2>/dev/null || true
    rm -rf "$TEST_TMP" || _test_say "warning: could not remove $TEST_TMP"
  fi
  if ((rc == 0)); then
    echo "$TEST_NAME: $TEST_CHECKS checks passed"
  elif ((rc != 77)); then
    _test_say "FAILED (exit $rc) after $TEST_CHECKS checks passed"
  fi
  exit "$rc"
}
trap _test_on_exit EXIT
# set -e kills the test on an unchecked failing command: say which.
trap '_test_say "command failed (exit $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR
cd "$TEST_TMP"

# --- environment requirements ------------------------------------------------------

# require_root: skips unless running as root.
require_root() {
  ((EUID == 0)) || skip "needs root"
}

# require_cmd CMD...: skips unless every CMD is installed.
require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || skip "needs $c (scripts/install-deps.sh)"
  done
}

# in_private_mount_ns "$@": call first thing in a test that mounts. Re-executes
# the test in a new mount namespace with private propagation, so every mount
# it makes disappears with it even if cleanup never runs. Skips if namespaces
# are not available (needs root).
in_private_mount_ns() {
  local here
  here=$(readlink /proc/self/ns/mnt)
  if [[ -n ${_OT_PARENT_MNT_NS:-} && $_OT_PARENT_MNT_NS != "$here" ]]; then
    return 0 # already inside
  fi
  unshare -m --propagation private true 2>/dev/null ||
    skip "cannot create a mount namespace (unshare -m needs root)"
  # The re-executed test makes its own $TEST_TMP; this one must not outlive us.
  trap - EXIT ERR
  cd /
  rm -rf "$TEST_TMP"
  exec env _OT_PARENT_MNT_NS="$here" unshare -m --propagation private -- bash "$TEST_SCRIPT" "$@"
}

# --- assertions ----------------------------------------------------------------------

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
  local what=${3:-value}
  if [[ $1 != "$2" ]]; then
    fail "$what: expected '$2', got '$1'"
  fi
  _test_check_passed
}

# assert_file_has_content FILE REGEX: some line of FILE matches the extended REGEX.
assert_file_has_content() {
  [[ -f $1 ]] || fail "$1: no such file"
  if ! grep -E -q -e "$2" -- "$1"; then
    _test_say "--- $1 (first 20 lines) ---"
    head -n 20 -- "$1" >&2
    fail "$1 does not match /$2/"
  fi
  _test_check_passed
}

# assert_not_file_has_content FILE REGEX: no line of FILE matches REGEX.
assert_not_file_has_content() {
  [[ -f $1 ]] || fail "$1: no such file"
  if grep -E -q -e "$2" -- "$1"; then
    _test_say "--- matching lines of $1 ---"
    grep -E -e "$2" -- "$1" | head -n 20 >&2
    fail "$1 matches /$2/"
  fi
  _test_check_passed
}

# assert_fails CMD...: CMD must exit non-zero, as a handled error, not a
# crash: a signal (exit >= 128) or "command not found" (127) fail the test.
# Its stdout goes to $TEST_TMP/out, its stderr to $TEST_TMP/err, its exit
# status to $LAST_RC.
assert_fails() {
  LAST_RC=0
  "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || LAST_RC=$?
  if ((LAST_RC == 0)); then
    fail "expected failure, but it succeeded: $*"
  elif ((LAST_RC >= 128)); then
    head -n 20 "$TEST_TMP/err" >&2
    fail "crashed (exit $LAST_RC, signal $((LAST_RC - 128))) instead of failing cleanly: $*"
  elif ((LAST_RC == 127)); then
    fail "command not found (exit 127): $*"
  fi
  _test_check_passed
}

# assert_one_line_error [REGEX]: the stderr of the last assert_fails is exactly
# one line, starting with "error: " (and matching REGEX if given), the way
# ostree's CLI reports a failure.
assert_one_line_error() {
  local err="$TEST_TMP/err" lines
  [[ -f $err ]] || fail "assert_one_line_error without a preceding assert_fails"
  lines=$(wc -l <"$err")
  # A message without a final newline is still one line.
  [[ -s $err && $(tail -c 1 "$err" | od -An -c | tr -d ' ') != '\n' ]] && lines=$((lines + 1))
  if ((lines != 1)) || ! head -n 1 "$err" | grep -q '^error: '; then
    _test_say "--- stderr ---"
    cat "$err" >&2
    fail "expected exactly one line of stderr starting with 'error: ', got $lines line(s)"
  fi
  if (($# > 0)) && ! grep -E -q -e "$1" "$err"; then
    fail "error message '$(cat "$err")' does not match /$1/"
  fi
  _test_check_passed
}

# --- tree comparison -------------------------------------------------------------------

# tree_manifest DIR: prints one line per entry of DIR (itself included, as "."),
# sorted by path, describing what OSTree preserves:
#   PATH <TAB> TYPE MODE UID:GID SIZE CONTENT XATTRS
# TYPE is find's letter (f d l ...), MODE 4 octal digits, SIZE and CONTENT
# (sha256:HEX for files, ->TARGET for symlinks) are "-" where they do not
# apply, XATTRS is "{}" or "{name=0xHEX,...}" sorted by name, as getfattr -e hex
# shows them. Paths and targets use getfattr's quoting (\ooo for a backslash
# and any byte outside printable ASCII), so names with newlines stay on one
# line. Mtimes, inode numbers, link counts and directory sizes are left out:
# they differ between two faithful checkouts.
tree_manifest() {
  local dir=$1 work
  [[ -d $dir ]] || fail "tree_manifest: $dir is not a directory"
  command -v getfattr >/dev/null || fail "tree_manifest needs getfattr (package attr)"
  work=$(mktemp -d "$TEST_TMP/.manifest.XXXXXX")
  # Any unreadable entry fails the test: a manifest with holes compares equal
  # to things it should not.
  (
    export LC_ALL=C
    cd "$dir"
    # Metadata and symlink targets, NUL-separated (names may hold anything).
    find . -printf '%P\0%y\0%m\0%U\0%G\0%s\0%l\0' >"$work/meta"
    find . -type f -print0 | xargs -0 -r sha256sum -z -- >"$work/sums"
    { getfattr -h -d -m - --absolute-names -e hex -- .
      find . -mindepth 1 -printf '%P\0' |
        xargs -0 -r getfattr -h -d -m - --absolute-names -e hex --; } >"$work/xattrs"
  ) || fail "tree_manifest: could not read all of $dir"
  LC_ALL=C awk -v work="$work" '
    BEGIN {
      for (i = 1; i < 256; i++) byte[sprintf("%c", i)] = i
      RS = "\0"
      while ((getline line < (work "/sums")) > 0) {
        p = substr(line, 67); sub(/^\.\//, "", p); if (p == ".") p = ""
        sum[q(p)] = "sha256:" substr(line, 1, 64)
      }
      RS = "\n"
      while ((getline line < (work "/xattrs")) > 0) {
        if (line ~ /^# file: /) { cur = substr(line, 9); if (cur == ".") cur = ""; continue }
        if (line == "") continue
        # (mawk creates x[cur] before evaluating a right-hand "cur in x")
        if (cur in x) x[cur] = x[cur] "\n" line; else x[cur] = line
      }
      RS = "\0"
      while ((getline p < (work "/meta")) > 0) {
        getline type < (work "/meta"); getline mode < (work "/meta")
        getline uid < (work "/meta"); getline gid < (work "/meta")
        getline size < (work "/meta"); getline target < (work "/meta")
        k = q(p)
        content = "-"
        if (type == "f") content = sum[k]
        else if (type == "l") content = "->" q(target)
        if (type != "f") size = "-"
        printf "%s\t%s %04o %s:%s %s %s %s\n", (k == "" ? "." : k), type, oct(mode), uid, gid, size, content, xattrs(k)
      }
    }
    # getfattr quoting: backslash and bytes outside printable ASCII as \ooo.
    function q(s,   out, i, c, o) {
      out = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1); o = byte[c]
        if (o < 32 || o > 126 || c == "\\") out = out sprintf("\\%03o", o)
        else out = out c
      }
      return out
    }
    function oct(s,   v, i) { v = 0; for (i = 1; i <= length(s); i++) v = v * 8 + substr(s, i, 1); return v }
    function xattrs(k,   n, a, i, j, t, out) {
      if (!(k in x)) return "{}"
      n = split(x[k], a, "\n")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      out = a[1]; for (i = 2; i <= n; i++) out = out "," a[i]
      return "{" out "}"
    }' | LC_ALL=C sort
  rm -rf "$work"
}

# assert_trees_equal DIR1 DIR2: same tree_manifest; shows the differing lines.
assert_trees_equal() {
  tree_manifest "$1" >"$TEST_TMP/manifest.1"
  tree_manifest "$2" >"$TEST_TMP/manifest.2"
  if ! diff -u "$TEST_TMP/manifest.1" "$TEST_TMP/manifest.2" >"$TEST_TMP/manifest.diff"; then
    _test_say "--- tree differences ($1 vs $2, first 40 lines) ---"
    head -n 40 "$TEST_TMP/manifest.diff" >&2
    fail "trees differ: $1 and $2"
  fi
  _test_check_passed
}
