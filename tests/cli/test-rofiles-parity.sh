#!/usr/bin/env bash
# rofiles-fuse side by side with upstream's: the same script of operations
# runs against our mount and against /usr/bin/rofiles-fuse's mount of an
# identical hardlinked checkout, without and with --copyup. Each step's
# outcome (ok and what was read back, or the errno name) is recorded; the two
# transcripts must be identical, specific outcomes are asserted, and the
# repository objects behind the checkouts must come out byte-identical.
#
# The body runs in private mount and PID namespaces: whatever happens, every
# daemon dies with the namespace and no mount outlives the test.
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }

if [[ -z ${ROFILES_TEST_NS:-} ]]; then
  [[ $(id -u) == 0 ]] || skip "needs root (FUSE mounts in a private namespace)"
  [[ -c /dev/fuse ]] || skip "no /dev/fuse"
  command -v unshare >/dev/null || skip "no unshare"
  command -v python3 >/dev/null || skip "no python3"
  [[ -x ${OT_ROFILES:-} ]] || skip "our rofiles-fuse is not built (OT_ROFILES)"
  [[ -x ${REF_ROFILES:-} ]] || skip "no reference rofiles-fuse (REF_ROFILES)"
  [[ -x ${REF_OSTREE:-} ]] || skip "no reference ostree (REF_OSTREE)"
  exec unshare --mount --propagation private --pid --fork --mount-proc \
    env ROFILES_TEST_NS=1 bash "$0" "$@"
fi

work=$(mktemp -d /var/tmp/test-rofiles-parity.XXXXXX)
cleanup() {
  local m
  for m in "$work"/mnt-*; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# --- The operations, written against one mountpoint -------------------------
cat > ops.py <<'EOF'
import errno, hashlib, os, stat, sys

mnt, mode = sys.argv[1], sys.argv[2]
os.chdir(mnt)

def show(v):
    if isinstance(v, bytes):
        return repr(v) if len(v) <= 40 else "sha256:" + hashlib.sha256(v).hexdigest()[:16]
    return str(v)

def step(name, fn, *args, **kwargs):
    try:
        r = fn(*args, **kwargs)
        print(f"{name}: ok" + ("" if r is None else " " + show(r)))
    except OSError as e:
        print(f"{name}: {errno.errorcode.get(e.errno, e.errno)}")

def read(p):
    with open(p, "rb") as f:
        return f.read()

def describe(p):
    st = os.lstat(p)
    kind = {stat.S_IFREG: "reg", stat.S_IFDIR: "dir", stat.S_IFLNK: "lnk"}.get(stat.S_IFMT(st.st_mode), "other")
    size = st.st_size if kind != "dir" else "-"
    return f"{kind} mode={oct(st.st_mode & 0o7777)} nlink={st.st_nlink} uid={st.st_uid} gid={st.st_gid} size={size}"

def open_close(p, flags):
    os.close(os.open(p, flags, 0o644))

def write(p, flags, data):
    fd = os.open(p, flags, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)

def xattrs(p):
    return sorted((k, os.getxattr(p, k, follow_symlinks=False)) for k in os.listxattr(p, follow_symlinks=False) if k.startswith("user."))

def listing(p):
    return sorted(os.listdir(p))

def rm_tree(p):
    for root, dirs, files in os.walk(p, topdown=False):
        for f in files:
            os.unlink(os.path.join(root, f))
        for d in dirs:
            os.rmdir(os.path.join(root, d))
    os.rmdir(p)

def replace_like_sed(p, data):
    tmp = os.path.join(os.path.dirname(p), ".sedXXXX")
    write(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, data)
    os.chmod(tmp, os.stat(p).st_mode & 0o7777)
    os.rename(tmp, p)

W, RW, A, T = os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_APPEND, os.O_WRONLY | os.O_TRUNC
C = os.O_WRONLY | os.O_CREAT

if mode == "refuse":
    step("read shared", read, "etc/config")
    step("stat shared", describe, "etc/config")
    step("stat shared symlink", describe, "link-to-config")
    step("readlink", os.readlink, "link-to-config")
    step("readdir", listing, "etc")
    step("xattrs shared", xattrs, "etc/motd")
    step("read big", read, "data/big")
    step("access W_OK shared", os.access, "etc/config", os.W_OK)
    step("open O_WRONLY shared", open_close, "etc/config", W)
    step("open O_RDWR shared", open_close, "etc/config", RW)
    step("open O_APPEND shared", open_close, "etc/config", A)
    step("open O_TRUNC shared", open_close, "etc/config", T)
    step("open O_CREAT existing shared", open_close, "etc/config", C)
    step("truncate shared", os.truncate, "etc/config", 0)
    step("chmod shared", os.chmod, "etc/config", 0o600)
    step("chown shared", os.chown, "etc/config", 1, 1)
    step("setxattr shared", os.setxattr, "etc/motd", "user.new", b"v")
    step("lchown shared symlink", os.chown, "link-to-config", 2, 2, follow_symlinks=False)
    step("write through symlink to shared", write, "link-to-config", A, b"x")
    step("utime shared", os.utime, "etc/config", (1000, 1000))
    step("read shared after attempts", read, "etc/config")
    step("stat shared after attempts", describe, "etc/config")
    step("xattrs shared after attempts", xattrs, "etc/motd")
    step("create file", write, "newfile", os.O_WRONLY | os.O_CREAT | os.O_EXCL, b"fresh\n")
    step("read new file", read, "newfile")
    step("append new file", write, "newfile", A, b"more\n")
    step("truncate new file", os.truncate, "newfile", 3)
    step("chmod new file", os.chmod, "newfile", 0o600)
    step("chown new file", os.chown, "newfile", 1, 1)
    step("setxattr new file", os.setxattr, "newfile", "user.x", b"1")
    step("xattrs new file", xattrs, "newfile")
    step("removexattr new file", os.removexattr, "newfile", "user.x")
    step("stat new file", describe, "newfile")
    step("read new file again", read, "newfile")
    step("O_EXCL on existing", open_close, "newfile", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    step("mkdir", os.mkdir, "newdir", 0o750)
    step("stat new dir", describe, "newdir")
    step("mkdir existing", os.mkdir, "newdir")
    step("symlink", os.symlink, "newfile", "newlink")
    step("readlink new", os.readlink, "newlink")
    step("mkfifo", os.mkfifo, "fifo")
    step("hardlink new file", os.link, "newfile", "newfile2")
    step("stat linked new file", describe, "newfile")
    step("write to now-linked new file", open_close, "newfile", W)
    step("rename shared", os.rename, "usr/bin/tool", "usr/bin/tool.old")
    step("read renamed", read, "usr/bin/tool.old")
    step("stat old name", describe, "usr/bin/tool")
    step("rename shared over shared", os.rename, "etc/config.copy", "data/empty")
    step("read replaced", read, "data/empty")
    step("unlink shared", os.unlink, "data/big")
    step("stat unlinked", describe, "data/big")
    step("rmdir non-empty", os.rmdir, "dir")
    step("remove tree", rm_tree, "dir")
    step("rename dir", os.rename, "newdir", "newdir2")
    step("open missing", read, "missing")
    step("readdir root", listing, ".")
    step("statvfs", lambda: os.statvfs(".") and None)
else:
    step("stat shared", describe, "etc/config")
    step("stat twin", describe, "etc/config.copy")
    step("append shared", write, "etc/config", A, b"more\n")
    step("read appended", read, "etc/config")
    step("read twin", read, "etc/config.copy")
    step("truncate shared", os.truncate, "usr/bin/tool", 4)
    step("read truncated", read, "usr/bin/tool")
    step("chmod shared", os.chmod, "data/big", 0o600)
    step("read chmodded", read, "data/big")
    step("chown shared", os.chown, "etc/config.copy", 1, 1)
    step("read chowned", read, "etc/config.copy")
    step("setxattr shared", os.setxattr, "data/empty", "user.y", b"2")
    step("xattrs after setxattr", xattrs, "data/empty")
    step("lchown shared symlink", os.chown, "link-to-config", 2, 2, follow_symlinks=False)
    step("readlink chowned", os.readlink, "link-to-config")
    step("write O_TRUNC shared", write, "dir/sub/deep/file", T, b"rewritten\n")
    step("read rewritten", read, "dir/sub/deep/file")
    step("write through symlink to shared", write, "link-to-tool", A, b"!")
    step("read through symlink", read, "usr/bin/tool")
    step("readlink still a symlink", os.readlink, "link-to-tool")
    step("chmod shared with xattr", os.chmod, "etc/motd", 0o640)
    step("xattrs kept by copy-up", xattrs, "etc/motd")
    step("sed -i shared", replace_like_sed, "etc/motd", b"edited\n")
    step("read edited", read, "etc/motd")
    step("rw open shared", open_close, "etc/passwd", RW)
    step("read after rw open", read, "etc/passwd")
    step("create through dangling symlink", write, "dangling", C, b"made\n")
    step("read created", read, "nowhere")
EOF

# Stats through each mount are taken after a copy-up; to compare what both
# implementations did rather than how long each kernel caches attributes,
# the copy-up transcript also records the checkout itself.
cat > checkout.py <<'EOF'
import os, stat, sys
os.chdir(sys.argv[1])
for root, dirs, files in os.walk("."):
    dirs.sort()
    for name in sorted(dirs + files):
        p = os.path.join(root, name)
        st = os.lstat(p)
        shared = "shared" if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode) else "private"
        print(f"{p} {oct(st.st_mode)} uid={st.st_uid} {shared}")
EOF

# --- A source tree, committed twice and checked out with hardlinks ----------
mkdir -p src/usr/bin src/etc src/data src/dir/sub/deep
printf 'tool v1\n' > src/usr/bin/tool && chmod 755 src/usr/bin/tool
printf 'key=value\n' > src/etc/config
cp -p src/etc/config src/etc/config.copy  # same content and mode: one object
printf 'welcome\n' > src/etc/motd
printf 'root:x:0:0\n' > src/etc/passwd
python3 -c 'import random, sys; r = random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(200000)))' > src/data/big
: > src/data/empty
printf 'deep\n' > src/dir/sub/deep/file
ln -s etc/config src/link-to-config
ln -s usr/bin/tool src/link-to-tool
ln -s nowhere src/dangling
setfattr -n user.test -v hello src/etc/motd

checkout() {  # name
  "$REF_OSTREE" --repo="repo-$1" init --mode=bare
  "$REF_OSTREE" --repo="repo-$1" commit -b t --tree=dir=src >/dev/null
  "$REF_OSTREE" --repo="repo-$1" checkout -H t "co-$1"
  mkdir -p "mnt-$1"
}

objects_digest() {  # repo
  (cd "$1/objects" && find . -type f -exec sha256sum {} + | sort &&
    find . -type l -printf '%p -> %l\n' | sort) | sha256sum
}

run_side_by_side() {  # mode extra-args...
  local mode=$1; shift
  local who
  # Ours twice: file data passed through by the kernel (the default where
  # the kernel allows it) and served by the daemon (-o no_passthrough).
  for data in passthrough classic; do
  for who in ours ref; do
    rm -rf "repo-$who" "co-$who"
    checkout "$who"
  done
  local before_ours before_ref
  before_ours=$(objects_digest repo-ours)
  before_ref=$(objects_digest repo-ref)

  if [[ $data == passthrough ]]; then
    "$OT_ROFILES" "$@" co-ours mnt-ours
  else
    "$OT_ROFILES" -o no_passthrough "$@" co-ours mnt-ours
  fi
  "$REF_ROFILES" "$@" co-ref mnt-ref
  for who in ours ref; do
    python3 ops.py "mnt-$who" "$mode" > "$mode-$who.txt"
    python3 checkout.py "co-$who" > "$mode-$who-checkout.txt"
    umount "mnt-$who"
  done

  echo "== $mode, $data data path: transcript (ours)"
  cat "$mode-ours.txt"
  if ! diff -u "$mode-ref.txt" "$mode-ours.txt"; then
    echo "FAIL: $mode transcripts differ (- upstream, + ours)"; exit 1
  fi
  if ! diff -u "$mode-ref-checkout.txt" "$mode-ours-checkout.txt"; then
    echo "FAIL: $mode: the checkouts differ afterwards (- upstream, + ours)"; exit 1
  fi
  # Content and symlink targets of every repository object are unchanged,
  # and the reference fsck agrees.
  [[ $(objects_digest repo-ours) == "$before_ours" ]] || { echo "FAIL: $mode: our mount changed a repository object"; exit 1; }
  [[ $(objects_digest repo-ref) == "$before_ref" ]] || { echo "FAIL: $mode: upstream's mount changed a repository object"; exit 1; }
  "$REF_OSTREE" --repo=repo-ours fsck -q >/dev/null
  done
}

expect() {  # file line
  grep -qxF -- "$2" "$1" || { echo "FAIL: expected in $1: $2"; exit 1; }
}

# --- Without --copyup: shared files refuse every in-place change ------------
run_side_by_side refuse
t=refuse-ours.txt
expect $t "read shared: ok b'key=value\\n'"
expect $t "stat shared: ok reg mode=0o644 nlink=3 uid=0 gid=0 size=10"
for s in "open O_WRONLY shared" "open O_RDWR shared" "open O_APPEND shared" "open O_TRUNC shared" \
         "open O_CREAT existing shared" "truncate shared" "chmod shared" "chown shared" \
         "setxattr shared" "lchown shared symlink" "write through symlink to shared" \
         "mkfifo" "write to now-linked new file"; do
  expect $t "$s: EROFS"
done
expect $t "utime shared: ok"
expect $t "read shared after attempts: ok b'key=value\\n'"
expect $t "read new file again: ok b'fre'"
expect $t "stat new file: ok reg mode=0o600 nlink=1 uid=1 gid=1 size=3"
expect $t "mkdir existing: EEXIST"
expect $t "O_EXCL on existing: EEXIST"
expect $t "rename shared: ok"
expect $t "stat old name: ENOENT"
expect $t "unlink shared: ok"
expect $t "rmdir non-empty: ENOTEMPTY"
expect $t "remove tree: ok"
expect $t "open missing: ENOENT"
grep -q "^readdir root: ok \['dangling', 'data', 'etc'," $t

# --- With --copyup: the first change breaks the link, the object stays ------
run_side_by_side copyup --copyup
t=copyup-ours.txt
expect $t "append shared: ok"
expect $t "read appended: ok b'key=value\\nmore\\n'"
expect $t "read twin: ok b'key=value\\n'"
expect $t "read truncated: ok b'tool'"
expect $t "read rewritten: ok b'rewritten\\n'"
expect $t "read through symlink: ok b'tool!'"
expect $t "readlink still a symlink: ok usr/bin/tool"
expect $t "read edited: ok b'edited\\n'"
expect $t "xattrs kept by copy-up: ok [('user.test', b'hello')]"
expect $t "read created: ok b'made\\n'"
c=copyup-ours-checkout.txt
for p in ./etc/config ./usr/bin/tool ./data/big ./etc/config.copy ./data/empty ./link-to-config ./dir/sub/deep/file ./etc/passwd; do
  grep -q "^$p .* private$" $c || { echo "FAIL: $p was not copied up"; exit 1; }
done
grep -q "^./link-to-tool .* shared$" $c || { echo "FAIL: writing through a symlink copied the symlink up"; exit 1; }
grep -q "^./etc/config.copy 0o100644 uid=1 private$" $c

# --- Where upstream 2022.7 changes repository objects, we refuse -----------
# Upstream lets removexattr through and opens O_RDONLY|O_TRUNC without any
# check, truncating the shared object; both are in-place changes.
cat > diverge.py <<'EOF2'
import errno, os, sys
os.chdir(sys.argv[1])
def attempt(name, fn):
    try:
        fn()
        print(f"{name}: ok")
    except OSError as e:
        print(f"{name}: {errno.errorcode[e.errno]}")
attempt("removexattr shared", lambda: os.removexattr("etc/motd", "user.test"))
attempt("O_RDONLY|O_TRUNC shared", lambda: os.close(os.open("etc/config", os.O_RDONLY | os.O_TRUNC)))
attempt("motd keeps xattr", lambda: os.getxattr("etc/motd", "user.test"))
print("config:", open("etc/config", "rb").read())
EOF2
for flags in "" --copyup; do
  rm -rf repo-ours co-ours
  checkout ours
  before=$(objects_digest repo-ours)
  "$OT_ROFILES" $flags co-ours mnt-ours
  python3 diverge.py mnt-ours > diverge.txt
  umount mnt-ours
  cat diverge.txt
  if [[ -z $flags ]]; then
    expect diverge.txt "removexattr shared: EROFS"
    expect diverge.txt "O_RDONLY|O_TRUNC shared: EROFS"
    expect diverge.txt "config: b'key=value\\n'"
    expect diverge.txt "motd keeps xattr: ok"
  else
    expect diverge.txt "removexattr shared: ok"
    expect diverge.txt "O_RDONLY|O_TRUNC shared: ok"
    expect diverge.txt "config: b''"
    expect diverge.txt "motd keeps xattr: ENODATA"
  fi
  [[ $(objects_digest repo-ours) == "$before" ]] || { echo "FAIL: a repository object changed ($flags)"; exit 1; }
  # The object keeps its xattr even where the copy lost it.
  [[ $(getfattr --only-values -n user.test "$(readlink -f repo-ours/objects)"/*/*.file 2>/dev/null) == *hello* ]] ||
    { echo "FAIL: the repository object lost its xattr ($flags)"; exit 1; }
done

echo "PASS: identical transcripts and untouched repositories, with and without --copyup"
