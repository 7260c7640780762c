#!/usr/bin/env bash
# `admin upgrade` and `admin switch` of a sysroot whose origin names a remote
# served over HTTP by nginx: upgrade pulls and deploys the new commit with the
# running /etc; --pull-only only fetches, --deploy-only deploys what is
# there; nothing new is "No update available."; an older commit needs
# --allow-downgrade; switch moves to another ref of the same remote. The
# sysroot stays readable by upstream throughout.
. "$(dirname "$0")/lib.sh"
. "$TEST_LIB_DIR/lib-nginx.sh"
require_cmd nginx

make_tree() { # DIR KVER VERSION
  mkdir -p "$1/usr/lib/modules/$2" "$1/usr/etc"
  echo "kernel $2" >"$1/usr/lib/modules/$2/vmlinuz"
  printf 'PRETTY_NAME="HTTP OS"\n' >"$1/usr/lib/os-release"
  echo "default $3" >"$1/usr/etc/motd"
  echo "$3" >"$1/usr/etc/release"
}
commit() { # REF TREE VERSION DATE
  "$OT_OSTREE" --repo=served commit -b "$1" --tree=dir="$2" -s "$3" --add-metadata-string=version="$3" --timestamp="$4" >/dev/null
  "$OT_OSTREE" --repo=served summary -u >/dev/null
}

"$OT_OSTREE" --repo=served init --mode=archive
make_tree t1 6.1.0-a 1.0
commit os/stable t1 1.0 2024-01-01
nginx_start srv "$TEST_TMP/served"

mkdir sysroot
"$OT_OSTREE" admin init-fs sysroot
"$OT_OSTREE" admin os-init --sysroot=sysroot httpos >/dev/null
"$OT_OSTREE" --repo=sysroot/ostree/repo remote add --no-gpg-verify origin "$NGINX_URL_srv"
"$OT_OSTREE" --repo=sysroot/ostree/repo pull origin os/stable >/dev/null
"$OT_OSTREE" admin deploy --sysroot=sysroot --os=httpos origin:os/stable >/dev/null
d1=$(cd sysroot && echo ostree/deploy/httpos/deploy/*.0)
echo "site change" >"sysroot/$d1/etc/motd"

"$OT_OSTREE" admin upgrade --sysroot=sysroot --os=httpos >out.txt
assert_file_has_content out.txt "^No update available.$"

# A new commit on the server: upgrade fetches and deploys it.
make_tree t2 6.1.0-b 2.0
commit os/stable t2 2.0 2024-01-02
"$OT_OSTREE" admin upgrade --sysroot=sysroot --os=httpos --pull-only >/dev/null
assert_eq "$("$OT_OSTREE" admin status --sysroot=sysroot | grep -c '^  httpos ')" 1 "--pull-only deploys nothing"
assert_eq "$("$OT_OSTREE" --repo=sysroot/ostree/repo rev-parse origin:os/stable)" \
  "$("$OT_OSTREE" --repo=served rev-parse os/stable)" "--pull-only fetched the new commit"
requests=$(wc -l <"$NGINX_LOG_srv")
"$OT_OSTREE" admin upgrade --sysroot=sysroot --os=httpos --deploy-only >out.txt
assert_file_has_content out.txt "Copying /etc changes: 1 modified, 0 removed, 0 added"
assert_eq "$(wc -l <"$NGINX_LOG_srv")" "$requests" "--deploy-only asks the server nothing"
"$OT_OSTREE" admin status --sysroot=sysroot >status.txt
assert_file_has_content status.txt "Version: 2.0"
c2=$("$OT_OSTREE" --repo=served rev-parse os/stable)
assert_eq "$(sed -n 1p status.txt)" "  httpos $c2.0" "the upgrade is the default"
d2=ostree/deploy/httpos/deploy/$c2.0
assert_eq "$(cat "sysroot/$d2/etc/motd")" "site change" "local /etc carried over"
assert_eq "$(cat "sysroot/$d2/etc/release")" "2.0" "untouched /etc follows the new defaults"
assert_eq "$("$REF_OSTREE" admin status --sysroot=sysroot)" "$(cat status.txt)" "upstream reads the upgraded sysroot"

# The server goes back in time: refused without --allow-downgrade.
commit os/stable t1 0.9 2023-12-01
assert_fails "$OT_OSTREE" admin upgrade --sysroot=sysroot --os=httpos
assert_one_line_error "chronologically older"
assert_eq "$(sed -n 1p <("$OT_OSTREE" admin status --sysroot=sysroot))" "  httpos $c2.0" "a refused downgrade changes nothing"
"$OT_OSTREE" admin upgrade --sysroot=sysroot --os=httpos --allow-downgrade >/dev/null
"$OT_OSTREE" admin status --sysroot=sysroot >status.txt
assert_eq "$(sed -n 2p status.txt)" "    Version: 0.9" "--allow-downgrade deploys the older commit"

# switch to another branch of the same remote: the origin follows it.
make_tree t3 6.1.0-c 3.0
commit os/testing t3 3.0 2024-02-01
"$OT_OSTREE" admin switch --sysroot=sysroot --os=httpos os/testing >/dev/null
"$OT_OSTREE" admin status --sysroot=sysroot >status.txt
assert_eq "$(sed -n 2,3p status.txt)" "    Version: 3.0
    origin refspec: origin:os/testing" "switched origin"
c3=$("$OT_OSTREE" --repo=served rev-parse os/testing)
assert_file_has_content "sysroot/ostree/deploy/httpos/deploy/$c3.0.origin" "^refspec=origin:os/testing$"

# A remote that is down: the upgrade fails with one line and deploys nothing.
commit os/testing t2 3.1 2024-02-02
nginx_stop srv
before=$("$OT_OSTREE" admin status --sysroot=sysroot)
assert_fails "$OT_OSTREE" admin upgrade --sysroot=sysroot --os=httpos
assert_one_line_error
assert_eq "$("$OT_OSTREE" admin status --sysroot=sysroot)" "$before" "a failed pull changes no deployment"
"$REF_OSTREE" admin status --sysroot=sysroot >/dev/null
