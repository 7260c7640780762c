#!/usr/bin/env bash
# The `ostree` command-line framework side by side with upstream 2022.7:
# --version layout, usage and help text, errors for unknown commands and
# options (exact lines and exit codes), locale conversion and colour of
# messages, and --repo handling for every command both implementations have.
. "$(dirname "$0")/lib.sh"

OT=$OT_OSTREE
REF=$REF_OSTREE
[[ -x $REF ]] || skip "reference ostree not installed at $REF"
[[ -x $OT ]] || fail "$OT not built"

# The usage line names the program as invoked; make both say PRG.
normalize() { sed -e "s|$OT|PRG|g" -e "s|$REF|PRG|g"; }

# run NAME BIN ARGS...: NAME.out, NAME.err (normalized) and NAME.rc.
run() {
  local name=$1 bin=$2 rc=0
  shift 2
  "$bin" "$@" >"$name.out.raw" 2>"$name.err.raw" || rc=$?
  normalize <"$name.out.raw" >"$name.out"
  normalize <"$name.err.raw" >"$name.err"
  echo "$rc" >"$name.rc"
}

# both ARGS...: runs ours and upstream's with the same arguments.
both() {
  run ours "$OT" "$@"
  run ref "$REF" "$@"
}

assert_same_file() {
  if ! cmp -s "$1" "$2"; then
    diff -u "$2" "$1" >&2 || true
    fail "${3:-$1 differs from $2}"
  fi
  _test_check_passed
}

# Same exit status and same final stderr line (the "error: ..." line).
assert_same_outcome() {
  assert_eq "$(cat ours.rc)" "$(cat ref.rc)" "exit status of: $*"
  assert_eq "$(tail -n 1 ours.err)" "$(tail -n 1 ref.err)" "last stderr line of: $*"
}

# Help and usage compare section by section: the text around the command
# list must be identical; a command upstream has is listed with upstream's
# line and in upstream's order; our own extensions (commands upstream lacks)
# come after all of those.
assert_usage_matches() {
  local ours_text=$1 ref_text=$2 what=$3
  # Header: usage line and the blank line after it.
  assert_eq "$(sed -n 1,3p "$ours_text")" "$(sed -n 1,3p "$ref_text")" "$what: usage header"
  sed -n '/^Builtin Commands:$/,/^$/p' "$ours_text" | sed '1d;$d' >ours.list
  sed -n '/^Builtin Commands:$/,/^$/p' "$ref_text" | sed '1d;$d' >ref.list
  assert_file_has_content "$ours_text" '^Builtin Commands:$'
  local line name extension_seen=0
  : >ours.known
  while IFS= read -r line; do
    name=$(awk '{print $1}' <<<"$line")
    if awk '{print $1}' ref.list | grep -Fxq -- "$name"; then
      grep -Fxq -- "$line" ref.list || fail "$what: '$line' differs from upstream's line for $name"
      ((extension_seen == 0)) || fail "$what: $name is listed after a command upstream lacks"
      echo "$line" >>ours.known
    else
      extension_seen=1
    fi
  done <ours.list
  # Order: the known lines are upstream's list with the missing lines removed.
  grep -Fx -f ours.known ref.list >ref.filtered || true
  assert_same_file ours.known ref.filtered "$what: command order"
  sed -n '/^Help Options:$/,$p' "$ours_text" >ours.tail
  sed -n '/^Help Options:$/,$p' "$ref_text" >ref.tail
  assert_same_file ours.tail ref.tail "$what: options section"
}

# --- --version ------------------------------------------------------------------------
for args in "--version" "-v --version" "--version xyz" "--version --verbose"; do
  # shellcheck disable=SC2086
  both $args
  assert_eq "$(cat ours.rc)" 0 "exit status of $args"
  assert_eq "$(cat ours.err)" "" "stderr of $args"
  assert_eq "$(sed -n 1,3p ours.out)" "$(sed -n 1,3p ref.out)" "version header of $args"
  # The rest is the feature list, one "  - name" per line.
  if sed 1,3d ours.out | grep -Evq '^  - [a-z0-9][a-z0-9-]*$'; then
    fail "feature list of $args is not '  - name' lines: $(cat ours.out)"
  fi
  _test_check_passed
done
# Each feature is named once.
assert_eq "$(sed 1,3d ours.out | sort | uniq -d)" "" "duplicate features"

# --- usage on error, help on request ------------------------------------------------------
both
assert_same_outcome "(no arguments)"
assert_eq "$(cat ours.out)" "" "stdout with no arguments"
assert_eq "$(tail -n 1 ours.err)" "error: No command specified" "no-command message"
assert_usage_matches ours.err ref.err "usage without a command"

for args in "--help" "-h" "-?" "--help-all" "-vh" "xyz --help" "--help --nope" "-v -h xyz"; do
  # shellcheck disable=SC2086
  both $args
  assert_eq "$(cat ours.rc)" 0 "exit status of $args"
  assert_eq "$(cat ours.err)" "" "stderr of $args"
  assert_usage_matches ours.out ref.out "$args"
done
# Usage printed for an error is --help's text on stderr.
both
head -n -1 ours.err >usage.err
run help "$OT" --help
assert_same_file help.out usage.err "usage on error vs --help"

# --- errors: exact last line and exit status ----------------------------------------------
# Each case: arguments, separated by ' '. Empty-string command tested below.
while IFS= read -r args; do
  # shellcheck disable=SC2086
  both $args
  assert_same_outcome "$args"
  # Errors that come with usage carry the same usage text.
  if [[ $(wc -l <ref.err) -gt 1 ]] && grep -q '^Builtin Commands:$' ref.err; then
    head -n -1 ours.err >ours.usage
    head -n -1 ref.err >ref.usage
    assert_usage_matches ours.usage ref.usage "$args"
  fi
done <<'EOF'
xyz
xyz --foo
--foo
-x
-vx
-xv
--verbose=1
--repo=/tmp
--repo /tmp
--repo
--rep=x
--help-foo
-- xyz
-- -v
-v -- xyz
EOF
both ""
assert_same_outcome "(empty command name)"

# Non-UTF-8 locales: usage shows '?' for '…', bad bytes are escaped.
if LC_ALL=C locale >/dev/null 2>&1; then
  LC_ALL=C both
  assert_same_file <(sed -n 1,2p ours.err) <(sed -n 1,2p ref.err) "usage line in the C locale"
  LC_ALL=C both $'\xff'
  assert_same_outcome "(invalid UTF-8 command, C locale)"
  LC_ALL=C both $'caf\xc3\xa9'
  assert_same_outcome "(UTF-8 command, C locale)"
fi
both $'\xff'
assert_same_outcome "(invalid UTF-8 command, UTF-8 locale)"

# "error:" is bold red when stdout is a terminal (not stderr).
if command -v script >/dev/null 2>&1; then
  script -qec "$OT xyz 2>ours.tty.err" /dev/null >/dev/null || true
  script -qec "$REF xyz 2>ref.tty.err" /dev/null >/dev/null || true
  assert_same_file <(tail -n 1 ours.tty.err) <(tail -n 1 ref.tty.err) "coloured error line"
  assert_file_has_content ours.tty.err $'^\e\\[31m\e\\[1merror:'
fi

# --- every command both implementations have -------------------------------------------------
# Commands listed by both --help outputs; each is checked against upstream in
# a directory that is no repository, with no repository in the environment.
"$OT" --help | sed -n '/^Builtin Commands:$/,/^$/p' | sed '1d;$d' | awk '{print $1}' >ours.commands
"$REF" --help | sed -n '/^Builtin Commands:$/,/^$/p' | sed '1d;$d' | awk '{print $1}' >ref.commands
grep -Fx -f ref.commands ours.commands >commands || true
mkdir -p empty norepo-env
# A regular file: opening it as a repository fails, and nothing can create one there.
touch not-a-repo
checked=0
while IFS= read -r cmd; do
  [[ -n $cmd ]] || continue
  cd "$TEST_TMP/empty"
  # No repository in the current directory or the environment.
  export OSTREE_REPO="$TEST_TMP/norepo-env" OSTREE_SYSROOT="$TEST_TMP/norepo-env"
  both "$cmd" --help
  assert_eq "$(cat ours.rc)" "$(cat ref.rc)" "exit status of $cmd --help"
  # Usage line and the command's description.
  assert_eq "$(sed -n 1,5p ours.out)" "$(sed -n 1,5p ref.out)" "$cmd --help header"
  both "$cmd"
  if [[ $(tail -n 1 ref.err) == "error: Command requires a --repo argument" ]]; then
    assert_same_outcome "$cmd (no repository)"
    assert_eq "$(sed -n 1,5p ours.err)" "$(sed -n 1,5p ref.err)" "$cmd: usage before the missing-repository error"
    # --repo before and after the command, joined or separate; relative
    # paths appear absolute in messages.
    for form in "--repo=../not-a-repo $cmd" "$cmd --repo=../not-a-repo" \
      "$cmd --repo ../not-a-repo"; do
      # shellcheck disable=SC2086
      both $form
      assert_eq "$(cat ours.rc)" "$(cat ref.rc)" "exit status of: $form"
      # The option reached the command with the path made absolute; the
      # opener's exact wording is for the repository's own tests.
      assert_file_has_content ours.err "^error: .*$TEST_TMP/not-a-repo"
    done
  fi
  unset OSTREE_REPO OSTREE_SYSROOT
  cd "$TEST_TMP"
  checked=$((checked + 1))
done <commands
echo "$TEST_NAME: compared $checked registered command(s) with upstream" >&2
