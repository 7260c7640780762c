#!/usr/bin/env bash
# `ostree admin` given something wrong: one line "error: ..." naming the
# problem, a non-zero exit, and the sysroot exactly as it was (every path,
# mode, link target and boot file compared before and after).
. "$(dirname "$0")/lib.sh"
. "$TEST_LIB_DIR/lib-admin.sh"
require_root
in_private_mount_ns "$@"

make_os_tree t1 6.1.0-a 1
mkdir -p nokernel/usr/etc && echo x >nokernel/usr/etc/x
mkdir -p bothetc/usr/etc bothetc/etc bothetc/usr/lib/modules/6.1.0-a
echo a >bothetc/etc/a && echo b >bothetc/usr/etc/b && echo k >bothetc/usr/lib/modules/6.1.0-a/vmlinuz
"$OT_OSTREE" --repo=src init --mode=archive
"$OT_OSTREE" --repo=src commit -b os/good --tree=dir=t1 -s good >/dev/null
"$OT_OSTREE" --repo=src commit -b os/nokernel --tree=dir=nokernel -s nokernel >/dev/null
"$OT_OSTREE" --repo=src commit -b os/bothetc --tree=dir=bothetc -s bothetc >/dev/null

s=sysroot
new_sysroot "$OT_OSTREE" $s testos
"$OT_OSTREE" --repo=$s/ostree/repo pull-local src os/good os/nokernel os/bothetc >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/good >/dev/null

# rejected REGEX CMD...: fails with one error line matching REGEX, and the
# sysroot is unchanged.
rejected() {
  local regex=$1
  shift
  sysroot_manifest $s >before.manifest
  assert_fails "$@"
  assert_one_line_error "$regex"
  sysroot_manifest $s >after.manifest
  diff -u before.manifest after.manifest >&2 || fail "sysroot changed by: $*"
  _test_check_passed
}

rejected "Refspec 'os/nosuch' not found" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/nosuch
rejected "Failed to find kernel" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/nokernel
rejected "both /etc and /usr/etc" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/bothetc
rejected "nosuch" "$OT_OSTREE" admin deploy --sysroot=$s --os=nosuch os/good
rejected "Not currently booted into an OSTree system and no --os= argument given" \
  "$OT_OSTREE" admin deploy --sysroot=$s os/good
rejected "Out of range deployment index 99, expected < 1" "$OT_OSTREE" admin undeploy --sysroot=$s 99
rejected "Out of range deployment index 99, expected < 1" "$OT_OSTREE" admin pin --sysroot=$s 99
rejected "Out of range deployment index 99, expected < 1" "$OT_OSTREE" admin set-default --sysroot=$s 99
rejected "Invalid index: abc" "$OT_OSTREE" admin undeploy --sysroot=$s abc
rejected "File exists" "$OT_OSTREE" admin os-init --sysroot=$s testos
rejected "Invalid stateroot name" "$OT_OSTREE" admin os-init --sysroot=$s ../escape
rejected "No rollback deployment" "$OT_OSTREE" admin rollback --sysroot=$s
rejected "not an OSTree sysroot" "$OT_OSTREE" admin status --sysroot=src
rejected "not an OSTree sysroot" "$OT_OSTREE" admin deploy --sysroot=src --os=testos os/good
rejected "Invalid refspec|not found" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos '../../x'

# A corrupt .origin is named; nothing is written.
origin=$(echo $s/ostree/deploy/testos/deploy/*.origin)
cp "$origin" origin.saved
chattr -i "${origin%.origin}"
printf '\x00\x01garbage[[\n=\n' >"$origin"
rejected "$(basename "$origin")" "$OT_OSTREE" admin status --sysroot=$s
rejected "$(basename "$origin")" "$OT_OSTREE" admin upgrade --sysroot=$s --os=testos
cp origin.saved "$origin"
"$OT_OSTREE" admin status --sysroot=$s >/dev/null

# No free space: a sysroot on a small tmpfs filled up after the pull.
mkdir small
mount -t tmpfs -o size=8m tmpfs small
s=small/sysroot
make_os_tree t2 6.1.0-b 2
"$OT_OSTREE" --repo=src commit -b os/next --tree=dir=t2 -s next >/dev/null
new_sysroot "$OT_OSTREE" $s testos
"$OT_OSTREE" --repo=$s/ostree/repo pull-local src os/good os/next >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/good >/dev/null
fallocate -l "$(($(stat -f -c '%a*%S' small)))" small/filler 2>/dev/null || head -c 100M /dev/zero >small/filler 2>/dev/null || true
rejected "No space left on device" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/next
rm small/filler
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/next >/dev/null
assert_eq "$("$OT_OSTREE" admin status --sysroot=$s | grep -c '^  testos ')" 2 "the deploy succeeds once there is room"
"$REF_OSTREE" admin status --sysroot=$s >/dev/null
find $s/ostree/deploy -mindepth 3 -maxdepth 3 -type d -exec chattr -i {} +
umount small
