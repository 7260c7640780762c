#!/usr/bin/env bash
# Each tool manages the other's sysroot: upstream's `admin status` reads a
# sysroot we built and lists the same deployments in the same order, and
# the reverse; each deploys and undeploys on top of the other's work and the
# other still agrees; both fsck the sysroot's repository clean.
. "$(dirname "$0")/lib.sh"
. "$TEST_LIB_DIR/lib-admin.sh"

make_os_tree t1 6.1.0-a 1
make_os_tree t2 6.1.0-b 2
"$REF_OSTREE" --repo=src init --mode=archive
"$REF_OSTREE" --repo=src commit -b os/1 --tree=dir=t1 -s 1 --add-metadata-string=version=1 >/dev/null
"$REF_OSTREE" --repo=src commit -b os/2 --tree=dir=t2 -s 2 --add-metadata-string=version=2 >/dev/null
echo 3 >t2/usr/etc/three
"$REF_OSTREE" --repo=src commit -b os/3 --tree=dir=t2 -s 3 --add-metadata-string=version=3 >/dev/null

same_status() { # SYSROOT WHAT
  local ours ref
  ours=$("$OT_OSTREE" admin status --sysroot="$1")
  ref=$("$REF_OSTREE" admin status --sysroot="$1")
  assert_eq "$ours" "$ref" "$2: admin status"
  [[ -n $ours && $ours != "No deployments." ]] || fail "$2: no deployments listed"
}
both_fsck() { # SYSROOT
  "$OT_OSTREE" --repo="$1/ostree/repo" fsck >/dev/null
  "$REF_OSTREE" --repo="$1/ostree/repo" fsck >/dev/null
  _test_check_passed
}

for first in ours ref; do
  a=$OT_OSTREE b=$REF_OSTREE
  [[ $first == ref ]] && a=$REF_OSTREE b=$OT_OSTREE
  s=sysroot-$first
  new_sysroot "$a" $s testos
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local src os/1 os/2 >/dev/null
  "$a" admin deploy --sysroot=$s --os=testos os/1 --karg=root=/dev/vda1 >/dev/null
  echo "local" >"$(echo $s/ostree/deploy/testos/deploy/*.0)/etc/motd"
  same_status $s "$first deployed one"
  # The other tool deploys on top, merging the first one's /etc and kargs.
  "$b" admin deploy --sysroot=$s --os=testos os/2 >/dev/null
  same_status $s "$first, then the other deployed"
  c2=$("$OT_OSTREE" --repo=$s/ostree/repo rev-parse os/2)
  assert_eq "$(cat $s/ostree/deploy/testos/deploy/$c2.0/etc/motd)" "local" "$first's /etc merged by the other"
  assert_file_has_content $s/boot/loader/entries/ostree-2-testos.conf "^options root=/dev/vda1 ostree="
  "$a" admin deploy --sysroot=$s --os=testos os/1 --retain >/dev/null
  same_status $s "$first deployed a third"
  "$b" admin undeploy --sysroot=$s 2 >/dev/null
  same_status $s "the other undeployed"
  "$a" admin pin --sysroot=$s 1 >/dev/null
  same_status $s "$first pinned"
  "$b" admin cleanup --sysroot=$s
  same_status $s "the other cleaned up"
  # A second stateroot made by the other tool; deployed by the first.
  "$b" admin os-init --sysroot=$s other >/dev/null
  "$a" admin deploy --sysroot=$s --os=other os/2 >/dev/null
  same_status $s "$first deployed to the other's stateroot"
  grep -q "^title .*(ostree:other:0)$" $s/boot/loader/entries/ostree-*-other.conf || fail "no entry for the other stateroot"
  # Kernel arguments edited in place, then kept by the other's deploy.
  "$b" admin kargs edit-in-place --sysroot=$s --append-if-missing=quiet >/dev/null
  "$a" admin deploy --sysroot=$s --os=testos os/1 >/dev/null
  same_status $s "$first deployed after the other's karg edit"
  default=$(grep -l "^title .*(ostree:testos:0)$" $s/boot/loader/entries/*.conf)
  assert_file_has_content "$default" "^options .*root=/dev/vda1.* quiet( |$)"
  # Upgrade and switch, each by one tool, follow the other's origins.
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local src os/3 >/dev/null
  "$REF_OSTREE" --repo=$s/ostree/repo reset os/1 os/3
  "$b" admin upgrade --sysroot=$s --os=testos >/dev/null
  same_status $s "the other upgraded"
  "$a" admin switch --sysroot=$s --os=testos os/2 >/dev/null
  same_status $s "$first switched"
  "$b" admin upgrade --sysroot=$s --os=testos --override-commit="$("$REF_OSTREE" --repo=src rev-parse os/3)" >/dev/null
  "$a" admin upgrade --sysroot=$s --os=testos >/dev/null
  same_status $s "$first upgraded past the other's override"
  "$a" admin undeploy --sysroot=$s 0 >/dev/null
  same_status $s "$first undeployed the default"
  both_fsck $s
done
