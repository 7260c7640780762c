#!/usr/bin/env bash
# `ostree summary -u` writes the same bytes as upstream (ref list, per-ref
# timestamps, the metadata dictionary in GLib's order, byte orders), and
# `--view` / `--raw` print any summary exactly as upstream does.
. "$(dirname "$0")/lib.sh"
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

mkdir -p tree/usr/bin && echo hello >tree/usr/bin/hello
"$REF_OSTREE" --repo=repo init --mode=archive
"$REF_OSTREE" --repo=repo commit -b main --tree=dir=tree --timestamp=2021-01-01T00:00:00Z -s one >/dev/null
"$REF_OSTREE" --repo=repo commit -b other/branch --tree=dir=tree --timestamp=2022-03-04T05:06:07Z -s two >/dev/null
"$REF_OSTREE" --repo=repo commit --orphan --tree=dir=tree -s orphan >/dev/null
# Remote refs are not part of the summary.
"$REF_OSTREE" --repo=repo refs --create=someremote:main main

# same_second_summary ARGS...: runs both tools' `summary -u ARGS` within one
# second (the summary records the time) and keeps their files.
same_second_summary() {
  local try t0
  for try in 1 2 3 4 5; do
    t0=$(date +%s)
    "$OT_OSTREE" --repo=repo summary -u "$@" && cp repo/summary ours.summary
    "$REF_OSTREE" --repo=repo summary -u "$@" && cp repo/summary ref.summary
    [[ $(date +%s) == "$t0" ]] && return 0
  done
  fail "could not run both tools within one second"
}

same_second_summary
cmp ours.summary ref.summary || fail "summary without extra metadata differs from upstream's"
_test_check_passed

# Many -m keys make GLib's table grow; order and values must still match.
args=(-m "foo='bar'" -m num=42 -m "arr=['a', 'b']" -m "by=b'xy'" -m t=true -m "u64=@t 5" -m "foo='again'")
for i in $(seq 1 14); do args+=(-m "key$i=<($i, 'v')>"); done
same_second_summary "${args[@]}"
cmp ours.summary ref.summary || fail "summary with additional metadata differs from upstream's"
_test_check_passed

for f in ours.summary ref.summary; do
  cp "$f" repo/summary
  assert_eq "$("$OT_OSTREE" --repo=repo summary --view)" "$("$REF_OSTREE" --repo=repo summary --view)" "--view of $f"
  assert_eq "$("$OT_OSTREE" --repo=repo summary --raw)" "$("$REF_OSTREE" --repo=repo summary --raw)" "--raw of $f"
done
"$OT_OSTREE" --repo=repo summary --view >view.txt
assert_file_has_content view.txt '^\* other/branch$'
assert_not_file_has_content view.txt 'someremote'

# A stale signature goes away with the summary it signed.
echo stale >repo/summary.sig
"$OT_OSTREE" --repo=repo summary -u
[[ ! -e repo/summary.sig ]] || fail "summary.sig survived a summary update"
_test_check_passed

# An empty repository in another mode.
"$OT_OSTREE" --repo=empty init --mode=bare-user
t0=$(date +%s)
"$OT_OSTREE" --repo=empty summary -u && cp empty/summary ours.summary
"$REF_OSTREE" --repo=empty summary -u && cp empty/summary ref.summary
[[ $(date +%s) != "$t0" ]] || { cmp ours.summary ref.summary || fail "empty bare-user summary differs"; }

assert_fails "$OT_OSTREE" --repo=repo summary
assert_one_line_error 'No option specified; use -u to update summary'
assert_fails "$OT_OSTREE" --repo=repo summary -u -m novalue
assert_one_line_error "Missing '=' in KEY=VALUE metadata 'novalue'"
assert_fails "$OT_OSTREE" --repo=empty2 summary --view
rm empty/summary
assert_fails "$OT_OSTREE" --repo=empty summary --view
assert_one_line_error 'summary'
# Garbage is rejected, not printed.
head -c 100 /dev/urandom >repo/summary
assert_fails "$OT_OSTREE" --repo=repo summary --view
assert_one_line_error
