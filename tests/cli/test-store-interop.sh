#!/usr/bin/env bash
# The same tree committed by us and by the reference gets the same checksum in
# every repo mode; each tool's fsck accepts the other's repository; each
# tool's checkout of the other's commit reproduces the tree.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd getfattr setfattr
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

"$OT_SRC/tests/data/make-edge-tree.sh" tree
tree_manifest tree >tree.manifest

commit_args=(--tree=dir=tree --timestamp=2021-06-01T12:00:00Z -s "edge cases" -m "a body"
  --add-metadata-string=version=1.2.3)

for mode in bare bare-user bare-user-only archive; do
  "$OT_OSTREE" --repo=ours-$mode init --mode=$mode
  "$REF_OSTREE" --repo=ref-$mode init --mode=$mode
  ours=$("$OT_OSTREE" --repo=ours-$mode commit -b edge "${commit_args[@]}")
  ref=$("$REF_OSTREE" --repo=ref-$mode commit -b edge "${commit_args[@]}")
  assert_eq "$ours" "$ref" "commit checksum in $mode mode"
  assert_eq "$("$OT_OSTREE" --repo=ours-$mode rev-parse edge)" "$ref" "our ref in $mode mode"

  "$REF_OSTREE" --repo=ours-$mode fsck >fsck.out 2>&1 || { cat fsck.out; fail "reference fsck of our $mode repo"; }
  _test_check_passed
  "$OT_OSTREE" --repo=ref-$mode fsck >fsck.out 2>&1 || { cat fsck.out; fail "our fsck of the reference's $mode repo"; }
  _test_check_passed

  # A bare-user-only commit canonicalises ownership and drops xattrs, so it
  # is not the tree itself; compare the two tools' checkouts with each other.
  "$REF_OSTREE" --repo=ours-$mode checkout edge co-ref-of-ours-$mode
  "$OT_OSTREE" --repo=ref-$mode checkout edge co-ours-of-ref-$mode
  "$REF_OSTREE" --repo=ref-$mode checkout edge co-ref-of-ref-$mode
  tree_manifest co-ref-of-ref-$mode >expected.manifest
  assert_eq "$(tree_manifest co-ref-of-ours-$mode)" "$(cat expected.manifest)" "reference checkout of our $mode repo"
  assert_eq "$(tree_manifest co-ours-of-ref-$mode)" "$(cat expected.manifest)" "our checkout of the reference's $mode repo"
done

# In bare mode a checkout is the tree itself, bar the empty-valued xattr
# that upstream does not commit.
diff <(grep -v '^xattrs/empty-value' tree.manifest) <(tree_manifest co-ours-of-ref-bare | grep -v '^xattrs/empty-value') ||
  fail "checkout differs from the committed tree"
_test_check_passed

# Modifiers give the same checksums too.
for args in "--owner-uid=42 --owner-gid=43" "--canonical-permissions" "--no-xattrs" "--mode-ro-executables"; do
  # shellcheck disable=SC2086
  ours=$("$OT_OSTREE" --repo=ours-bare commit --orphan $args "${commit_args[@]}")
  # shellcheck disable=SC2086
  ref=$("$REF_OSTREE" --repo=ref-bare commit --orphan $args "${commit_args[@]}")
  assert_eq "$ours" "$ref" "commit checksum with $args"
done

# A second commit on the branch has the first as parent, in both tools.
ours=$("$OT_OSTREE" --repo=ours-bare commit -b edge "${commit_args[@]}" -s second)
ref=$("$REF_OSTREE" --repo=ref-bare commit -b edge "${commit_args[@]}" -s second)
assert_eq "$ours" "$ref" "checksum of a commit with a parent"
assert_eq "$("$OT_OSTREE" --repo=ours-bare rev-parse edge^)" "$("$REF_OSTREE" --repo=ref-bare rev-parse edge^)" "parent"

