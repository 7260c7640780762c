#!/usr/bin/env bash
# `ostree admin` side by side with the reference: the same scenario run by
# our binary and by /usr/bin/ostree into two sysroots gives the same output
# (stdout, stderr, exit status of every step) and the same sysroot (every
# path, mode, symlink, boot entry, bootloader config, .origin and /etc file).
. "$(dirname "$0")/lib.sh"
. "$TEST_LIB_DIR/lib-admin.sh"

# The trees and commits both sysroots deploy: a shared archive repo.
make_os_tree t1 6.1.0-a 1
make_os_tree t2 6.1.0-b 2
echo "version 2" >t2/usr/etc/motd
rm t2/usr/etc/sub/conf
mkdir -p t3/usr/lib/modules/6.1.0-b && cp -a t2/. t3/ && echo new >t3/usr/etc/added
printf 'NAME=Other\nID=other\n' >t3/usr/lib/os-release
make_os_tree legacy 0 1
rm -r legacy/usr/lib/modules
mkdir -p legacy/boot
echo "legacy kernel" >legacy/boot/vmlinuz-3c9f43f79a0dc8c7ec7d8bfcd3ae8b1f6c4bbde8ff30a5d7d1ba83a01a3b7d32
"$REF_OSTREE" --repo=src init --mode=archive
n=0
for spec in "os/a t1 1.0" "os/b t2 2.0" "os/c t3 PRETTY_NAME-free" "os/legacy legacy 9"; do
  read -r ref tree version <<<"$spec"
  n=$((n + 1))
  "$REF_OSTREE" --repo=src commit -b "$ref" --tree=dir="$tree" -s "$ref" --add-metadata-string=version="$version" \
    --timestamp="2024-01-0$n" >/dev/null
done
"$REF_OSTREE" --repo=src commit -b os/noversion --tree=dir=t1 -s plain --timestamp=2024-02-01 >/dev/null

# scenario OSTREE: every step's output and status, in order.
scenario() {
  local o=$1 s=sysroot step=0
  run() {
    step=$((step + 1))
    echo "## $step: $*"
    local rc=0
    "$o" "$@" 2>&1 || rc=$?
    echo "rc=$rc"
  }
  mkdir modern
  run admin init-fs --modern modern
  run admin init-fs nonexistent
  mkdir $s
  run admin init-fs $s
  run admin os-init --sysroot=$s testos
  run admin os-init --sysroot=$s other
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local ../src os/a os/b os/c os/legacy os/noversion >/dev/null
  run admin status --sysroot=$s
  run admin deploy --sysroot=$s --os=testos os/a --karg=root=/dev/vda1 --karg=console=ttyS0 --karg-append=console=tty0
  local d1
  d1=$(echo $s/ostree/deploy/testos/deploy/*.0)
  echo changed >"$d1/etc/motd"
  echo local >"$d1/etc/local"
  run admin deploy --sysroot=$s --os=testos os/b --karg=quiet --karg-delete=console=tty0
  run admin status --sysroot=$s
  run admin config-diff --sysroot=$s --os=testos
  run admin deploy --sysroot=$s --os=testos os/c --karg-none --karg=root=/dev/vda2
  run admin deploy --sysroot=$s --os=other os/noversion --no-merge
  run admin status --sysroot=$s
  run admin deploy --sysroot=$s --os=testos os/a --retain
  run admin deploy --sysroot=$s --os=testos os/b --not-as-default
  run admin status --sysroot=$s
  run admin pin --sysroot=$s 2
  run admin deploy --sysroot=$s --os=testos os/legacy
  run admin status --sysroot=$s
  run admin pin --sysroot=$s -u 2
  run admin undeploy --sysroot=$s 9
  run admin undeploy --sysroot=$s 2
  run admin kargs edit-in-place --sysroot=$s --append-if-missing=rw
  run admin upgrade --sysroot=$s --os=testos
  run admin switch --sysroot=$s --os=testos os/b
  run admin cleanup --sysroot=$s
  run admin status --sysroot=$s
  # Bootloader configs, when the sysroot uses them.
  mkdir -p $s/boot/syslinux
  ln -s ../loader/syslinux.cfg $s/boot/syslinux/syslinux.cfg
  printf 'PROMPT 1\nLABEL custom\n\tKERNEL /vmlinuz-custom\n' >$s/boot/loader/syslinux.cfg
  run admin deploy --sysroot=$s --os=testos os/a
  rm -r $s/boot/syslinux
  # u-boot: recognized by uEnv.txt in the live loader directory.
  ln -s loader/uEnv.txt $s/boot/uEnv.txt
  : >$s/boot/loader/uEnv.txt
  run admin deploy --sysroot=$s --os=testos os/b
  run admin status --sysroot=$s
}

# Upgrades, switches, origins and titles: a second sysroot.
make_os_tree u1 6.1.0-u 1
make_os_tree u2 6.1.0-u 2
# The version is already in PRETTY_NAME: the title does not repeat it.
printf 'NAME=Test\nPRETTY_NAME="Test OS 7.3 (Blue)"\nVERSION_ID=7.3\n' >u2/usr/lib/os-release
"$REF_OSTREE" --repo=src commit -b up/a1 --tree=dir=u1 -s a1 --add-metadata-string=version=1.0 --timestamp=2024-03-01 >/dev/null
"$REF_OSTREE" --repo=src commit -b up/old --tree=dir=u1 -s old --add-metadata-string=version=0.9 --timestamp=2024-02-01 >/dev/null
"$REF_OSTREE" --repo=src commit -b up/pv --tree=dir=u2 -s pv --add-metadata-string=version=7.3 --timestamp=2024-03-02 >/dev/null
"$REF_OSTREE" --repo=src commit -b up/pv2 --tree=dir=u2 -s pv2 --add-metadata-string=version=7.3.1 --timestamp=2024-03-03 >/dev/null
echo same-version >u1/usr/etc/extra
"$REF_OSTREE" --repo=src commit -b up/same --tree=dir=u1 -s same --add-metadata-string=version=1.0 --timestamp=2024-03-04 >/dev/null
"$REF_OSTREE" --repo=src commit -b up/a --tree=dir=u1 -s a2 --add-metadata-string=version=1.1 --timestamp=2024-03-05 >/dev/null
pv=$("$REF_OSTREE" --repo=src rev-parse up/pv)
old=$("$REF_OSTREE" --repo=src rev-parse up/old)
# An origin file with comments and blank lines (neither tool keeps them).
printf '# made by hand\n[origin]\n\n# what upgrade follows\nrefspec=up/a\n\n\n[extra]\nkey=value\n# end\n' >hand.origin

scenario_upgrades() {
  local o=$1 s=sysroot step=0
  run() {
    step=$((step + 1))
    echo "## $step: $*"
    local rc=0
    "$o" "$@" 2>&1 || rc=$?
    echo "rc=$rc"
  }
  mkdir $s
  run admin init-fs $s
  run admin os-init --sysroot=$s testos
  run admin os-init --sysroot=$s testos
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local ../src up/a up/a1 up/old up/pv up/pv2 up/same >/dev/null
  run admin deploy --sysroot=$s --os=testos up/pv
  run admin deploy --sysroot=$s --os=testos up/pv2
  run admin deploy --sysroot=$s --os=testos up/a1 --origin-file=../hand.origin --retain
  run admin status --sysroot=$s
  grep -h '^title' $s/boot/loader/entries/*.conf
  # Same kernel, kargs and versions at every position: only ostree/boot.N
  # changes ("bootconfig swap: no").
  run admin deploy --sysroot=$s --os=testos up/same --origin-file=../hand.origin
  run admin deploy --sysroot=$s --os=testos up/a1 --origin-file=../hand.origin
  run admin status --sysroot=$s
  run admin pin --sysroot=$s 1
  run admin pin --sysroot=$s 1
  run admin pin --sysroot=$s -u 1
  run admin pin --sysroot=$s -u 1
  run admin upgrade --sysroot=$s --os=testos
  run admin upgrade --sysroot=$s --os=testos
  run admin status --sysroot=$s
  "$REF_OSTREE" --repo=$s/ostree/repo reset up/a up/old
  run admin upgrade --sysroot=$s --os=testos
  run admin upgrade --sysroot=$s --os=testos --allow-downgrade
  run admin status --sysroot=$s
  run admin upgrade --sysroot=$s --os=testos --override-commit="$pv"
  run admin upgrade --sysroot=$s --os=testos --override-commit="$old" --allow-downgrade
  run admin status --sysroot=$s
  run admin upgrade --sysroot=$s --os=testos
  run admin switch --sysroot=$s --os=testos up/pv2
  run admin switch --sysroot=$s --os=testos up/pv2
  run admin switch --sysroot=$s --os=testos up/nosuch
  run admin status --sysroot=$s
}

# Titles from os-release as upstream reads it: /usr/lib/os-release before
# /etc/os-release, values unquoted as the shell would (GLib's
# g_shell_unquote).
for v in quoted escaped etconly both; do
  make_os_tree rel-$v 6.1.0-r 1
  case $v in
    quoted) printf "PRETTY_NAME='Single \\ Quoted'\nID=sq\n" >rel-$v/usr/lib/os-release ;;
    escaped) printf 'PRETTY_NAME="Esc \\"Q\\" \\$HOME \\\\ \\x OS"\nID=esc\n' >rel-$v/usr/lib/os-release ;;
    etconly) mv rel-$v/usr/lib/os-release rel-$v/usr/etc/os-release ;;
    both) printf 'PRETTY_NAME="From etc"\n' >rel-$v/usr/etc/os-release ;;
  esac
  "$REF_OSTREE" --repo=src commit -b rel/$v --tree=dir=rel-$v -s $v --add-metadata-string=version=$v --timestamp=2024-04-01 >/dev/null
done
# Which deployments stay: --retain-rollback, --retain-pending, a new one not
# as default, --no-merge; pinning two at once past the end, undeploying a
# pinned one and the last one, editing kargs with nothing deployed.
for n in 1 2 3 4 5 6; do
  make_os_tree r$n 6.1.0-r$n $n
  "$REF_OSTREE" --repo=src commit -b ret/$n --tree=dir=r$n -s $n --add-metadata-string=version=$n --timestamp=2024-06-0$n >/dev/null
done
scenario_retention() {
  local o=$1 s=sysroot step=0
  run() {
    step=$((step + 1))
    echo "## $step: $*"
    local rc=0
    "$o" "$@" 2>&1 || rc=$?
    echo "rc=$rc"
  }
  new_sysroot "$o" $s testos
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local ../src ret/1 ret/2 ret/3 ret/4 ret/5 ret/6 >/dev/null
  run admin deploy --sysroot=$s --os=testos ret/1
  run admin deploy --sysroot=$s --os=testos ret/2
  run admin deploy --sysroot=$s --os=testos ret/3 --retain-rollback
  run admin status --sysroot=$s
  run admin deploy --sysroot=$s --os=testos ret/4 --retain-pending
  run admin status --sysroot=$s
  run admin deploy --sysroot=$s --os=testos ret/5 --not-as-default --retain-rollback
  run admin status --sysroot=$s
  run admin deploy --sysroot=$s --os=testos ret/6 --no-merge
  run admin status --sysroot=$s
  run admin pin --sysroot=$s 0 1
  run admin undeploy --sysroot=$s 0
  run admin undeploy --sysroot=$s 0
  run admin status --sysroot=$s
  run admin kargs edit-in-place --sysroot=$s --append-if-missing=x
  run admin deploy --sysroot=$s --os=testos ret/1 --karg-proc-cmdline
}

# Kernel layouts beyond vmlinuz + initramfs: a devicetree file, a dtb/
# directory, a FIPS .vmlinuz.hmac, no initramfs; on a u-boot sysroot, so
# uEnv.txt shows them too.
for v in dtb dtbdir hmac noinitrd; do
  make_os_tree k-$v 6.1.0-$v 1
  k=k-$v/usr/lib/modules/6.1.0-$v
  case $v in
    dtb) echo dtb >$k/devicetree ;;
    dtbdir) mkdir -p $k/dtb/vendor && echo board >$k/dtb/vendor/board.dtb ;;
    hmac) echo mac >$k/.vmlinuz.hmac ;;
    noinitrd) rm $k/initramfs.img ;;
  esac
  "$REF_OSTREE" --repo=src commit -b k/$v --tree=dir=k-$v -s $v --add-metadata-string=version=$v --timestamp=2024-05-01 >/dev/null
done
scenario_kernels() {
  local o=$1 s=sysroot v
  new_sysroot "$o" $s testos
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local ../src k/dtb k/dtbdir k/hmac k/noinitrd >/dev/null
  for v in dtb dtbdir hmac noinitrd; do
    "$o" admin deploy --sysroot=$s --os=testos k/$v --retain 2>&1
    # A u-boot sysroot: the live loader directory holds uEnv.txt (how both
    # tools recognize it), /boot/uEnv.txt points there.
    if [[ ! -L $s/boot/uEnv.txt ]]; then
      ln -s loader/uEnv.txt $s/boot/uEnv.txt
      : >$s/boot/loader/uEnv.txt
    fi
  done
  (cd $s/boot && find . | LC_ALL=C sort && cat loader/uEnv.txt)
}

scenario_os_release() {
  local o=$1 s=sysroot v
  new_sysroot "$o" $s testos
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local ../src rel/quoted rel/escaped rel/etconly rel/both >/dev/null
  for v in quoted escaped etconly both; do
    "$o" admin deploy --sysroot=$s --os=testos rel/$v --retain 2>&1
  done
  grep -h '^title' $s/boot/loader/entries/*.conf
}

# Kernel arguments with repeated keys, a ref of a remote, origins that are
# not refspecs, no origin at all, a hotfix unlock, undeploying the default,
# init-fs over an existing sysroot.
scenario_misc() {
  local o=$1 s=sysroot step=0 first last
  run() {
    step=$((step + 1))
    echo "## $step: $*"
    local rc=0
    "$o" "$@" 2>&1 || rc=$?
    echo "rc=$rc"
  }
  new_sysroot "$o" $s testos
  run admin init-fs $s
  run admin init-fs --modern $s
  "$REF_OSTREE" --repo=$s/ostree/repo remote add --no-gpg-verify myremote "file://$(cd ../src && pwd)"
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local --remote=myremote ../src os/a os/b >/dev/null
  run admin deploy --sysroot=$s --os=testos myremote:os/a --karg=a=1 --karg=b --karg=a=2
  run admin kargs edit-in-place --sysroot=$s --append-if-missing=b
  run admin kargs edit-in-place --sysroot=$s --append-if-missing=a=3
  run admin kargs edit-in-place --sysroot=$s --append-if-missing=c=x
  run admin deploy --sysroot=$s --os=testos myremote:os/b --karg-append=a=4 --karg-delete=b
  run admin deploy --sysroot=$s --os=testos myremote:os/a --karg-delete=nosuch
  run admin deploy --sysroot=$s --os=testos myremote:os/a --karg-delete=a
  run admin upgrade --sysroot=$s --os=testos
  run admin status --sysroot=$s
  first=$(ls $s/ostree/deploy/testos/deploy/*.origin | head -n 1)
  last=$(ls $s/ostree/deploy/testos/deploy/*.origin | tail -n 1)
  chattr -i "${first%.origin}" "${last%.origin}"
  printf '[origin]\ncontainer-image-reference=x\n' >"$first"
  printf '[origin]\nrefspec=myremote:os/b\nunlocked=development\n' >"$last"
  run admin status --sysroot=$s
  printf '[origin]\nrefspec=myremote:os/b\nunlocked=hotfix\n' >"$last"
  run admin status --sysroot=$s
  rm "$first"
  run admin status --sysroot=$s
  run admin undeploy --sysroot=$s 0
  run admin status --sysroot=$s
}

for who in ours ref; do
  o=$OT_OSTREE
  [[ $who == ref ]] && o=$REF_OSTREE
  mkdir $who-misc
  (cd $who-misc && scenario_misc "$o") >$who-misc.log
  sysroot_manifest $who-misc/sysroot >>$who-misc.log
  mkdir $who-ret
  (cd $who-ret && scenario_retention "$o") >$who-ret.log
  sysroot_manifest $who-ret/sysroot >>$who-ret.log
  mkdir $who-kernels
  (cd $who-kernels && scenario_kernels "$o") >$who-kernels.log
  sysroot_manifest $who-kernels/sysroot >>$who-kernels.log
  mkdir $who-rel
  (cd $who-rel && scenario_os_release "$o") >$who-rel.log
  sysroot_manifest $who-rel/sysroot >>$who-rel.log
  mkdir $who
  (cd $who && scenario "$o") >$who.log
  sysroot_manifest $who/sysroot >$who.manifest
  (cd $who/modern && find . | LC_ALL=C sort) >>$who.manifest
  mkdir $who-up
  (cd $who-up && scenario_upgrades "$o") >$who-up.log
  sysroot_manifest $who-up/sysroot >$who-up.manifest
done
diff -u ref.log ours.log >&2 || fail "outputs differ (- upstream, + ours)"
_test_check_passed
diff -u ref.manifest ours.manifest >&2 || fail "sysroots differ (- upstream, + ours)"
_test_check_passed
diff -u ref-misc.log ours-misc.log >&2 || fail "kargs/origins/unlock outputs differ (- upstream, + ours)"
_test_check_passed
assert_file_has_content ours-misc.log "Unlocked: hotfix"
assert_not_file_has_content ours-misc.log "Unlocked: development"
assert_file_has_content ours-misc.log "^error: Multiple values for key 'a' found$"
diff -u ref-ret.log ours-ret.log >&2 || fail "retention outputs differ (- upstream, + ours)"
_test_check_passed
assert_file_has_content ours-ret.log "^error: Unable to find a deployment in sysroot$"
diff -u ref-kernels.log ours-kernels.log >&2 || fail "kernel layouts differ (- upstream, + ours)"
_test_check_passed
assert_file_has_content ours-kernels.log "^fdtdir /ostree/testos-[0-9a-f]{64}/dtb$"
assert_file_has_content ours-kernels.log "^devicetree /ostree/testos-[0-9a-f]{64}/devicetree-6.1.0-dtb$"
assert_file_has_content ours-kernels.log "/\.vmlinuz-6\.1\.0-hmac\.hmac$"
diff -u ref-rel.log ours-rel.log >&2 || fail "os-release titles differ (- upstream, + ours)"
_test_check_passed
assert_file_has_content ours-rel.log "^title Test OS both \(ostree:0\)$"
diff -u ref-up.log ours-up.log >&2 || fail "upgrade outputs differ (- upstream, + ours)"
_test_check_passed
diff -u ref-up.manifest ours-up.manifest >&2 || fail "upgraded sysroots differ (- upstream, + ours)"
_test_check_passed
# The scenarios did what they meant to: these steps fail on purpose.
assert_eq "$(grep -c "^rc=[1-9]" ours.log)" 2 "failing steps"
assert_eq "$(grep -c "^rc=[1-9]" ours-up.log)" 4 "failing upgrade steps"
assert_file_has_content ours.log "^Transaction complete; bootconfig swap: yes"
assert_file_has_content ours.manifest "^kernel_image=/boot/ostree/"
assert_file_has_content ours-up.log "^Transaction complete; bootconfig swap: no"
assert_file_has_content ours-up.log "chronologically older"
assert_file_has_content ours-up.log "^title Test OS 7.3 \(Blue\) \(ostree:2\)$"
assert_file_has_content ours-up.manifest "^title Test OS 7.3 \(Blue\) 7.3.1 \(ostree:0\)$"
assert_file_has_content ours-up.manifest "^override-commit=$old$"
assert_not_file_has_content ours-up.manifest "^# "

# What upstream 2022.7 lacks (set-default, rollback, status --json): our
# behaviour directly, with upstream's status reading the result.
s=own
new_sysroot "$OT_OSTREE" $s testos
"$OT_OSTREE" admin os-init --sysroot=$s other >/dev/null
"$REF_OSTREE" --repo=$s/ostree/repo pull-local src os/a os/b >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/a >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=testos os/b --karg=quiet >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$s --os=other os/a >/dev/null
"$OT_OSTREE" admin pin --sysroot=$s 2 >/dev/null
ca=$("$REF_OSTREE" --repo=src rev-parse os/a)
cb=$("$REF_OSTREE" --repo=src rev-parse os/b)

# order SYSROOT: "stateroot csum.serial" per deployment, as status lists them.
order() { "$OT_OSTREE" admin status --sysroot="$1" | awk '/^[ *] [^ ]+ [0-9a-f]+\.[0-9]+$/ { sub(/^[ *] /, ""); print $1, $2 }'; }
# default_entry SYSROOT: the deployment the highest-versioned entry boots.
default_entry() {
  local e
  e=$(grep -l "^version $(ls "$1"/boot/loader/entries | wc -l)$" "$1"/boot/loader/entries/*.conf)
  readlink "$1$(grep -o 'ostree=[^ ]*' "$e" | cut -d= -f2)" | sed 's|.*/deploy/\([^/]*\)/deploy/|\1 |'
}
same_status() {
  assert_eq "$("$REF_OSTREE" admin status --sysroot=$s)" "$("$OT_OSTREE" admin status --sysroot=$s)" "$1: upstream's status"
}

assert_eq "$(order $s)" "other $ca.0
testos $cb.0
testos $ca.0" "three deployments"
assert_eq "$(default_entry $s)" "other $ca.0" "default before set-default"

# --json: the same deployments, in the same order, with what status shows.
"$OT_OSTREE" admin status --sysroot=$s --json >status.json
cat >check.py <<'EOF'
import json, sys
ca, cb = sys.argv[1], sys.argv[2]
d = json.load(sys.stdin)["deployments"]
assert [(x["index"], x["stateroot"], x["checksum"], x["serial"]) for x in d] == \
    [(0, "other", ca, 0), (1, "testos", cb, 0), (2, "testos", ca, 0)], d
assert [x["version"] for x in d] == ["1.0", "2.0", "1.0"], d
assert [x["origin"] for x in d] == ["os/a", "os/b", "os/a"], d
assert [x["pinned"] for x in d] == [False, False, True], d
assert "quiet" in d[1]["kargs"].split() and "quiet" not in d[0]["kargs"].split(), d
assert not any(x["booted"] or x["staged"] for x in d), d
EOF
python3 check.py "$ca" "$cb" <status.json || fail "status --json does not describe the sysroot"
_test_check_passed
# Names and versions beyond ASCII survive any locale: the JSON is ASCII.
j=json-odd
new_sysroot "$OT_OSTREE" $j 'we"ird\mé'
"$REF_OSTREE" --repo=$j/ostree/repo commit -b odd --tree=dir=u1 -s odd --add-metadata-string=version=$'1.0 "β" \U0001F600\ttab' >/dev/null
"$OT_OSTREE" admin deploy --sysroot=$j --os='we"ird\mé' odd >/dev/null
for locale in C C.UTF-8; do
  LC_ALL=$locale "$OT_OSTREE" admin status --sysroot=$j --json >odd.json
  LC_ALL=C grep -q $'[\x80-\xff]' odd.json && fail "status --json in $locale is not ASCII"
  python3 -c '
import json, sys
d = json.load(open("odd.json"))["deployments"][0]
assert d["stateroot"] == "we\"ird\\m\u00e9", d
assert d["version"] == "1.0 \"\u03b2\" \U0001F600\ttab", d
' || fail "status --json in $locale: $(cat odd.json)"
  _test_check_passed
done

# set-default N: deployment N first, the others in their order; the
# default boot entry follows; upstream reads the same list.
"$OT_OSTREE" admin set-default --sysroot=$s 2 >out
assert_file_has_content out "^Bootloader updated; bootconfig swap: yes"
assert_eq "$(order $s)" "testos $ca.0
other $ca.0
testos $cb.0" "after set-default 2"
assert_eq "$(default_entry $s)" "testos $ca.0" "default after set-default 2"
same_status "set-default"
"$OT_OSTREE" admin status --sysroot=$s | grep -A3 "testos $ca.0" | grep -q "Pinned: yes" ||
  fail "set-default lost the pin"
_test_check_passed
sysroot_manifest $s >before
"$OT_OSTREE" admin set-default --sysroot=$s 0 >out
assert_file_has_content out "^Deployment 0 is already the default$"
sysroot_manifest $s >after
diff -u before after >&2 || fail "set-default 0 changed the sysroot"
_test_check_passed

# rollback: unbooted, the second deployment becomes the default; twice
# brings the first back.
"$OT_OSTREE" admin rollback --sysroot=$s >out
assert_file_has_content out "^Deployment other $ca\.0 is now the default$"
assert_eq "$(order $s | head -n 2)" "other $ca.0
testos $ca.0" "after rollback"
assert_eq "$(default_entry $s)" "other $ca.0" "default after rollback"
same_status "rollback"
"$OT_OSTREE" admin rollback --sysroot=$s >/dev/null
assert_eq "$(order $s | head -n 1)" "testos $ca.0" "after a second rollback"
same_status "second rollback"
"$REF_OSTREE" --repo=$s/ostree/repo fsck >/dev/null
_test_check_passed

# cleanup: what a killed checkout left (*.tmp) goes, a name that is no
# deployment's stays (upstream 2022.7 refuses to clean up at all there).
d=$s/ostree/deploy/testos/deploy
mkdir "$d/$ca.7.tmp" "$d/notours"
echo x >"$d/$ca.7.tmp/file"
"$OT_OSTREE" admin cleanup --sysroot=$s
[[ ! -e $d/$ca.7.tmp && -d $d/notours ]] || fail "cleanup: $(ls "$d")"
_test_check_passed
same_status "cleanup"
