#!/usr/bin/env bash
# Deployment changes exclude each other through the sysroot lock
# (ostree/lock, taken the way upstream takes it): two deploys started
# together both land, one after the other, and one of ours racing one of
# upstream's leaves a sysroot both read the same way.
. "$(dirname "$0")/lib.sh"
. "$TEST_LIB_DIR/lib-admin.sh"

make_os_tree t1 6.1.0-a 1
make_os_tree t2 6.1.0-b 2
make_os_tree t3 6.1.0-c 3
"$OT_OSTREE" --repo=src init --mode=archive
for i in 1 2 3; do "$OT_OSTREE" --repo=src commit -b os/$i --tree=dir=t$i -s $i >/dev/null; done

for pair in "ours ours" "ours ref"; do
  read -r x y <<<"$pair"
  a=$OT_OSTREE b=$OT_OSTREE
  [[ $y == ref ]] && b=$REF_OSTREE
  s=sysroot-$x-$y
  new_sysroot "$OT_OSTREE" $s testos
  "$OT_OSTREE" --repo=$s/ostree/repo pull-local src os/1 os/2 os/3 >/dev/null
  "$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/1 >/dev/null
  for round in 1 2 3; do
    "$a" admin deploy --sysroot=$s --os=testos os/2 --retain >a.out 2>&1 &
    pa=$!
    "$b" admin deploy --sysroot=$s --os=testos os/3 --retain >b.out 2>&1 &
    pb=$!
    wait $pa || fail "$x-$y round $round: first deploy failed: $(cat a.out)"
    wait $pb || fail "$x-$y round $round: second deploy failed: $(cat b.out)"
    _test_check_passed
  done
  n=$("$OT_OSTREE" admin status --sysroot=$s | grep -c '^  testos ')
  assert_eq "$n" 7 "$x-$y: every deploy landed"
  assert_eq "$("$REF_OSTREE" admin status --sysroot=$s)" "$("$OT_OSTREE" admin status --sysroot=$s)" "$x-$y: status"
  [[ ! -e $s/ostree/lock ]] || fail "$x-$y: ostree/lock left behind"
  "$REF_OSTREE" --repo=$s/ostree/repo fsck >/dev/null
  _test_check_passed
done
