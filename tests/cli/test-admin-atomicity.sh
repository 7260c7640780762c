#!/usr/bin/env bash
# Killed at any step, `ostree admin` leaves a sysroot that boots the old set
# of deployments or the new one, never neither. OT_FAULT_AT=N kills the
# command (SIGKILL) at its Nth step (base/fault_point.hpp); for N = 1, 2, ...
# until a run completes we check that /boot/loader points at entries whose
# kernels exist and whose ostree= paths resolve to complete deployments,
# that the deployments listed are exactly the old or the new ones (ours and
# upstream's status agree), that cleanup then leaves nothing stray, and that
# running the command again gives the expected result.
. "$(dirname "$0")/lib.sh"
. "$TEST_LIB_DIR/lib-admin.sh"

make_os_tree t1 6.1.0-a 1
make_os_tree t2 6.1.0-b 2
"$OT_OSTREE" --repo=src init --mode=archive
"$OT_OSTREE" --repo=src commit -b os/1 --tree=dir=t1 -s 1 >/dev/null
"$OT_OSTREE" --repo=src commit -b os/2 --tree=dir=t2 -s 2 >/dev/null

# bootable SYSROOT: every live entry boots something complete.
bootable() {
  local s=$1 entry path target dir
  [[ -L $s/boot/loader ]] || fail "no /boot/loader"
  for entry in "$s"/boot/loader/entries/*.conf; do
    [[ -f $entry ]] || fail "no boot entries"
    for key in linux initrd; do
      path=$(awk -v k=$key '$1 == k { print $2 }' "$entry")
      [[ -z $path || -s $s/boot$path ]] || fail "$(basename "$entry"): $key $path missing"
    done
    target=$(grep -o 'ostree=[^ ]*' "$entry" | cut -d= -f2)
    dir=$(readlink -f "$s$target") || fail "$(basename "$entry"): $target does not resolve"
    [[ -d $dir/usr && -d $dir/etc && -f $dir.origin ]] || fail "$(basename "$entry"): $target is not a complete deployment"
  done
}

# no_strays SYSROOT: after cleanup, only live state remains.
no_strays() {
  local s=$1 n_deployments n_dirs
  n_deployments=$("$OT_OSTREE" admin status --sysroot="$s" | grep -c '^  testos ' || true)
  n_dirs=$(find "$s"/ostree/deploy/testos/deploy -mindepth 1 -maxdepth 1 -type d | wc -l)
  assert_eq "$n_dirs" "$n_deployments" "deployment directories after cleanup"
  assert_eq "$(ls "$s"/boot | grep -c '^loader\.')" 1 "loader.N directories after cleanup"
  assert_eq "$(ls -d "$s"/ostree/boot.* | wc -l)" 2 "ostree/boot.N link and boot.N.M directory after cleanup"
  assert_eq "$(find "$s/ostree/repo/refs/heads/ostree" -type f | wc -l)" "$n_deployments" "deployment refs after cleanup"
  local strays
  strays=$(find "$s" -path "$s/ostree/repo" -prune -o \( -name '*.tmp' -o -name '*.tmp-*' -o -name '.tmp-*' \) -print)
  [[ -z $strays ]] || fail "temporary files left: $strays"
}

# fresh DIR: an empty DIR (deployments in the old one are immutable).
fresh() {
  find "$1" -path '*/ostree/deploy/*/deploy/*' -prune -type d -exec chattr -i {} + 2>/dev/null || true
  rm -rf "$1" && mkdir "$1"
}

# crash_test NAME SETUP CMD...: SETUP (a function) builds the sysroot "s";
# status before and after an unfaulted run are the two allowed states.
crash_test() {
  local name=$1 setup=$2 n=1 old new now rc
  shift 2
  fresh ref
  (cd ref && $setup && "$@" >/dev/null)
  new=$("$OT_OSTREE" admin status --sysroot=ref/s)
  while :; do
    fresh work
    (cd work && $setup)
    old=$("$OT_OSTREE" admin status --sysroot=work/s)
    # The subshell reports the kill (to /dev/null), not the test.
    (
      cd work
      r=0
      OT_FAULT_AT=$n "$@" >/dev/null 2>&1 || r=$?
      echo $r >../rc
    ) 2>/dev/null
    rc=$(cat rc)
    bootable work/s
    now=$("$OT_OSTREE" admin status --sysroot=work/s)
    [[ $now == "$old" || $now == "$new" ]] || fail "$name killed at step $n: status is neither the old nor the new one:
$now"
    assert_eq "$("$REF_OSTREE" admin status --sysroot=work/s)" "$now" "$name killed at step $n: upstream's status"
    ((rc == 0)) && break
    ((rc == 137)) || fail "$name at step $n: exit $rc instead of being killed"
    "$OT_OSTREE" admin cleanup --sysroot=work/s
    no_strays work/s
    # Done again, the command gives what an uninterrupted run gives.
    if [[ $now == "$old" ]]; then
      (cd work && "$@" >/dev/null)
      assert_eq "$("$OT_OSTREE" admin status --sysroot=work/s)" "$new" "$name re-run after a kill at step $n"
    fi
    bootable work/s
    n=$((n + 1))
  done
  ((n > 3)) || fail "$name: only $n fault points were passed"
  _test_check_passed
}

one_deployment() {
  new_sysroot "$OT_OSTREE" s testos
  "$OT_OSTREE" --repo=s/ostree/repo pull-local ../src os/1 os/2 >/dev/null
  "$OT_OSTREE" admin deploy --sysroot=s --os=testos os/1 --karg=root=/dev/vda1 >/dev/null
  echo local >"$(echo s/ostree/deploy/testos/deploy/*.0)/etc/motd"
}
two_deployments() {
  one_deployment
  "$OT_OSTREE" admin deploy --sysroot=s --os=testos os/2 >/dev/null
}

crash_test deploy one_deployment "$OT_OSTREE" admin deploy --sysroot=s --os=testos os/2
crash_test undeploy two_deployments "$OT_OSTREE" admin undeploy --sysroot=s 1
crash_test set-default two_deployments "$OT_OSTREE" admin set-default --sysroot=s 1
crash_test kargs two_deployments "$OT_OSTREE" admin deploy --sysroot=s --os=testos os/2 --karg=quiet
