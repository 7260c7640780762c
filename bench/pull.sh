#!/usr/bin/env bash
# `ostree pull` of the Debian minbase commit (6,000+ files, 200 MB) from an
# archive repository served by nginx on loopback, into a bare and into an
# archive repository: ours against upstream's, same server, same data.
# Every timed run starts from an empty repository. The server's files stay
# in the page cache (warm), so the figures measure the client: requests in
# flight, verification, decompression and writing objects.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$BENCH_SRC/tests/cli/lib-nginx.sh"
tree=$(bench_minbase)
[[ -d $tree ]] || bench_die "no minbase tree at '$tree'"

mkdir srv
"$REF_OSTREE" --repo=srv/repo init --mode=archive
"$REF_OSTREE" --repo=srv/repo commit -b minbase --tree=dir="$tree" >/dev/null
"$REF_OSTREE" --repo=srv/repo summary -u
objects=$(find srv/repo/objects -type f | wc -l)
# A real server setup: a master and two workers, as the machine has CPUs for.
NGINX_MASTER=on NGINX_WORKERS=2 nginx_start srv "$BENCH_TMP/srv" || bench_die "nginx did not start"
trap 'rc=$?; nginx_stop srv; (exit $rc); _bench_on_exit' EXIT
# Warm the server side once.
cat srv/repo/objects/*/* >/dev/null

bench_header "pull of minbase ($objects objects) over loopback HTTP from nginx"

for mode in bare archive; do
  for who in ours upstream; do
    tool=$OT_OSTREE
    [[ $who == upstream ]] && tool=$REF_OSTREE
    BENCH_PREPARE="rm -rf dest && $tool --repo=dest init --mode=$mode &&
      $tool --repo=dest remote add --no-gpg-verify origin $NGINX_URL_srv/repo"
    bench_time "pull-$mode/$who" "$tool" --repo=dest pull origin minbase
  done
  # The result is the same commit, complete (checked once, untimed).
  "$REF_OSTREE" --repo=dest fsck >/dev/null || bench_die "fsck of the $mode repo pulled by upstream"
  eval "rm -rf dest && $OT_OSTREE --repo=dest init --mode=$mode &&
    $OT_OSTREE --repo=dest remote add --no-gpg-verify origin $NGINX_URL_srv/repo"
  "$OT_OSTREE" --repo=dest pull origin minbase >/dev/null
  "$REF_OSTREE" --repo=dest fsck >/dev/null || bench_die "fsck of the $mode repo pulled by us"
done
unset BENCH_PREPARE

echo
bench_ratio pull-bare/ours pull-bare/upstream
bench_ratio pull-archive/ours pull-archive/upstream
