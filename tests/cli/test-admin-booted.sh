#!/usr/bin/env bash
# `ostree admin` on a system booted from the sysroot: the booted deployment
# is marked and is the merge deployment; a new one is pending, the old one
# the rollback; --print-current-dir; rollback; and staging: `deploy --stage`
# checks out now, `finalize-staged` (at shutdown) merges the /etc of that
# moment and makes it the default. Upstream's status run in the same booted
# system agrees with ours, and upstream finalizes what we staged.
. "$(dirname "$0")/lib.sh"
require_root
in_private_mount_ns "$@"
. "$TEST_LIB_DIR/lib-booted.sh"

make_bootable_tree tree1 6.1.0-one 1
"$REF_OSTREE" --repo=repo init --mode=archive
"$REF_OSTREE" --repo=repo commit -b os/main --tree=dir=tree1 -s v1 --add-metadata-string=version=1 --timestamp=2024-01-01 >/dev/null
mkdir sysroot
"$OT_OSTREE" admin init-fs sysroot
"$OT_OSTREE" admin os-init --sysroot=sysroot booted >/dev/null
"$REF_OSTREE" --repo=sysroot/ostree/repo remote add --no-gpg-verify origin file://$TEST_TMP/repo
"$REF_OSTREE" --repo=sysroot/ostree/repo pull-local --remote=origin repo os/main >/dev/null
"$OT_OSTREE" admin deploy --sysroot=sysroot --os=booted origin:os/main --karg=root=/dev/vda1 >/dev/null
d1=$(cd sysroot && echo ostree/deploy/booted/deploy/*.0)
c1=$(basename "$d1" .0)

# Booted into the first deployment: marked with '*', no --os needed.
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin status >status.txt
assert_eq "$(head -n 1 status.txt)" "* booted $c1.0" "booted deployment line"
run_booted sysroot "$d1" /usr/bin/ostree admin status >status-ref.txt
assert_eq "$(cat status.txt)" "$(cat status-ref.txt)" "upstream's status of the booted system"
assert_eq "$(run_booted sysroot "$d1" "$BOOTED_OSTREE" admin --print-current-dir)" "/$d1" "--print-current-dir"
assert_eq "$("$OT_OSTREE" admin --sysroot=sysroot --print-current-dir)" \
  "$("$REF_OSTREE" admin --sysroot=sysroot --print-current-dir)" "--print-current-dir, not booted"

# A local change in the running /etc; the next deployment carries it and
# needs no --os: the booted deployment is the merge deployment.
echo "local change" >"sysroot/$d1/etc/motd"
make_bootable_tree tree2 6.1.0-two 2
"$REF_OSTREE" --repo=repo commit -b os/main --tree=dir=tree2 -s v2 --add-metadata-string=version=2 --timestamp=2024-01-02 >/dev/null
"$REF_OSTREE" --repo=sysroot/ostree/repo pull-local --remote=origin repo os/main >/dev/null
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin deploy origin:os/main >deploy.txt
assert_file_has_content deploy.txt "Copying /etc changes: 1 modified, 0 removed, 0 added"
d2=$(cd sysroot && ls -d ostree/deploy/booted/deploy/*.0 | grep -v "$c1")
c2=$(basename "$d2" .0)
assert_eq "$(cat "sysroot/$d2/etc/motd")" "local change" "merged /etc of the new deployment"
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin status >status.txt
assert_eq "$(grep '^[* ] booted' status.txt)" "  booted $c2.0 (pending)
* booted $c1.0" "pending and booted markers"
run_booted sysroot "$d1" /usr/bin/ostree admin status >status-ref.txt
assert_eq "$(cat status.txt)" "$(cat status-ref.txt)" "upstream's status with a pending deployment"

# rollback while something newer is pending: the booted one is default again.
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin rollback >/dev/null
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin status >status.txt
assert_eq "$(grep '^[* ] booted' status.txt)" "* booted $c1.0
  booted $c2.0 (rollback)" "rollback makes the booted deployment the default"
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin undeploy 1 >/dev/null
assert_fails run_booted sysroot "$d1" "$BOOTED_OSTREE" admin undeploy 0
assert_one_line_error "Cannot undeploy currently booted deployment 0"

# Staging: nothing changes in /boot until finalization.
loader_before=$(readlink sysroot/boot/loader)
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin deploy --stage origin:os/main >/dev/null
assert_eq "$(readlink sysroot/boot/loader)" "$loader_before" "boot loader untouched by staging"
[[ -f $BOOTED_RUN/ostree/staged-deployment ]] || fail "no /run/ostree/staged-deployment"
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin status >status.txt
staged=$(head -n 1 status.txt)
[[ $staged == "  booted $c2."*" (staged)" ]] || fail "staged deployment not listed first: $staged"
run_booted sysroot "$d1" /usr/bin/ostree admin status >status-ref.txt
assert_eq "$(cat status.txt)" "$(cat status-ref.txt)" "upstream's status with a staged deployment"
# Changed after staging, before shutdown: must still carry over.
echo "changed after staging" >"sysroot/$d1/etc/motd"
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin finalize-staged >/dev/null
[[ ! -e $BOOTED_RUN/ostree/staged-deployment ]] || fail "staged state left behind"
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin status >status.txt
new_default=$(sed -n 1p status.txt)
[[ $new_default == "  booted $c2."*" (pending)" ]] || fail "finalized deployment is not the pending default: $new_default"
staged_dir=$(cd sysroot && ls -d ostree/deploy/booted/deploy/$c2.* | grep -v origin | head -n 1)
assert_eq "$(cat "sysroot/$staged_dir/etc/motd")" "changed after staging" "/etc merged at finalization"
assert_eq "$(lsattr -d "sysroot/$staged_dir" | cut -c5)" "i" "finalized deployment is sealed"
"$REF_OSTREE" admin status --sysroot=sysroot >/dev/null

# Upstream finalizes what we staged.
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin undeploy 0 >/dev/null
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin deploy --stage origin:os/main >/dev/null
run_booted sysroot "$d1" /usr/bin/ostree admin finalize-staged >/dev/null
run_booted sysroot "$d1" "$BOOTED_OSTREE" admin status >status.txt
[[ $(sed -n 1p status.txt) == "  booted $c2."*" (pending)" ]] || fail "upstream did not finalize our staged deployment: $(cat status.txt)"
run_booted sysroot "$d1" /usr/bin/ostree admin status >status-ref.txt
assert_eq "$(cat status.txt)" "$(cat status-ref.txt)" "status after upstream's finalization"
