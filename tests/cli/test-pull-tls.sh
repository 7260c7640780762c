#!/usr/bin/env bash
# HTTPS remotes with a CA the test makes: tls-ca-path trusts it, an unknown
# CA is refused unless tls-permissive, a server that wants client
# certificates gets tls-client-cert-path/-key, and HTTP/2 is used when the
# server offers it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nginx.sh"
require_cmd nginx openssl
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

# --- a CA, a server certificate for 127.0.0.1, a client certificate ---------------------
mkdir pki && cd pki
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=ostree test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
  -extfile server.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=ostree client" 2>/dev/null
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
# A second CA that signed nothing here.
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=other CA" 2>/dev/null
cd "$TEST_TMP"
pki=$TEST_TMP/pki

mkdir -p tree/usr/bin && for i in 1 2 3 4 5; do head -c $((i * 4000)) /dev/urandom >tree/usr/bin/f$i; done
mkdir srv
"$REF_OSTREE" --repo=srv/repo init --mode=archive
main=$("$REF_OSTREE" --repo=srv/repo commit -b main --tree=dir=tree -s tls)
"$REF_OSTREE" --repo=srv/repo summary -u

tls="ssl_certificate $pki/server.pem; ssl_certificate_key $pki/server.key;"
nginx_start tls "$TEST_TMP/srv" "$tls" "ssl http2"
nginx_start mtls "$TEST_TMP/srv" "$tls ssl_client_certificate $pki/ca.pem; ssl_verify_client on;" "ssl"

# client NAME URL [remote-add options]: a fresh repo with remote "origin".
client() {
  local name=$1 url=$2
  shift 2
  rm -rf "$name"
  "$OT_OSTREE" --repo="$name" init --mode=archive
  "$OT_OSTREE" --repo="$name" remote add --no-gpg-verify "$@" origin "$url/repo"
}

# Unknown CA: refused in one line naming the URL.
client noca "$NGINX_URL_tls"
assert_fails "$OT_OSTREE" --repo=noca pull origin main
assert_one_line_error "While fetching https://127\.0\.0\.1:[0-9]+/repo/config: .*(certificate|SSL)"
client wrongca "$NGINX_URL_tls" --set=tls-ca-path="$pki/other.pem"
assert_fails "$OT_OSTREE" --repo=wrongca pull origin main
assert_one_line_error "certificate|SSL"

# tls-ca-path trusts the test CA; the objects came over HTTP/2.
client withca "$NGINX_URL_tls" --set=tls-ca-path="$pki/ca.pem"
"$OT_OSTREE" --repo=withca pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=withca rev-parse origin:main)" "$main" "pull with tls-ca-path"
assert_file_has_content "$NGINX_LOG_tls" '"GET /repo/objects/.*\.filez HTTP/2\.0" 200'
"$REF_OSTREE" --repo=withca fsck >/dev/null
# http2=false keeps to HTTP/1.1.
lines=$(wc -l <"$NGINX_LOG_tls")
client h1 "$NGINX_URL_tls" --set=tls-ca-path="$pki/ca.pem" --set=http2=false
"$OT_OSTREE" --repo=h1 pull origin main >/dev/null
tail -n +$((lines + 1)) "$NGINX_LOG_tls" >h1.log
assert_file_has_content h1.log '"GET /repo/objects/.*\.filez HTTP/1\.1" 200'
assert_not_file_has_content h1.log 'HTTP/2\.0'

# tls-permissive skips verification.
client permissive "$NGINX_URL_tls" --set=tls-permissive=true
"$OT_OSTREE" --repo=permissive pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=permissive rev-parse origin:main)" "$main" "pull with tls-permissive"

# Client certificates.
client nocert "$NGINX_URL_mtls" --set=tls-ca-path="$pki/ca.pem"
assert_fails "$OT_OSTREE" --repo=nocert pull origin main
assert_one_line_error "HTTP 400"
client withcert "$NGINX_URL_mtls" --set=tls-ca-path="$pki/ca.pem" \
  --set=tls-client-cert-path="$pki/client.pem" --set=tls-client-key-path="$pki/client.key"
"$OT_OSTREE" --repo=withcert pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=withcert rev-parse origin:main)" "$main" "pull with a client certificate"

# The reference reads the same remote settings the same way.
"$REF_OSTREE" --repo=ref init --mode=archive
"$REF_OSTREE" --repo=ref remote add --no-gpg-verify --set=tls-ca-path="$pki/ca.pem" \
  --set=tls-client-cert-path="$pki/client.pem" --set=tls-client-key-path="$pki/client.key" origin "$NGINX_URL_mtls/repo"
"$REF_OSTREE" --repo=ref pull origin main >/dev/null
diff <(sed -n '/remote/,$p' ref/config) <(sed -n '/remote/,$p' withcert/config) ||
  fail "remote config differs from the reference's for the same options"
_test_check_passed
