#!/usr/bin/env bash
# A server that lies: corrupted, truncated and missing objects, a ref that is
# not there, a dirtree naming "..". Each pull fails with one line naming the
# problem, lands no object, and leaves existing refs where they were.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nginx.sh"
require_cmd nginx python3
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

mkdir -p tree/usr/bin tree/etc
for i in $(seq 1 20); do head -c $((i * 997)) /dev/urandom >tree/usr/bin/prog$i; done
echo config >tree/etc/conf
mkdir -p tree2 && cp -a tree/. tree2/ && echo new >tree2/usr/bin/added

"$REF_OSTREE" --repo=good init --mode=archive
v1=$("$REF_OSTREE" --repo=good commit -b main --tree=dir=tree -s v1)
v2=$("$REF_OSTREE" --repo=good commit -b main --tree=dir=tree2 -s v2)
"$REF_OSTREE" --repo=good refs --create=v1 "$v1"
"$REF_OSTREE" --repo=good summary -u
mkdir srv
nginx_start srv "$TEST_TMP/srv"

# serve NAME: a fresh copy of the good repo at $NGINX_URL_srv/NAME.
serve() {
  rm -rf "srv/$1"
  cp -a good "srv/$1"
}

# client NAME: a repo whose remote "origin" is srv/NAME, holding v1 as origin:main.
client() {
  rm -rf "c-$1"
  "$OT_OSTREE" --repo="c-$1" init --mode=bare-user
  "$OT_OSTREE" --repo="c-$1" remote add --no-gpg-verify origin "$NGINX_URL_srv/$1"
  "$OT_OSTREE" --repo="c-$1" pull-local --disable-verify-bindings --remote=origin good v1 >/dev/null
  mv "c-$1/refs/remotes/origin/v1" "c-$1/refs/remotes/origin/main"
  find "c-$1/objects" -type f | sort >"c-$1.objects"
}

# expect_refused NAME REGEX: pulling main from srv/NAME fails with one line
# matching REGEX; no object landed and origin:main is still v1.
expect_refused() {
  client "$1"
  assert_fails "$OT_OSTREE" --repo="c-$1" pull origin main
  assert_one_line_error "$2"
  diff "c-$1.objects" <(find "c-$1/objects" -type f | sort) >/dev/null ||
    fail "$1: objects landed from a refused pull"
  assert_eq "$("$OT_OSTREE" --repo="c-$1" rev-parse origin:main)" "$v1" "$1: origin:main after a refused pull"
  [[ -z $(ls "c-$1/state") ]] || fail "$1: partial-commit marker left: $(ls "c-$1/state")"
  _test_check_passed
}

# The objects v2 adds (v1 has the rest).
added=$("$REF_OSTREE" --repo=good ls -C "$v2" /usr/bin/added | awk '{print $5}')
added_path=objects/${added:0:2}/${added:2}.filez

serve corrupt
python3 - "srv/corrupt/$added_path" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[-3] ^= 0xff
open(p, 'wb').write(b)
EOF
expect_refused corrupt "file object $added from .*: (Corrupted|payload|invalid|truncated)"

serve truncated
truncate -s -5 "srv/truncated/$added_path"
expect_refused truncated "file object $added from .*: (Corrupted|payload|invalid|truncated)"

serve missing
rm "srv/missing/$added_path"
expect_refused missing "While fetching http://127\.0\.0\.1:[0-9]+/missing/$added_path: Server returned HTTP 404"

# A valid object served under another object's name.
serve swapped
other=$(find srv/swapped/objects -name '*.filez' ! -path "*/$added_path" | head -1)
cp "$other" "srv/swapped/$added_path"
expect_refused swapped "Corrupted file object $added \(actual checksum is [0-9a-f]{64}\)"

# A dirtree whose bytes do not match its name.
serve baddirtree
dt=$("$REF_OSTREE" --repo=good ls -d -C "$v2" /usr/bin | awk '{print $5}')
dt_path=objects/${dt:0:2}/${dt:2}.dirtree
python3 - "srv/baddirtree/$dt_path" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[10] ^= 0x01
open(p, 'wb').write(b)
EOF
expect_refused baddirtree "$dt"

# Refs the server does not have.
serve nosuchref
client nosuchref
assert_fails "$OT_OSTREE" --repo=c-nosuchref pull origin nope
assert_one_line_error "No such branch 'nope' in repository summary"
serve nosummary
rm srv/nosummary/summary
client nosummary
assert_fails "$OT_OSTREE" --repo=c-nosummary pull origin nope
assert_one_line_error "While fetching http://127\.0\.0\.1:[0-9]+/nosummary/refs/heads/nope: Server returned HTTP 404"
# A ref file that is not a checksum.
echo garbage >srv/nosummary/refs/heads/main
assert_fails "$OT_OSTREE" --repo=c-nosummary pull origin main
assert_one_line_error "Invalid commit checksum in ref main"
# A summary that is not one.
serve badsummary
head -c 200 /dev/urandom >srv/badsummary/summary
client badsummary
assert_fails "$OT_OSTREE" --repo=c-badsummary pull origin main
assert_one_line_error "[Ss]ummary"

# A self-consistent server whose tree names "..": every checksum matches, the
# dirtree is well-formed GVariant, and still nothing of it may land.
"$REF_OSTREE" --repo=evil-src init --mode=archive
mkdir -p evtree/xx && echo payload >evtree/xx/f
ev=$("$REF_OSTREE" --repo=evil-src commit -b evil --tree=dir=evtree -s evil)
mkdir -p srv/evil && cp -a evil-src/. srv/evil/
root_hex=$("$REF_OSTREE" --repo=evil-src ls -d -C "$ev" / | awk '{print $5}')
python3 - srv/evil "$ev" "$root_hex" <<'EOF'
import hashlib, os, sys
repo, commit, root_hex = sys.argv[1], sys.argv[2], sys.argv[3]
def path(c, t): return f"{repo}/objects/{c[:2]}/{c[2:]}.{t}"
cbytes = open(path(commit, "commit"), "rb").read()
root = bytes.fromhex(root_hex)
assert cbytes.count(root) == 1
tbytes = open(path(root_hex, "dirtree"), "rb").read()
assert b"xx\0" in tbytes
evil_tree = tbytes.replace(b"xx\0", b"..\0")
evil_tree_hex = hashlib.sha256(evil_tree).hexdigest()
os.makedirs(os.path.dirname(path(evil_tree_hex, "dirtree")), exist_ok=True)
open(path(evil_tree_hex, "dirtree"), "wb").write(evil_tree)
evil_commit = cbytes.replace(root, bytes.fromhex(evil_tree_hex))
evil_commit_hex = hashlib.sha256(evil_commit).hexdigest()
os.makedirs(os.path.dirname(path(evil_commit_hex, "commit")), exist_ok=True)
open(path(evil_commit_hex, "commit"), "wb").write(evil_commit)
open(f"{repo}/refs/heads/evil", "w").write(evil_commit_hex + "\n")
print(evil_tree_hex)
EOF
rm -f srv/evil/summary
for tool in "$REF_OSTREE" "$OT_OSTREE"; do
  rm -rf c-evil && "$tool" --repo=c-evil init --mode=bare-user
  "$tool" --repo=c-evil remote add --no-gpg-verify origin "$NGINX_URL_srv/evil"
  assert_fails "$tool" --repo=c-evil pull origin evil
done
assert_one_line_error 'dirtree [0-9a-f]{64}.*(\.\.|name)'
assert_eq "$(find c-evil/objects -type f | wc -l)" 0 "objects landed from the hostile tree"
assert_eq "$("$OT_OSTREE" --repo=c-evil refs)" "" "refs after the hostile tree"
[[ ! -e c-evil/xx && ! -e xx ]] || fail "something was written outside the repository"
_test_check_passed
