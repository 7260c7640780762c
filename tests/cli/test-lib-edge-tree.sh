#!/usr/bin/env bash
# tests/data/make-edge-tree.sh builds the same tree every time, the tree holds
# the cases it promises, and the reference OSTree commits it in bare mode and
# checks it out unchanged (save for the one documented difference), so other
# tests can compare our commits and checkouts of it against the reference's.
. "$(dirname "$0")/lib.sh"
require_root # ownership, trusted.* and security.* xattrs need it
require_cmd openssl getfattr setfattr
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

make_tree="$OT_SRC/tests/data/make-edge-tree.sh"
EDGE_TREE_STRICT=1 "$make_tree" tree1
EDGE_TREE_STRICT=1 "$make_tree" tree2
tree_manifest tree1 >m1
tree_manifest tree2 >m2
assert_eq "$(cat m2)" "$(cat m1)" "manifests of two generated trees"

# Determinism goes beyond the manifest: mtimes are fixed too.
assert_eq "$(cd tree1 && find . -printf '%T@ %P\0' | sort -z | sha256sum)" \
  "$(cd tree2 && find . -printf '%T@ %P\0' | sort -z | sha256sum)" "mtimes of two generated trees"
assert_eq "$(stat -c %Y tree1/files/small)" 1000000000 "fixed mtime"

# The cases the tree promises are there.
assert_file_has_content m1 '^files/empty	f 0644 0:0 0 '
assert_file_has_content m1 '^files/large\.bin	f 0644 0:0 5242880 '
assert_file_has_content m1 '^files/sparse	f 0644 0:0 16777216 '
assert_eq "$(($(du -k tree1/files/sparse | cut -f1) < 1024))" 1 "sparse file has holes (under 1 MiB allocated)"
assert_file_has_content m1 '^files/exec\.sh	f 0755 '
assert_file_has_content m1 '^links/relative	l .* ->\.\./files/small '
assert_file_has_content m1 '^links/absolute	l .* ->/usr/bin/env '
assert_file_has_content m1 '^links/dangling	l .* ->does/not/exist '
assert_file_has_content m1 '^modes/setuid	f 4755 '
assert_file_has_content m1 '^modes/setgid	f 2755 '
assert_file_has_content m1 '^modes/sticky-dir	d 1777 '
assert_file_has_content m1 '^modes/mode-000	f 0000 '
assert_file_has_content m1 '^modes/private-dir	d 0700 '
assert_file_has_content m1 '^modes/readonly-dir	d 0555 '
assert_file_has_content m1 '^owned/file	f 0644 1234:5678 '
assert_file_has_content m1 '^owned/setuid	f 4755 1234:5678 '
assert_file_has_content m1 '^names/new\\012line	f '
assert_file_has_content m1 '^names/\\346\\227\\245\\346\\234\\254\\350\\252\\236\.txt	f '
assert_file_has_content m1 '^names/with space	f '
assert_file_has_content m1 '^xattrs/user	f .*user\.edge\.binary=0x00ff10ee00,user\.edge\.test='
assert_file_has_content m1 '^xattrs/trusted	f .*\{trusted\.edge\.test='
assert_file_has_content m1 '^xattrs/symlink-with-xattr	l .*\{trusted\.edge\.link='
assert_file_has_content m1 '^xattrs/capability	f .*\{security\.capability=0x01000002'
assert_file_has_content m1 '^empty-dir	d 0755 0:0 - - \{\}$'
assert_eq "$(grep -c '^many/f[0-9]\{4\}	f ' m1)" 2000 "files in many/"
assert_eq "$(find tree1/deep -type d | wc -l)" 61 "directories in deep/ (itself and 60 levels)"
assert_eq "$(stat -c %h tree1/hardlinks/a)" 3 "links to hardlinks/a"
assert_eq "$(stat -c %i tree1/hardlinks/b)" "$(stat -c %i tree1/files/hardlink-to-a)" "hardlinks share an inode"

# The reference commits it, twice to the same checksum, and checks it out
# unchanged except for the empty-valued xattr, which a commit drops.
"$REF_OSTREE" --repo=repo init --mode=bare
c1=$("$REF_OSTREE" --repo=repo commit -b edge --tree=dir=tree1 --timestamp=2000-01-01T00:00:00Z --no-bindings -s edge)
c2=$("$REF_OSTREE" --repo=repo commit -b edge2 --tree=dir=tree2 --timestamp=2000-01-01T00:00:00Z --no-bindings -s edge)
assert_eq "$c2" "$c1" "reference commit checksums of two generated trees"
"$REF_OSTREE" --repo=repo fsck >fsck.out
assert_file_has_content fsck.out 'no errors found'
"$REF_OSTREE" --repo=repo checkout edge co
tree_manifest co >mco
diff m1 mco | grep '^[<>]' >manifest.diff || true
assert_eq "$(wc -l <manifest.diff)" 2 "lines differing between the tree and the reference's checkout"
assert_file_has_content manifest.diff '^< xattrs/empty-value	f .* \{user\.edge\.empty=0x\}$'
assert_file_has_content manifest.diff '^> xattrs/empty-value	f .* \{\}$'
