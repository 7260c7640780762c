#!/usr/bin/env bash
# ed25519 signatures in upstream's format. Debian's ostree is built without
# ed25519, so the format is checked against its documentation with tools that
# do not share our code: keys are made by the openssl CLI the way upstream's
# test suite makes them (secret = base64 of seed + public key, public =
# base64 of the 32-byte key), each signature read back with GLib (the aay
# under "ostree.sign.ed25519" in the detached metadata) must be openssl's
# valid raw ed25519 signature of the commit object's bytes, and
# summary.sig holds the same over the summary file. Then our own round trip:
# sign / sign --verify / --keys-file / --keys-dir / --delete, and pulls over
# HTTP with sign-verify and sign-verify-summary that must refuse an unsigned
# commit, a commit signed by another key, a corrupted signature and a
# wrongly signed summary, each with a one-line error, the ref unmoved and
# the refused commit not stored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nginx.sh"
require_cmd openssl base64 python3 nginx
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
# GLib's Python bindings read the metadata exactly as upstream does.
GLIB_PYTHON=/usr/bin/python3
"$GLIB_PYTHON" -c 'import gi' 2>/dev/null || skip "python3-gi is not installed (scripts/install-deps.sh)"

# gen_key NAME: NAME.pem, and $NAME_PUBLIC / $NAME_SECRET in upstream's format.
gen_key() {
  local seed public
  openssl genpkey -algorithm ed25519 -out "$1.pem"
  openssl pkey -in "$1.pem" -pubout -out "$1.pub.pem"
  public=$(openssl pkey -outform DER -pubout -in "$1.pem" | tail -c 32 | base64 -w 0)
  seed=$(openssl pkey -outform DER -in "$1.pem" | tail -c 32 | base64 -w 0)
  printf -v "${1}_PUBLIC" '%s' "$public"
  printf -v "${1}_SECRET" '%s' "$( (echo "$seed" | base64 -d; echo "$public" | base64 -d) | base64 -w 0)"
}
gen_key A
gen_key B

# openssl_verifies PUBPEM DATAFILE SIGFILE
openssl_verifies() {
  openssl pkeyutl -verify -pubin -inkey "$1" -rawin -in "$2" -sigfile "$3" >/dev/null 2>&1
}
# glib_sigs FILE PREFIX: the ostree.sign.ed25519 signatures of the a{sv}
# in FILE (a .commitmeta, summary.sig), read with GLib's own GVariant code,
# written to PREFIX.0, PREFIX.1, ...; prints how many.
glib_sigs() {
  "$GLIB_PYTHON" - "$1" "$2" <<'PY'
import sys
import gi
gi.require_version('GLib', '2.0')
from gi.repository import GLib
data = open(sys.argv[1], 'rb').read()
v = GLib.Variant.new_from_bytes(GLib.VariantType.new('a{sv}'), GLib.Bytes.new(data), False)
d = v.unpack()
sigs = d.get('ostree.sign.ed25519', [])
assert v.lookup_value('ostree.sign.ed25519', None) is None or \
    v.lookup_value('ostree.sign.ed25519', None).get_type_string() == 'aay'
for i, s in enumerate(sigs):
    open(f'{sys.argv[2]}.{i}', 'wb').write(bytes(s))
print(len(sigs))
PY
}
# commitmeta REPO COMMIT: the path of its detached metadata.
commitmeta() { echo "$1/objects/${2:0:2}/${2:2}.commitmeta"; }

mkdir -p tree/usr/bin tree2/usr/bin
echo one >tree/usr/bin/a
echo two >tree2/usr/bin/a

# --- format: what openssl and upstream's reader see ------------------------------------
mkdir srv
"$OT_OSTREE" --repo=srv/good init --mode=archive
c1=$("$OT_OSTREE" --repo=srv/good commit -b main --tree=dir=tree --timestamp=2021-06-01T00:00:00Z -s v1 \
  --sign="$A_SECRET")
assert_eq "$(glib_sigs "$(commitmeta srv/good "$c1")" sig)" 1 "ed25519 signatures after commit --sign"
"$REF_OSTREE" --repo=srv/good show "$c1" --print-detached-metadata-key=ostree.sign.ed25519 >/dev/null
assert_eq "$(stat -c %s sig.0)" 64 "signature size"
objfile=srv/good/objects/${c1:0:2}/${c1:2}.commit
openssl_verifies A.pub.pem "$objfile" sig.0 || fail "openssl does not verify our signature of the commit object"
_test_check_passed
! openssl_verifies B.pub.pem "$objfile" sig.0 || fail "openssl verifies the signature with another key"
_test_check_passed
# The same commit written by upstream has the same bytes, so the signature is one of its commit.
"$REF_OSTREE" --repo=ref init --mode=archive
assert_eq "$("$REF_OSTREE" --repo=ref commit -b main --tree=dir=tree --timestamp=2021-06-01T00:00:00Z -s v1)" "$c1" \
  "upstream's commit of the same tree"

"$OT_OSTREE" --repo=srv/good summary -u --sign="$A_SECRET"
assert_eq "$(glib_sigs srv/good/summary.sig sumsig)" 1 "ed25519 signatures in summary.sig"
openssl_verifies A.pub.pem srv/good/summary sumsig.0 || fail "openssl does not verify summary.sig's signature"
_test_check_passed


# --- sign / sign --verify / --keys-file / --keys-dir / --delete -------------------------
"$OT_OSTREE" --repo=srv/good sign --verify main "$A_PUBLIC" >out
assert_eq "$(cat out)" "ed25519: Signature verified successfully with key '$(echo "$A_PUBLIC" | base64 -d | od -An -tx1 | tr -d ' \n')'" \
  "sign --verify output"
assert_fails "$OT_OSTREE" --repo=srv/good sign --verify main "$B_PUBLIC"
assert_one_line_error "ed25519: Signature couldn't be verified with: key"
assert_fails "$OT_OSTREE" --repo=srv/good sign --verify main not-a-key
assert_one_line_error "Invalid KEY 'not-a-key'"
assert_fails "$OT_OSTREE" --repo=srv/good sign main "$A_PUBLIC"
assert_one_line_error "Invalid KEY"
assert_fails "$OT_OSTREE" --repo=srv/good sign --sign-type=dummy main "$A_SECRET"
assert_one_line_error 'Requested signature type is not implemented'

echo "$B_SECRET" >b.secret
"$OT_OSTREE" --repo=srv/good sign --keys-file=b.secret main
assert_eq "$(glib_sigs "$(commitmeta srv/good "$c1")" sig)" 2 "signatures after signing with a keys file"
openssl_verifies B.pub.pem "$objfile" sig.1 || fail "openssl does not verify the keys-file signature"
_test_check_passed
printf '%s\n%s\n' "$B_PUBLIC" "$A_PUBLIC" >keys.pub
"$OT_OSTREE" --repo=srv/good sign --verify --keys-file=keys.pub main >/dev/null
mkdir -p keysdir/trusted.ed25519.d
echo "$B_PUBLIC" >keysdir/trusted.ed25519.d/b
"$OT_OSTREE" --repo=srv/good sign --verify --keys-dir=keysdir main >/dev/null
echo "$B_PUBLIC" >keysdir/revoked.ed25519
assert_fails "$OT_OSTREE" --repo=srv/good sign --verify --keys-dir=keysdir main
assert_one_line_error 'ed25519'
assert_eq "$("$OT_OSTREE" --repo=srv/good sign --delete main "$B_PUBLIC")" "Signatures deleted: 1" "sign --delete"
assert_fails "$OT_OSTREE" --repo=srv/good sign --verify main "$B_PUBLIC"
"$OT_OSTREE" --repo=srv/good sign --verify main "$A_PUBLIC" >/dev/null

# A bad key leaves no commit behind a moved branch.
assert_fails "$OT_OSTREE" --repo=srv/good commit -b main --tree=dir=tree2 -s bad --sign="$A_PUBLIC"
assert_one_line_error 'Incorrect ed25519 secret key'
assert_eq "$("$OT_OSTREE" --repo=srv/good rev-parse main)" "$c1" "main after a commit with a bad key"

# --- pulls with sign-verify -------------------------------------------------------------
# variant NAME [COMMIT-ARGS...]: srv/NAME = srv/good plus a v2 commit on main
# made with the extra arguments; its summary signed by A.
variant() {
  local name=$1
  shift
  cp -a srv/good "srv/$name"
  "$OT_OSTREE" --repo="srv/$name" commit -b main --tree=dir=tree2 --timestamp=2021-06-02T00:00:00Z -s v2 "$@" >/dev/null
  "$OT_OSTREE" --repo="srv/$name" summary -u --sign="$A_SECRET"
}
variant next --sign="$A_SECRET"
variant unsigned
variant otherkey --sign="$B_SECRET"
variant corrupt --sign="$A_SECRET"
c2=$("$OT_OSTREE" --repo=srv/corrupt rev-parse main)
python3 - "srv/corrupt/objects/${c2:0:2}/${c2:2}.commitmeta" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
i = data.rfind(b'\x00aay')
data[i - 10] ^= 0x01  # inside the 64 signature bytes that precede the framing
open(path, 'wb').write(data)
PY
cp -a srv/next srv/badsum
"$OT_OSTREE" --repo=srv/badsum summary -u --sign="$B_SECRET"

nginx_start srv "$TEST_TMP/srv"
echo "$A_PUBLIC" >trusted.pub
"$OT_OSTREE" --repo=client init --mode=archive
"$OT_OSTREE" --repo=client remote add --no-gpg-verify --sign-verify=ed25519=inline:"$A_PUBLIC" \
  --set=sign-verify-summary=true origin "$NGINX_URL_srv/good"
grep -qxF "verification-ed25519-key=$A_PUBLIC" client/config || fail "remote add --sign-verify=ed25519=inline: wrote no key"
_test_check_passed
assert_file_has_content client/config '^sign-verify=ed25519$'
"$OT_OSTREE" --repo=client pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=client rev-parse origin:main)" "$c1" "pulled the signed commit"

# refused NAME REGEX [REMOTE-ADD-ARGS...]: the client at c1 pulls main from
# srv/NAME and fails with one line matching REGEX, the ref unmoved and the
# new commit not stored.
refused() {
  local name=$1 regex=$2 c2
  shift 2
  c2=$("$OT_OSTREE" --repo="srv/$name" rev-parse main)
  "$OT_OSTREE" --repo=client remote add --force --no-gpg-verify "$@" origin "$NGINX_URL_srv/$name"
  assert_fails "$OT_OSTREE" --repo=client pull origin main
  assert_one_line_error "$regex"
  assert_eq "$("$OT_OSTREE" --repo=client rev-parse origin:main)" "$c1" "origin:main after the refused pull from $name"
  [[ ! -e client/objects/${c2:0:2}/${c2:2}.commit ]] || fail "$name: refused commit $c2 was stored"
  _test_check_passed
}
refused unsigned "Can't verify commit without detached metadata" --sign-verify=ed25519=file:"$TEST_TMP/trusted.pub"
refused otherkey "Can't verify commit $("$OT_OSTREE" --repo=srv/otherkey rev-parse main): ed25519: Signature couldn't be verified" \
  --sign-verify=ed25519=file:"$TEST_TMP/trusted.pub"
refused corrupt "ed25519: Signature couldn't be verified" --sign-verify=ed25519=inline:"$A_PUBLIC"
refused badsum "Can't verify summary: ed25519: Signature couldn't be verified" \
  --sign-verify=ed25519=inline:"$A_PUBLIC" --set=sign-verify-summary=true
cp -a srv/next srv/nosum
rm srv/nosum/summary.sig
refused nosum 'no summary.sig found' --sign-verify=ed25519=inline:"$A_PUBLIC" --set=sign-verify-summary=true
# A required key type without keys is a configuration error, named at pull time.
"$OT_OSTREE" --repo=client remote add --force --no-gpg-verify --set=sign-verify=ed25519 origin "$NGINX_URL_srv/next"
assert_fails "$OT_OSTREE" --repo=client pull origin main
assert_one_line_error 'No keys found for required signapi type ed25519'

# The refusals are about the signatures: the good next commit lands.
"$OT_OSTREE" --repo=client remote add --force --no-gpg-verify --sign-verify=ed25519=file:"$TEST_TMP/trusted.pub" \
  --set=sign-verify-summary=true origin "$NGINX_URL_srv/next"
"$OT_OSTREE" --repo=client pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=client rev-parse origin:main)" "$("$OT_OSTREE" --repo=srv/next rev-parse main)" \
  "origin:main after the signed v2"
"$REF_OSTREE" --repo=client fsck >/dev/null
_test_check_passed
