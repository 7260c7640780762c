#!/usr/bin/env bash
# Content objects too large to hold in memory during a pull (they go to a
# file in tmp/ as they arrive): pulled over HTTP into every repo mode they
# come out intact and the reference's fsck accepts them; an archive repo keeps
# the served bytes. Corrupted or truncated, the pull fails with one line,
# nothing lands, and no temporary file stays behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nginx.sh"
require_cmd nginx python3
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

mkdir -p tree/big
head -c $((3 * 1024 * 1024 + 5)) /dev/urandom >tree/big/random        # several chunks, incompressible
seq -f 'line %07g of a compressible text file' 1 300000 >tree/big/text # 12 MB of text, 1 MB compressed
head -c 100000 /dev/urandom >tree/big/mid                              # spilled, yet inflated whole
echo small >tree/small
chmod 0755 tree/big/mid

"$REF_OSTREE" --repo=good init --mode=archive
main=$("$REF_OSTREE" --repo=good commit -b main --tree=dir=tree -s large)
"$REF_OSTREE" --repo=good summary -u
mkdir srv
nginx_start srv "$TEST_TMP/srv"

# object PATH-IN-TREE: the .filez path of a file of the commit.
object() {
  local c
  c=$("$REF_OSTREE" --repo=good ls -C "$main" "$1" | awk '{print $5}')
  echo "objects/${c:0:2}/${c:2}.filez"
}
random_obj=$(object /big/random)
text_obj=$(object /big/text)

# no_temp_files REPO: nothing of a pull is left in REPO/tmp.
no_temp_files() {
  local left
  left=$(find "$1/tmp" -name 'tmp*' -type f)
  [[ -z $left ]] || fail "$1: temporary files left behind: $left"
  _test_check_passed
}

cp -a good srv/good
for mode in bare bare-user bare-user-only archive; do
  r=dest-$mode
  "$OT_OSTREE" --repo=$r init --mode=$mode
  "$OT_OSTREE" --repo=$r remote add --no-gpg-verify origin "$NGINX_URL_srv/good"
  "$OT_OSTREE" --repo=$r pull origin main >pull.out
  assert_eq "$("$OT_OSTREE" --repo=$r rev-parse origin:main)" "$main" "pull into $mode"
  "$REF_OSTREE" --repo=$r fsck >fsck.out 2>&1 || { cat fsck.out; fail "reference fsck after a pull into $mode"; }
  _test_check_passed
  "$REF_OSTREE" --repo=$r checkout -U origin:main co-$mode
  for f in big/random big/text big/mid small; do
    cmp -s tree/$f co-$mode/$f || fail "$f differs after a pull into $mode"
  done
  _test_check_passed
  no_temp_files $r
done
# The archive repo stores the objects as served.
cmp good/"$random_obj" dest-archive/"$random_obj" || fail "archive object differs from the served one"
cmp good/"$text_obj" dest-archive/"$text_obj" || fail "archive object differs from the served one"
_test_check_passed

# expect_refused NAME MODE REGEX: pulling from srv/NAME into a fresh MODE repo
# fails with one line matching REGEX, and leaves no object, ref or temp file.
expect_refused() {
  local r=bad-$1-$2
  "$OT_OSTREE" --repo=$r init --mode=$2
  "$OT_OSTREE" --repo=$r remote add --no-gpg-verify origin "$NGINX_URL_srv/$1"
  assert_fails "$OT_OSTREE" --repo=$r pull origin main
  assert_one_line_error "$3"
  [[ -z $(find $r/objects -name '*.file*') ]] || fail "$1 into $2: content objects landed from a refused pull"
  [[ -z $("$OT_OSTREE" --repo=$r refs) ]] || fail "$1 into $2: a ref moved"
  _test_check_passed
  no_temp_files $r
}

cp -a good srv/corrupt
python3 - "srv/corrupt/$random_obj" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x55
open(p, 'wb').write(b)
PY
cp -a good srv/truncated
truncate -s -1000 "srv/truncated/$text_obj"
cp -a good srv/trailing
printf 'junk' >>"srv/trailing/$text_obj"
# A valid large object served under another one's name.
cp -a good srv/swapped
cp "good/$text_obj" "srv/swapped/$random_obj"
for mode in bare-user archive; do
  expect_refused corrupt $mode "file object [0-9a-f]{64} from .*: (Corrupted|invalid|payload)"
  expect_refused truncated $mode "file object [0-9a-f]{64} from .*: (invalid|truncated)"
  expect_refused trailing $mode "file object [0-9a-f]{64} from .*: trailing data"
  expect_refused swapped $mode "Corrupted file object [0-9a-f]{64} \(actual checksum is [0-9a-f]{64}\)"
done
