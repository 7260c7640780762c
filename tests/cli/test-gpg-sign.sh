#!/usr/bin/env bash
# GPG signatures, both ways with the reference: upstream verifies the commits
# and summaries we sign (its show, and its pull over HTTP with gpg-verify and
# gpg-verify-summary), we verify upstream's, and each uses the remote keyring
# the other's `remote gpg-import` wrote. Then what a pull must refuse, each
# with a one-line error, the ref left where it was and no object of the
# refused commit stored: an unsigned commit, a commit signed by a key the
# remote does not trust, a corrupted signature, a summary signed by an
# untrusted key or for other contents, a missing summary.sig. Also gpg-sign
# (add, --delete) and commit --gpg-sign with a key that is not there.
# Keys are throwaway ones in a private GNUPGHOME, never the user's keyring.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nginx.sh"
require_cmd gpg gpgconf nginx python3
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

export GNUPGHOME=$TEST_TMP/gnupg
mkdir -m 700 "$GNUPGHOME"
# gpg starts an agent for the secret keys; it must not outlive the test.
# The exit status is handed on to lib.sh's handler (set +e, or a non-zero
# status would end the trap before it).
trap '_rc=$?; gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1; set +e; (exit $_rc); _test_on_exit' EXIT

gen_key() {
  gpg --batch --passphrase '' --quick-gen-key "$1" ed25519 sign 0 2>/dev/null
  gpg --list-keys --with-colons "$1" | awk -F: '/^fpr/ { print $10; exit }'
}
TRUSTED=$(gen_key 'Trusted Signer <trusted@example.com>')
UNKNOWN=$(gen_key 'Unknown Signer <unknown@example.com>')
gpg --export "$TRUSTED" >trusted.gpg
gpg --export --armor "$TRUSTED" >trusted.asc
mkdir trusted.d && cp trusted.gpg trusted.d/
assert_file_has_content trusted.asc 'BEGIN PGP PUBLIC KEY BLOCK'

mkdir -p tree/usr/bin tree2/usr/bin
echo one >tree/usr/bin/a
echo two >tree2/usr/bin/a

# --- we sign; upstream verifies ---------------------------------------------------------
mkdir srv
"$OT_OSTREE" --repo=srv/ours init --mode=archive
c1=$("$OT_OSTREE" --repo=srv/ours commit -b main --tree=dir=tree --timestamp=2021-06-01T00:00:00Z -s v1 \
  --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME")
"$OT_OSTREE" --repo=srv/ours summary -u --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME"
[[ -f srv/ours/summary.sig ]] || fail "summary -u --gpg-sign wrote no summary.sig"
OSTREE_GPG_HOME=$TEST_TMP/trusted.d "$REF_OSTREE" --repo=srv/ours show main >show.out
assert_file_has_content show.out 'Good signature from "Trusted Signer <trusted@example.com>"'
assert_eq "$(grep -c 'Signature made' show.out)" 1 "signatures upstream sees on our commit"

nginx_start srv "$TEST_TMP/srv"
"$REF_OSTREE" --repo=ref-client init --mode=archive
"$REF_OSTREE" --repo=ref-client remote add --set=gpg-verify-summary=true origin "$NGINX_URL_srv/ours"
# The keyring file is ours: upstream must read what our gpg-import writes.
"$OT_OSTREE" --repo=ref-client remote gpg-import origin -k trusted.asc >import.out
assert_eq "$(cat import.out)" 'Imported 1 GPG key to remote "origin"' "gpg-import output"
"$REF_OSTREE" --repo=ref-client pull origin main >/dev/null
assert_eq "$("$REF_OSTREE" --repo=ref-client rev-parse origin:main)" "$c1" "upstream pulled our signed commit"

# Upstream refuses our commit when its keyring lacks the key: the check is real.
"$REF_OSTREE" --repo=ref-untrusting init --mode=archive
"$REF_OSTREE" --repo=ref-untrusting remote add origin "$NGINX_URL_srv/ours"
assert_fails "$REF_OSTREE" --repo=ref-untrusting pull origin main
assert_file_has_content err 'public key not found'

# --- upstream signs; we verify ----------------------------------------------------------
"$REF_OSTREE" --repo=srv/upstream init --mode=archive
u1=$("$REF_OSTREE" --repo=srv/upstream commit -b main --tree=dir=tree --timestamp=2021-06-01T00:00:00Z -s v1 \
  --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME")
assert_eq "$u1" "$c1" "the same commit from both tools"
"$REF_OSTREE" --repo=srv/upstream summary -u --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME"
"$OT_OSTREE" --repo=client init --mode=archive
"$OT_OSTREE" --repo=client remote add --set=gpg-verify-summary=true origin "$NGINX_URL_srv/upstream"
# Without a keyring, gpg-verify (on by default) refuses the signed commit.
assert_fails "$OT_OSTREE" --repo=client pull origin main
assert_one_line_error 'public key not found'
# The keyring written by upstream's gpg-import serves us as well.
"$REF_OSTREE" --repo=client remote gpg-import origin -k trusted.gpg >/dev/null
"$OT_OSTREE" --repo=client pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=client rev-parse origin:main)" "$c1" "we pulled upstream's signed commit"
"$REF_OSTREE" --repo=client fsck >/dev/null
_test_check_passed

# Both gpg-imports write the same keyring.
"$REF_OSTREE" --repo=ref-client remote add second http://unused/
"$REF_OSTREE" --repo=ref-client remote gpg-import second -k trusted.gpg >/dev/null
"$OT_OSTREE" --repo=ref-client remote add --no-gpg-verify third http://unused/
"$OT_OSTREE" --repo=ref-client remote gpg-import third -k trusted.gpg >/dev/null
cmp ref-client/second.trustedkeys.gpg ref-client/third.trustedkeys.gpg || fail "keyrings from the two gpg-imports differ"
_test_check_passed
# Importing the same key again adds nothing.
assert_eq "$("$OT_OSTREE" --repo=ref-client remote gpg-import third --stdin <trusted.asc)" \
  'Imported 0 GPG keys to remote "third"' "re-import"
assert_fails "$OT_OSTREE" --repo=client remote gpg-import nosuch -k trusted.gpg
assert_one_line_error 'Remote "nosuch" not found'
assert_fails "$OT_OSTREE" --repo=client remote gpg-import origin -k trusted.gpg DEADBEEFDEADBEEF
assert_one_line_error 'Unable to find key "DEADBEEFDEADBEEF"'

# --- what a pull refuses ----------------------------------------------------------------
# variant NAME [COMMIT-ARGS...]: srv/NAME = srv/ours plus a v2 commit on main
# made with the extra arguments, and a summary signed by the trusted key.
variant() {
  local name=$1
  shift
  cp -a srv/ours "srv/$name"
  "$OT_OSTREE" --repo="srv/$name" commit -b main --tree=dir=tree2 --timestamp=2021-06-02T00:00:00Z -s v2 "$@"
  "$OT_OSTREE" --repo="srv/$name" summary -u --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME"
}
# refused NAME REGEX [REMOTE-ADD-ARGS...]: $client, at c1 from srv/ours,
# pulls main from srv/NAME and fails with one line matching REGEX; its ref
# stays at c1 and the new commit is not stored.
client=client
refused() {
  local name=$1 regex=$2 c2
  shift 2
  c2=$("$OT_OSTREE" --repo="srv/$name" rev-parse main)
  "$OT_OSTREE" --repo=$client remote add --force "$@" origin "$NGINX_URL_srv/$name"
  assert_fails "$OT_OSTREE" --repo=$client pull origin main
  assert_one_line_error "$regex"
  assert_eq "$("$OT_OSTREE" --repo=$client rev-parse origin:main)" "$c1" "origin:main after the refused pull from $name"
  [[ ! -e $client/objects/${c2:0:2}/${c2:2}.commit ]] || fail "$name: refused commit $c2 was stored"
  _test_check_passed
}

variant unsigned >/dev/null
refused unsigned 'GPG verification enabled, but no signatures found'

variant untrusted --gpg-sign="$UNKNOWN" --gpg-homedir="$GNUPGHOME" >/dev/null
refused untrusted "key ID ${UNKNOWN: -16}: Can't check signature: public key not found"

# A corrupted signature: one byte of the signature packet flipped.
variant corrupt --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME" >/dev/null
c2=$("$OT_OSTREE" --repo=srv/corrupt rev-parse main)
python3 - "srv/corrupt/objects/${c2:0:2}/${c2:2}.commitmeta" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
# The a{sv} ends with the signature list's bytes, then "\0aay" and offsets:
# 20 bytes before that lies the signature's last number.
i = data.rfind(b'\x00aay')
assert i > 40, "no aay in the detached metadata"
data[i - 20] ^= 0xff
open(path, 'wb').write(data)
PY
refused corrupt 'BAD signature from "Trusted Signer <trusted@example.com>"'

# The good variant passes, so the refusals above are about the signatures.
variant good --gpg-sign="$TRUSTED" --gpg-homedir="$GNUPGHOME" >/dev/null
"$OT_OSTREE" --repo=client remote add --force origin "$NGINX_URL_srv/good"
"$OT_OSTREE" --repo=client pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=client rev-parse origin:main)" "$("$OT_OSTREE" --repo=srv/good rev-parse main)" \
  "origin:main after pulling a signed v2"
# ...and the same server with summary checks refuses summaries it cannot
# trust (a second client, still at c1).
client=client2
"$OT_OSTREE" --repo=client2 init --mode=archive
"$OT_OSTREE" --repo=client2 remote add origin "$NGINX_URL_srv/ours"
cp client/origin.trustedkeys.gpg client2/
"$OT_OSTREE" --repo=client2 pull origin main >/dev/null
cp -a srv/good srv/sum-untrusted
"$OT_OSTREE" --repo=srv/sum-untrusted summary -u --gpg-sign="$UNKNOWN" --gpg-homedir="$GNUPGHOME"
refused sum-untrusted "Can't check signature: public key not found" --set=gpg-verify-summary=true
# A summary.sig that signs other contents: the summary changed after signing.
cp -a srv/good srv/sum-stale
cp srv/good/summary.sig sum.sig.keep
"$OT_OSTREE" --repo=srv/sum-stale summary -u -m extra="'changed'"
cp sum.sig.keep srv/sum-stale/summary.sig
refused sum-stale 'BAD signature' --set=gpg-verify-summary=true
cp -a srv/good srv/sum-none
rm srv/sum-none/summary.sig
refused sum-none 'no summary.sig found' --set=gpg-verify-summary=true

# --- gpg-sign and commit --gpg-sign -----------------------------------------------------
"$OT_OSTREE" --repo=srv/unsigned gpg-sign --gpg-homedir="$GNUPGHOME" main "$TRUSTED" "$UNKNOWN"
OSTREE_GPG_HOME=$TEST_TMP/trusted.d "$REF_OSTREE" --repo=srv/unsigned show main >show.out
assert_eq "$(grep -c 'Signature made' show.out)" 2 "signatures after gpg-sign with two keys"
assert_file_has_content show.out 'Good signature from "Trusted Signer <trusted@example.com>"'
assert_eq "$("$OT_OSTREE" --repo=srv/unsigned gpg-sign --delete --gpg-homedir="$GNUPGHOME" main "${UNKNOWN: -16}")" \
  "Signatures deleted: 1" "gpg-sign --delete by key ID"
OSTREE_GPG_HOME=$TEST_TMP/trusted.d "$REF_OSTREE" --repo=srv/unsigned show main >show.out
assert_eq "$(grep -c 'Signature made' show.out)" 1 "signatures left after --delete"
assert_file_has_content show.out 'Good signature'
assert_fails "$OT_OSTREE" --repo=srv/unsigned gpg-sign main
assert_file_has_content err '^error: Need at least one GPG KEY-ID to sign with$'

before=$("$OT_OSTREE" --repo=srv/ours rev-parse main)
assert_fails "$OT_OSTREE" --repo=srv/ours commit -b main --tree=dir=tree2 -s nokey --gpg-sign=0123456789ABCDEF \
  --gpg-homedir="$GNUPGHOME"
assert_one_line_error 'No gpg key found with ID 0123456789ABCDEF'
assert_eq "$("$OT_OSTREE" --repo=srv/ours rev-parse main)" "$before" "main after a commit with a missing key"
assert_fails "$OT_OSTREE" --repo=srv/ours summary -u --gpg-sign=0123456789ABCDEF --gpg-homedir="$GNUPGHOME"
assert_one_line_error 'No gpg key found'
[[ -f srv/ours/summary.sig ]] || fail "a failed summary signing removed summary.sig"
_test_check_passed

# --- pull-local --gpg-verify ------------------------------------------------------------
"$OT_OSTREE" --repo=local init --mode=archive
"$OT_OSTREE" --repo=local remote add --no-gpg-verify keys http://unused/
"$OT_OSTREE" --repo=local remote gpg-import keys -k trusted.gpg >/dev/null
assert_fails "$OT_OSTREE" --repo=local pull-local --gpg-verify srv/ours main
assert_one_line_error 'Must specify remote name'
"$OT_OSTREE" --repo=local pull-local --gpg-verify --gpg-verify-summary --remote=keys srv/ours main >/dev/null
assert_fails "$OT_OSTREE" --repo=local pull-local --gpg-verify --remote=keys srv/untrusted main
assert_one_line_error 'public key not found'
assert_eq "$("$OT_OSTREE" --repo=local rev-parse keys:main)" "$c1" "pull-local ref after a refused commit"
