#!/usr/bin/env bash
# make-edge-tree.sh DEST: builds the tree of awkward cases every store, checkout
# and FUSE test should survive. The result is the same every time (content,
# names, modes, owners, xattrs, mtimes), so commits of it have a stable
# checksum and manifests of it can be compared across runs.
#
# What needs privileges or filesystem support degrades gracefully and says so
# on stderr: chown needs root; user.* xattrs need a filesystem that takes them;
# trusted.* needs root; security.capability needs root in the initial user
# namespace. Set EDGE_TREE_STRICT=1 to fail instead of skipping any of these.
#
# Upstream OSTree 2022.7 commits every entry below in bare mode and checks it
# out unchanged (tests/cli/test-lib-edge-tree.sh verifies that), including the
# file name containing a newline, with one exception: the empty-valued xattr
# on xattrs/empty-value is dropped by the commit, as upstream does.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 DEST" >&2
  exit 2
fi
dest=$1
if [[ -e $dest ]] && [[ -n $(ls -A "$dest") ]]; then
  echo "$0: $dest exists and is not empty" >&2
  exit 1
fi
mkdir -p "$dest"
cd "$dest"
umask 022
export LC_ALL=C

note() { echo "make-edge-tree: $*" >&2; }
degrade() {
  if [[ ${EDGE_TREE_STRICT:-0} == 1 ]]; then
    note "FATAL: $*"
    exit 1
  fi
  note "skipped: $*"
}

# Deterministic incompressible bytes: AES-CTR keystream with a fixed key.
pseudo_random() { # BYTES SEED
  head -c "$1" /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K "$(printf "%032x" "$2")" -iv 00000000000000000000000000000000
}

# --- regular files -----------------------------------------------------------
mkdir files
: >files/empty
printf 'hello, world\n' >files/small
printf 'no trailing newline' >files/no-newline
pseudo_random $((5 * 1024 * 1024)) 1 >files/large.bin
# Compressible text (archive mode's deflate has something to do).
seq -f 'line %06g of a compressible text file' 1 30000 >files/large.txt
# 16 MiB apparent size, three 4 KiB data extents, holes between them.
truncate -s 16M files/sparse
pseudo_random 4096 2 | dd of=files/sparse bs=4096 seek=0 conv=notrunc status=none
pseudo_random 4096 3 | dd of=files/sparse bs=4096 seek=2048 conv=notrunc status=none
pseudo_random 4096 4 | dd of=files/sparse bs=4096 seek=4095 conv=notrunc status=none
# Same content as small: one object in the store, two entries in the tree.
cp files/small files/small-duplicate
printf '#!/bin/sh\necho edge-tree\n' >files/exec.sh
chmod 0755 files/exec.sh
printf '\0\1\2\3\377binary\0' >files/binary-nul

# --- symlinks ----------------------------------------------------------------
mkdir links
ln -s ../files/small links/relative
ln -s /usr/bin/env links/absolute
ln -s does/not/exist links/dangling
ln -s ../files links/to-dir
ln -s . links/dot
ln -s loop-b links/loop-a
ln -s loop-a links/loop-b
ln -s "$(printf 'x%.0s' {1..1000})" links/long-target
ln -s '../names/with space' links/target-with-space

# --- modes -------------------------------------------------------------------
mkdir modes
printf 'setuid\n' >modes/setuid
chmod 4755 modes/setuid
printf 'setgid\n' >modes/setgid
chmod 2755 modes/setgid
printf 'setuid+setgid, not executable by others\n' >modes/setuid-setgid
chmod 6750 modes/setuid-setgid
printf 'no permissions at all\n' >modes/mode-000
chmod 0000 modes/mode-000
printf 'read-only\n' >modes/mode-444
chmod 0444 modes/mode-444
printf 'owner only\n' >modes/mode-600
chmod 0600 modes/mode-600
printf 'group writable\n' >modes/mode-664
chmod 0664 modes/mode-664
mkdir modes/sticky-dir
printf 'in sticky dir\n' >modes/sticky-dir/file
chmod 1777 modes/sticky-dir
mkdir modes/private-dir
printf 'in private dir\n' >modes/private-dir/file
chmod 0700 modes/private-dir
mkdir modes/setgid-dir
chmod 2775 modes/setgid-dir
mkdir modes/readonly-dir
printf 'in read-only dir\n' >modes/readonly-dir/file
chmod 0555 modes/readonly-dir

# --- names -------------------------------------------------------------------
# Not here: a name that is not valid UTF-8. Dirtree names are GVariant strings,
# and upstream refuses the commit ("Invalid UTF-8 in filename").
mkdir names
for n in 'with space' ' leading-space' 'trailing-space ' 'héllo wörld' '日本語.txt' \
  'emoji-🚀' $'new\nline' $'tab\tname' '-dash-first' '--' '.hidden' '..dots' '...' \
  'back\slash' "quote'single" 'quote"double' 'glob*?[x]' 'semi;colon' 'dollar$HOME' \
  'percent%s' 'colon:name' 'equals=sign' '#hash' 'CASE' 'case' \
  $'nfc-\xc3\xa9' $'nfd-e\xcc\x81'; do
  printf '%s\n' "$n" >"names/$n"
done
# The longest name Linux allows: 255 bytes.
printf 'long name\n' >"names/$(printf 'n%.0s' {1..255})"
mkdir 'names/dir with space'
printf 'inside\n' >'names/dir with space/file'

# --- many small files in one directory ----------------------------------------
mkdir many
for ((i = 0; i < 2000; i++)); do
  printf -v f 'many/f%04d' "$i"
  printf 'small file %d\n' "$i" >"$f"
done
# And many entries sharing one object.
mkdir dedup
for ((i = 0; i < 50; i++)); do printf 'identical content\n' >"dedup/copy$i"; done

# --- deep nesting --------------------------------------------------------------
d=deep
for ((i = 1; i <= 60; i++)); do printf -v d '%s/d%02d' "$d" "$i"; done
mkdir -p "$d"
printf 'sixty levels down\n' >"$d/leaf"

# --- hardlinks -----------------------------------------------------------------
mkdir hardlinks
printf 'one inode, three names\n' >hardlinks/a
ln hardlinks/a hardlinks/b
ln hardlinks/a files/hardlink-to-a

# --- empty directories -----------------------------------------------------------
mkdir empty-dir
mkdir -p nested-empty/inner/innermost

# --- ownership -------------------------------------------------------------------
mkdir owned
printf 'owned by 1234:5678\n' >owned/file
mkdir owned/dir
printf 'in a dir owned by 1234:5678\n' >owned/dir/file
ln -s ../files/small owned/symlink
printf 'setuid and owned by 1234\n' >owned/setuid
if ((EUID == 0)); then
  chown 1234:5678 owned/file owned/dir owned/setuid
  chown -h 1234:5678 owned/symlink
  chown 0:5678 owned/dir/file
  # chown clears setuid; set it after.
  chmod 4755 owned/setuid
else
  degrade "ownership (chown 1234:5678 needs root)"
fi

# --- extended attributes ----------------------------------------------------------
mkdir xattrs
printf 'has user xattrs\n' >xattrs/user
printf 'has an empty-valued xattr\n' >xattrs/empty-value
printf 'has trusted xattr\n' >xattrs/trusted
printf 'has a file capability\n' >xattrs/capability
chmod 0755 xattrs/capability
mkdir xattrs/dir-with-xattr
ln -s ../files/small xattrs/symlink-with-xattr
if setfattr -n user.edge.test -v 'plain value' xattrs/user 2>/dev/null; then
  setfattr -n user.edge.binary -v 0x00ff10ee00 xattrs/user
  setfattr -n user.edge.dir -v 'on a directory' xattrs/dir-with-xattr
  # Upstream skips xattrs whose value is empty when it reads a tree, so this
  # one is not in the commit and a checkout lacks it: the one difference
  # between this tree and a checkout of its commit.
  setfattr -n user.edge.empty xattrs/empty-value
else
  degrade "user.* xattrs (filesystem refuses them)"
fi
if ((EUID == 0)) && setfattr -n trusted.edge.test -v 'trusted value' xattrs/trusted 2>/dev/null; then
  # Symlinks cannot carry user.* xattrs, but trusted.* ones they can.
  setfattr -h -n trusted.edge.link -v 'on a symlink' xattrs/symlink-with-xattr
else
  degrade "trusted.* xattrs (need root and filesystem support)"
fi
# cap_net_raw=ep, as Debian's ping carries: a VFS v2 capability (revision 2,
# effective bit set, permitted word 0 = 1<<13).
if ((EUID == 0)) && setfattr -n security.capability \
  -v 0x0100000200200000000000000000000000000000 xattrs/capability 2>/dev/null; then
  :
else
  degrade "security.capability (needs root in the initial user namespace)"
fi

# --- fixed mtimes --------------------------------------------------------------
# OSTree ignores mtimes; fixing them makes tar/rsync/manifest comparisons of
# two generated trees exact. -depth: children before their directory.
find . -depth -print0 | xargs -0 touch -h -d @1000000000
