#!/usr/bin/env bash
# Our /etc merge against upstream's, on identical inputs: for each scenario
# the reference `ostree admin deploy`s a tree, the scenario changes that
# deployment's /etc, and a second commit is deployed by the reference while
# our merge_etc (through tests/helpers/ot-etc-merge) builds /etc for a
# checkout of the same commit from the same old deployment. The two /etc
# trees must be identical (path, type, mode, owner, xattrs, content, symlink
# target), and so must the change counts and errors, and the output of
# `ostree admin config-diff` (ours against the reference, before and after).
. "$(dirname "$0")/lib.sh"

require_root
require_cmd getfattr setfattr mkfifo
HELPER=${OT_BUILD:?}/tests/ot-etc-merge
[[ -x $HELPER ]] || fail "$HELPER not built"
# Deployments stay mutable so the scratch directory can be removed.
export OSTREE_SYSROOT_DEBUG=mutable-deployments

ref() { "$REF_OSTREE" "$@"; }

# scenario NAME: runs functions defaults1 (in the first tree's usr/etc),
# change (in the deployed etc), defaults2 (in the tree's usr/etc again).
scenario() {
  local name=$1 dir=$TEST_TMP/$1
  mkdir -p "$dir/tree/usr/lib/modules/5.10.0-test" "$dir/tree/usr/etc"
  cd "$dir"
  echo kernel >tree/usr/lib/modules/5.10.0-test/vmlinuz
  echo initramfs >tree/usr/lib/modules/5.10.0-test/initramfs.img
  printf 'ID=testos\nPRETTY_NAME=TestOS\n' >tree/usr/lib/os-release
  (cd tree/usr/etc && defaults1)
  ref --repo=repo init --mode=bare
  ref --repo=repo config set core.fsync false
  ref --repo=repo commit -b test --tree=dir=tree -s one >/dev/null
  mkdir sysroot
  ref admin init-fs sysroot >/dev/null
  ref admin os-init --sysroot=sysroot testos >/dev/null
  ref --repo=sysroot/ostree/repo config set core.fsync false
  ref --repo=sysroot/ostree/repo pull-local repo test >/dev/null
  ref admin deploy --sysroot=sysroot --os=testos test >/dev/null
  local old
  old=$(echo sysroot/ostree/deploy/testos/deploy/*.0)
  (cd "$old/etc" && change)

  # What changed, as both list it (the old deployment is the merge deployment).
  ref admin config-diff --sysroot=sysroot --os=testos >configdiff.ref
  "$OT_OSTREE" admin config-diff --sysroot=sysroot --os=testos >configdiff.ours
  assert_eq "$(cat configdiff.ours)" "$(cat configdiff.ref)" "$name: config-diff"

  (cd tree/usr/etc && defaults2)
  ref --repo=repo commit -b test --tree=dir=tree -s two >/dev/null
  ref --repo=sysroot/ostree/repo pull-local repo test >/dev/null
  local rev
  rev=$(ref --repo=sysroot/ostree/repo rev-parse test)
  ref --repo=sysroot/ostree/repo checkout "$rev" ours

  local ref_rc=0 our_rc=0
  ref admin deploy --sysroot=sysroot --os=testos test >deploy.ref 2>&1 || ref_rc=$?
  "$HELPER" merge "$old" ours >merge.ours 2>&1 || our_rc=$?
  if ((ref_rc != 0)); then
    ((our_rc != 0)) || fail "$name: upstream's merge failed ($(tail -n 1 deploy.ref)), ours succeeded"
    assert_eq "$(tail -n 1 merge.ours)" "$(tail -n 1 deploy.ref)" "$name: error"
    [[ ! -e ours/etc && ! -e ours/etc.tmp ]] || fail "$name: a failed merge left etc or etc.tmp behind"
  else
    ((our_rc == 0)) || fail "$name: our merge failed: $(cat merge.ours)"
    assert_eq "$(grep '^Copying /etc' merge.ours)" "$(grep '^Copying /etc' deploy.ref)" "$name: change counts"
    assert_trees_equal "sysroot/ostree/deploy/testos/deploy/$rev.0/etc" ours/etc
    # Now the new deployment is the one config-diff reads.
    ref admin config-diff --sysroot=sysroot --os=testos >configdiff2.ref
    "$OT_OSTREE" admin config-diff --sysroot=sysroot --os=testos >configdiff2.ours
    assert_eq "$(cat configdiff2.ours)" "$(cat configdiff2.ref)" "$name: config-diff of the new deployment"
  fi
  cd "$TEST_TMP"
}

# upstream's tests/test-admin-deploy-etcmerge-cornercases.sh, first part,
# and more kinds of change.
defaults1() {
  mkdir -p NetworkManager testdirectory/sub dirmode willgo
  echo "a default daemon file" >NetworkManager/nm.conf
  ln -s nm.conf NetworkManager/link
  echo t >testdirectory/sub/f
  for f in untouched modeonly owneronly xattronly filetodir; do echo "$f" >"$f"; done
  echo g >willgo/f
  head -c 3000000 /dev/zero | tr '\0' 'x' >large
}
change() {
  echo "a modified config file" >NetworkManager/nm.conf
  mkdir -p a/long/dir/chain a/long/dir/forking
  chmod 700 a; chmod 770 a/long; chmod 777 a/long/dir; chmod 707 a/long/dir/chain; chmod 700 a/long/dir/forking
  ln -s no-such-file a/link-to-no-such-file
  ln -s /etc/shadow a/absolute-link
  rm -rf testdirectory
  chmod 600 modeonly
  chown 1234:5678 owneronly
  setfattr -n user.foo -v bar xattronly
  echo more >>large
  setfattr -n user.large -v 1 large
  rm filetodir; mkdir filetodir; echo in >filetodir/x
  ln -sf untouched NetworkManager/link
  chmod 711 dirmode
  mkfifo fifo
  echo new >added
}
defaults2() {
  echo v2 >untouched
  echo "a new default" >NetworkManager/nm.conf
  echo x2 >xattronly
  echo v2 >testdirectory/sub/f
  echo new-default >newdefault
  rm -rf willgo
}
scenario cornercases

# config-diff needs a deployment to read, as upstream's.
cd cornercases
for args in "" "--os=nope"; do
  assert_fails "$OT_OSTREE" admin config-diff --sysroot=sysroot $args
  ours_err=$(cat "$TEST_TMP/err")
  assert_fails "$REF_OSTREE" admin config-diff --sysroot=sysroot $args
  assert_eq "$ours_err" "$(cat "$TEST_TMP/err")" "config-diff $args: error"
  assert_one_line_error
done
cd "$TEST_TMP"

# A changed file whose path is a directory in the new defaults: upstream fails.
defaults1() { mkdir d; echo x >d/f; }
change() { rm -rf d; echo file >d; }
defaults2() { echo y >d/f2; }
scenario dir-to-file-default-still-dir

defaults1() { echo x >keep; }
change() { echo user >newthing; }
defaults2() { mkdir newthing; echo def >newthing/f; }
scenario added-file-default-now-dir

# Directories whose defaults go away, with changes at several depths.
defaults1() { mkdir -p p/q r/s u; echo x >p/q/f; echo y >p/other; echo z >r/s/f; echo w >r/other; echo e >u/f; }
change() { chmod 700 p; chmod 750 p/q; echo mod >p/q/f; chmod 700 r/s; rm -rf u; echo file >u; }
defaults2() { rm -rf p r u; }
scenario defaults-dropped

# upstream's cornercases, second part: a new file in a directory the new
# defaults remove; a file turned directory where the new default is one too.
defaults1() { mkdir initially-empty; touch initially-empty/afile; echo x >f; }
change() { touch initially-empty/mynewfile; rm f; mkdir f; echo user >f/u; }
defaults2() { rm -rf initially-empty; rm f; mkdir f; echo def >f/d; }
scenario parent-removed

# The new defaults turn a changed file's directory into an in-tree symlink.
defaults1() { mkdir p real; echo x >p/f; }
change() { echo mod >p/f; echo add >p/g; }
defaults2() { rm -rf p; ln -s real p; }
scenario parent-becomes-symlink

# More than one batch of GLib's enumerator (1000 entries): config-diff order.
defaults1() { mkdir many; for i in $(seq 1 1300); do echo "$i" >"many/f$i"; done; }
change() { for i in $(seq 1 7 1300); do echo mod >>"many/f$i"; done; for i in $(seq 1 1100); do echo a >"many/new$i"; done; }
defaults2() { echo v2 >many/f2; }
scenario many-entries
