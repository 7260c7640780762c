#!/usr/bin/env bash
# `ostree admin` given something wrong: one line "error: ..." naming the
# problem (a usage error: upstream's usage text, then that line), a non-zero
# exit, and the sysroot exactly as it was (every path, type, mode, owner,
# xattr, link target and file content, repository objects included,
# compared before and after). Where upstream 2022.7 accepts bad input (an
# index "abc" undeploys deployment 0, os-init ../escape escapes the
# sysroot), we refuse it.
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
make_os_tree noosrelease 6.1.0-a 1
rm noosrelease/usr/lib/os-release
"$OT_OSTREE" --repo=src commit -b os/noosrelease --tree=dir=noosrelease -s noosrelease >/dev/null
make_os_tree noname 6.1.0-a 1
printf 'NAME=Nameless\n' >noname/usr/lib/os-release
"$OT_OSTREE" --repo=src commit -b os/noname --tree=dir=noname -s noname >/dev/null

s=sysroot
new_sysroot "$OT_OSTREE" $s testos
"$OT_OSTREE" --repo=$s/ostree/repo pull-local src os/good os/nokernel os/bothetc os/noosrelease os/noname >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/good >/dev/null

# rejected REGEX CMD...: fails with one error line matching REGEX, and the
# sysroot is unchanged.
rejected() {
  local regex=$1
  shift
  sysroot_full_manifest $s >before.manifest
  assert_fails "$@"
  assert_one_line_error "$regex"
  sysroot_full_manifest $s >after.manifest
  diff -u before.manifest after.manifest >&2 || fail "sysroot changed by: $*"
  _test_check_passed
}

# usage_rejected REGEX CMD...: a missing argument gets the usage text, as
# upstream's does, ending in the one "error: ..." line; nothing changes.
usage_rejected() {
  local regex=$1
  shift
  sysroot_full_manifest $s >before.manifest
  assert_fails "$@"
  assert_file_has_content "$TEST_TMP/err" "^Usage:"
  tail -n 1 "$TEST_TMP/err" | grep -Eq "^error: .*($regex)" || fail "last line of stderr: $(tail -n 1 "$TEST_TMP/err")"
  sysroot_full_manifest $s >after.manifest
  diff -u before.manifest after.manifest >&2 || fail "sysroot changed by: $*"
  _test_check_passed
}

rejected "Refspec 'os/nosuch' not found" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/nosuch
rejected "Failed to find kernel" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/nokernel
rejected "os-release" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/noosrelease
rejected "No PRETTY_NAME or ID in /etc/os-release" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/noname
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
"$OT_OSTREE" admin os-init --sysroot=$s other >/dev/null
rejected "not an OSTree sysroot" "$OT_OSTREE" admin status --sysroot=src
rejected "not an OSTree sysroot" "$OT_OSTREE" admin deploy --sysroot=src --os=testos os/good
rejected "Invalid refspec|not found" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos '../../x'

rejected "Invalid index: abc" "$OT_OSTREE" admin pin --sysroot=$s abc
rejected "Invalid index: abc" "$OT_OSTREE" admin set-default --sysroot=$s abc
rejected "Invalid index: 1x" "$OT_OSTREE" admin undeploy --sysroot=$s 1x
rejected "Unknown option -1" "$OT_OSTREE" admin pin --sysroot=$s -1
usage_rejected "INDEX must be specified" "$OT_OSTREE" admin undeploy --sysroot=$s
usage_rejected "REFSPEC must be specified" "$OT_OSTREE" admin switch --sysroot=$s --os=testos
rejected "No previous deployment for OS 'other'" "$OT_OSTREE" admin upgrade --sysroot=$s --os=other
rejected "Old and new refs are equal: os/good" "$OT_OSTREE" admin switch --sysroot=$s --os=testos os/good
rejected "Refspec 'os/nosuch' not found" "$OT_OSTREE" admin switch --sysroot=$s --os=testos os/nosuch
rejected "nosuchdir" "$OT_OSTREE" admin status --sysroot=nosuchdir
rejected "nosuch" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/good --origin-file=nosuch.origin

# A corrupt .origin is named; nothing is written.
origin=$(echo $s/ostree/deploy/testos/deploy/*.origin)
cp "$origin" origin.saved
chattr -i "${origin%.origin}"
printf '\x00\x01garbage[[\n=\n' >"$origin"
rejected "$(basename "$origin")" "$OT_OSTREE" admin status --sysroot=$s
rejected "$(basename "$origin")" "$OT_OSTREE" admin upgrade --sysroot=$s --os=testos
cp origin.saved "$origin"
"$OT_OSTREE" admin status --sysroot=$s >/dev/null

# No free space: a sysroot on a small tmpfs, filled up after the pull. The
# deploy fails before it writes anything, half way (room for the checkout's
# hardlinks but not for the copy of a big /etc file), and out of inodes in
# the middle of the checkout; each time nothing is left behind, and with
# room again the same deploys succeed.
mkdir small
mount -t tmpfs -o size=16m tmpfs small
s=small/sysroot
make_os_tree t2 6.1.0-b 2
make_os_tree t3 6.1.0-c 3
head -c 3M /dev/urandom >t3/usr/etc/big
mkdir -p t3/usr/share/doc/{a,b,c,d,e,f,g,h}/{1,2,3,4,5,6,7,8}
"$OT_OSTREE" --repo=src commit -b os/next --tree=dir=t2 -s next >/dev/null
"$OT_OSTREE" --repo=src commit -b os/big --tree=dir=t3 -s big >/dev/null
new_sysroot "$OT_OSTREE" $s testos
"$OT_OSTREE" --repo=$s/ostree/repo pull-local src os/good os/next os/big >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/good >/dev/null
# fill KIB: leaves about KIB KiB free on the tmpfs.
fill() {
  rm -f small/filler
  fallocate -l "$(($(stat -f -c '%a*%S' small) - $1 * 1024))" small/filler
}
fill 0
rejected "No space left on device" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/next
fill 1024
rejected "No space left on device" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/big
rm small/filler
used=$(df --output=iused small | tail -n 1)
mount -o remount,nr_inodes=$((used + 30)) small
rejected "No space left on device" "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/big
mount -o remount,nr_inodes=100000 small
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/next >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/big >/dev/null
assert_eq "$("$OT_OSTREE" admin status --sysroot=$s | grep -c '^  testos ')" 2 "the deploys succeed once there is room"
assert_eq "$("$REF_OSTREE" admin status --sysroot=$s)" "$("$OT_OSTREE" admin status --sysroot=$s)" "upstream's status after the full disk"
"$REF_OSTREE" --repo=$s/ostree/repo fsck >/dev/null
_test_check_passed
remove_sysroot $s
umount small
