#!/usr/bin/env bash
# rofiles-fuse under a parallel build: many processes create, write, read,
# rename, link and delete at once, read shared files while others copy them
# up, and append to one shared file together. Every result must be what a
# native filesystem would give, the daemon must survive, and the repository
# objects must not change.
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
  [[ -x ${REF_OSTREE:-} ]] || skip "no reference ostree (REF_OSTREE)"
  exec unshare --mount --propagation private --pid --fork --mount-proc \
    env ROFILES_TEST_NS=1 bash "$0" "$@"
fi

work=$(mktemp -d /var/tmp/test-rofiles-concurrency.XXXXXX)
cleanup() {
  umount -l "$work/mnt" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

# A tree of shared files: 40 directories of 25 files each.
python3 - <<'EOF'
import os
for d in range(40):
    os.makedirs(f"src/d{d}")
    for f in range(25):
        with open(f"src/d{d}/f{f}", "w") as out:
            out.write(f"file {d}/{f}\n" * (1 + (d * 25 + f) % 300))
with open("src/log", "w") as out:
    out.write("start\n")
EOF
"$REF_OSTREE" --repo=repo init --mode=bare
"$REF_OSTREE" --repo=repo commit -b t --tree=dir=src >/dev/null
objects() { (cd repo/objects && find . -type f -exec sha256sum {} + | sort) | sha256sum; }
before=$(objects)
mkdir mnt

cat > load.py <<'EOF'
import hashlib, os, sys, random
from multiprocessing import Pool

mnt = sys.argv[1]

def expected(d, f):
    return (f"file {d}/{f}\n" * (1 + (d * 25 + f) % 300)).encode()

def builder(n):
    """A compile job: reads inputs, writes objects, renames, links, deletes."""
    rnd = random.Random(n)
    base = os.path.join(mnt, f"build{n}")
    os.mkdir(base)
    for i in range(60):
        d, f = rnd.randrange(40), rnd.randrange(25)
        with open(os.path.join(mnt, f"d{d}", f"f{f}"), "rb") as src:
            data = src.read()
        assert data == expected(d, f), f"read d{d}/f{f}"
        tmp = os.path.join(base, f"o{i}.tmp")
        with open(tmp, "wb") as out:
            out.write(data[::-1])
        final = os.path.join(base, f"o{i}")
        os.rename(tmp, final)
        if i % 3 == 0:
            os.link(final, final + ".lnk")
        with open(final, "rb") as back:
            assert back.read() == data[::-1], f"read back {final}"
        if i % 5 == 0:
            os.unlink(final)
    names = sorted(os.listdir(base))
    return len(names)

def appender(n):
    """Many processes append to one shared file; the first one copies it up."""
    with open(os.path.join(mnt, "log"), "a") as out:
        out.write(f"line {n}\n")
    return 0

def copier(d):
    """Copy-up of a whole directory's shared files, each by a different kind of change."""
    for f in range(25):
        p = os.path.join(mnt, f"d{d}", f"f{f}")
        kind = f % 3
        if kind == 0:
            with open(p, "ab") as out:
                out.write(b"appended\n")
        elif kind == 1:
            os.chmod(p, 0o600)
        else:
            os.truncate(p, 5)
    return d

if __name__ == "__main__":
    with Pool(16) as pool:
        counts = pool.map(builder, range(16))
        pool.map(appender, range(64))
        pool.map(copier, range(20, 40))
    print("builders:", counts)
EOF

# Once with file data passed through by the kernel, once served by the daemon.
for data_path in passthrough no_passthrough; do
echo "== $data_path"
rm -rf co
"$REF_OSTREE" --repo=repo checkout -H t co
if [[ $data_path == passthrough ]]; then
  "$OT_ROFILES" --copyup co mnt
else
  "$OT_ROFILES" --copyup -o no_passthrough co mnt
fi

# A reader holds a shared file open while it gets copied up and rewritten:
# it must keep reading the original, and new readers must see the new bytes.
orig=$(cat co/d0/f1)
exec 3< mnt/d0/f1
python3 load.py mnt || fail "the parallel load failed"
printf 'new content\n' > mnt/d0/f1
[[ $(cat <&3) == "$orig" ]] || fail "an open reader saw the copy-up"
exec 3<&-
[[ $(cat mnt/d0/f1) == "new content" ]] || fail "new readers do not see the rewritten file"

# Results, checked on the checkout itself.
[[ $(grep -c '^line ' co/log) == 64 ]] || fail "appends were lost: $(grep -c '^line ' co/log) of 64"
[[ $(head -1 co/log) == start ]] || fail "the shared log lost its first line"
for n in $(seq 0 15); do
  # 60 outputs, a third also hardlinked, a fifth removed.
  [[ $(ls "co/build$n" | wc -l) == $((60 + 20 - 12)) ]] || fail "build$n has $(ls "co/build$n" | wc -l) entries"
done
python3 - <<'EOF' || fail "copy-up results are wrong"
import os, stat
for d in range(20, 40):
    for f in range(25):
        p = f"co/d{d}/f{f}"
        st = os.stat(p)
        assert st.st_nlink == 1, p
        data = open(p, "rb").read()
        orig = (f"file {d}/{f}\n" * (1 + (d * 25 + f) % 300)).encode()
        kind = f % 3
        if kind == 0:
            assert data == orig + b"appended\n", p
        elif kind == 1:
            assert data == orig and stat.S_IMODE(st.st_mode) == 0o600, p
        else:
            assert data == orig[:5], p
for d in range(1, 20):
    for f in range(25):
        assert os.stat(f"co/d{d}/f{f}").st_nlink == 2, f"d{d}/f{f} was copied up without a change"
EOF

# The daemon is still serving, then unmounts cleanly; the objects are intact.
[[ $(cat mnt/d5/f5) == "$(cat co/d5/f5)" ]] || fail "the mount stopped serving"
umount mnt
[[ $(objects) == "$before" ]] || fail "a repository object changed"
"$REF_OSTREE" --repo=repo fsck -q >/dev/null || fail "fsck failed"
done
echo "PASS: parallel builders, appenders and copy-ups; objects intact"
