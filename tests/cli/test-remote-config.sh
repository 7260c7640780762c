#!/usr/bin/env bash
# `ostree remote add/delete/list/show-url` write and read the repo config the
# way upstream does: after the same sequence of commands both tools leave
# byte-identical config files, each reads the other's, and remotes defined in
# a sysroot's etc/ostree/remotes.d are seen (never the host's /etc).
. "$(dirname "$0")/lib.sh"
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

# run_both CMD...: runs `ostree --repo=ours CMD` and the reference on its own repo.
run_both() {
  "$OT_OSTREE" --repo=ours "$@"
  "$REF_OSTREE" --repo=ref "$@"
}
"$OT_OSTREE" --repo=ours init --mode=archive
"$REF_OSTREE" --repo=ref init --mode=archive

run_both remote add --no-gpg-verify --set=tls-permissive=true '--set=foo= a\b' --set=bar=x --set=bar=y \
  origin http://example.com/repo main other/branch
run_both remote add second https://example.org/x
run_both remote add --no-sign-verify --contenturl=http://c/ --collection-id=org.example.Os third http://t/
run_both remote add mirrors mirrorlist=http://example.com/list
run_both remote add --if-not-exists second http://ignored/
run_both remote delete second
run_both remote add --force third http://replaced/ b1
run_both remote delete --if-exists never-added
diff ours/config ref/config || fail "configs differ after the same remote commands"
_test_check_passed

for args in "remote list" "remote list -u" "remote show-url origin" "remote show-url third"; do
  # shellcheck disable=SC2086
  assert_eq "$("$OT_OSTREE" --repo=ref $args)" "$("$REF_OSTREE" --repo=ref $args)" "$args"
done
# Each reads the other's additions.
"$REF_OSTREE" --repo=ours remote add from-ref http://r/
"$OT_OSTREE" --repo=ref remote add from-ours http://o/
assert_eq "$("$OT_OSTREE" --repo=ours remote show-url from-ref)" http://r/ "remote added by the reference"
assert_eq "$("$REF_OSTREE" --repo=ref remote show-url from-ours)" http://o/ "remote added by us"

# Errors, one line each, worded as upstream.
assert_fails "$OT_OSTREE" --repo=ours remote add origin http://dup/
assert_one_line_error 'Remote configuration for "origin" already exists: \(in config\)'
assert_fails "$OT_OSTREE" --repo=ours remote delete nope
assert_one_line_error 'Remote "nope" not found'
assert_fails "$OT_OSTREE" --repo=ours remote show-url nope
assert_one_line_error 'Remote "nope" not found'
assert_fails "$OT_OSTREE" --repo=ours remote add 'bad name' http://x/
assert_one_line_error 'Invalid remote name bad name'
assert_fails "$OT_OSTREE" --repo=ours remote add onlyname
assert_file_has_content err '^error: NAME and URL must be specified'
cp ours/config config.before
assert_fails "$OT_OSTREE" --repo=ours remote add --if-not-exists --force x http://x/
diff config.before ours/config || fail "a refused command changed the config"
_test_check_passed

# A sysroot: remotes.d files are read, deleting such a remote removes its file,
# and new remotes of a (not booted) sysroot go to its repo config.
mkdir sysroot
"$REF_OSTREE" admin init-fs sysroot 2>/dev/null
mkdir -p sysroot/etc/ostree/remotes.d
printf '[remote "fromd"]\nurl=http://d/e\ngpg-verify=false\n' >sysroot/etc/ostree/remotes.d/fromd.conf
assert_fails "$OT_OSTREE" remote add --sysroot=sysroot fromd http://x/
assert_one_line_error "Remote configuration for \"fromd\" already exists: .*sysroot/etc/ostree/remotes.d/fromd.conf"
"$OT_OSTREE" remote add --sysroot=sysroot --no-gpg-verify sx http://a/b
assert_file_has_content sysroot/ostree/repo/config '^\[remote "sx"\]$'
[[ ! -e sysroot/etc/ostree/remotes.d/sx.conf ]] || fail "physical sysroot got a remotes.d file"
"$OT_OSTREE" remote delete --sysroot=sysroot fromd
[[ ! -e sysroot/etc/ostree/remotes.d/fromd.conf ]] || fail "remotes.d file of a deleted remote is still there"
_test_check_passed
# The reference agrees on the same layout.
printf '[remote "fromd"]\nurl=http://d/e\n' >sysroot/etc/ostree/remotes.d/fromd.conf
assert_fails "$REF_OSTREE" remote add --sysroot=sysroot fromd http://x/
assert_one_line_error "already exists: .*remotes.d/fromd.conf"
