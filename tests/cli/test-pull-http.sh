#!/usr/bin/env bash
# `ostree pull` over HTTP from a real nginx, both ways with the reference:
# we pull upstream's archive repo into every mode, upstream pulls the archive
# repo we wrote; both fsck clean with the same refs and checksums. Also:
# objects already present are never requested again, --mirror, --depth,
# --commit-metadata-only, --subpath, repos without a summary, pull-local, and
# an interrupted pull that leaves a valid repo and completes when re-run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-nginx.sh"
require_root
require_cmd nginx python3 getfattr setfattr
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

"$OT_SRC/tests/data/make-edge-tree.sh" tree 2>/dev/null
mkdir -p tree2/usr/bin tree2/etc && cp -a tree/. tree2/ && echo v2 >tree2/usr/bin/new-in-v2

# upstream/: written by the reference. ours/: written by us. Same commits.
mkdir srv
for who in upstream ours; do
  tool=$REF_OSTREE
  [[ $who == ours ]] && tool=$OT_OSTREE
  "$tool" --repo=srv/$who init --mode=archive
  "$tool" --repo=srv/$who commit -b main --tree=dir=tree --timestamp=2021-06-01T12:00:00Z -s v1 >/dev/null
  "$tool" --repo=srv/$who commit -b main --tree=dir=tree2 --timestamp=2021-06-02T12:00:00Z -s v2 >/dev/null
  "$tool" --repo=srv/$who commit -b other/branch --tree=dir=tree --timestamp=2021-06-03T12:00:00Z -s o >/dev/null
  "$tool" --repo=srv/$who summary -u
done
main=$("$REF_OSTREE" --repo=srv/upstream rev-parse main)
assert_eq "$("$OT_OSTREE" --repo=srv/ours rev-parse main)" "$main" "the two servers' main"
parent=$("$REF_OSTREE" --repo=srv/upstream rev-parse main^)
other=$("$REF_OSTREE" --repo=srv/upstream rev-parse other/branch)
nginx_start srv "$TEST_TMP/srv"
base=$NGINX_URL_srv

"$REF_OSTREE" --repo=srv/upstream checkout -U main co-expected
tree_manifest co-expected >expected.manifest

# fsck_clean TOOL REPO: TOOL's fsck accepts REPO.
fsck_clean() {
  "$1" --repo="$2" fsck >fsck.out 2>&1 || { cat fsck.out >&2; fail "$1 fsck of $2"; }
  _test_check_passed
}

# --- we pull upstream's repository, in every mode ---------------------------------------
for mode in bare bare-user archive; do
  r=ours-$mode
  "$OT_OSTREE" --repo=$r init --mode=$mode
  "$OT_OSTREE" --repo=$r remote add --no-gpg-verify origin "$base/upstream"
  "$OT_OSTREE" --repo=$r pull origin main >pull.out
  assert_file_has_content pull.out \
    '^[0-9]+ metadata, [0-9]+ content objects fetched; [0-9]+ (B|KiB) transferred in [0-9]+ seconds; .* content written$'
  assert_eq "$(wc -l <pull.out)" 1 "lines of non-terminal output"
  assert_eq "$("$REF_OSTREE" --repo=$r rev-parse origin:main)" "$main" "origin:main in $mode"
  [[ ! -e $r/refs/heads/main ]] || fail "a non-mirror pull wrote a local branch"
  fsck_clean "$REF_OSTREE" $r
  [[ -z $(ls $r/state) ]] || fail "partial-commit marker left after a complete pull: $(ls $r/state)"
  if [[ $mode == bare || $mode == archive ]]; then
    "$REF_OSTREE" --repo=$r checkout -U origin:main co-$mode
    assert_eq "$(tree_manifest co-$mode)" "$(cat expected.manifest)" "checkout of what we pulled ($mode)"
  fi
done

# bare-user-only cannot hold the tree's setuid files: refused as upstream
# does, with nothing landed.
for tool in "$REF_OSTREE" "$OT_OSTREE"; do
  rm -rf buo && "$tool" --repo=buo init --mode=bare-user-only
  "$tool" --repo=buo remote add --no-gpg-verify origin "$base/upstream"
  assert_fails "$tool" --repo=buo pull origin main
  assert_one_line_error 'Content object [0-9a-f]{64}: invalid mode 0[0-7]+ with bits 0[0-7]+'
done
assert_eq "$(find buo/objects -type f | wc -l)" 0 "objects landed by a refused pull"
assert_eq "$("$OT_OSTREE" --repo=buo refs)" "" "refs after a refused pull"

# Nothing already present is requested again.
lines_before=$(wc -l <"$NGINX_LOG_srv")
"$OT_OSTREE" --repo=ours-bare pull origin main >pull.out
assert_file_has_content pull.out '^0 metadata, 0 content objects fetched'
tail -n +$((lines_before + 1)) "$NGINX_LOG_srv" >second.log
assert_not_file_has_content second.log '\.(filez|dirtree|dirmeta|commit) '
# A new branch sharing content fetches only what it lacks.
lines_before=$(wc -l <"$NGINX_LOG_srv")
"$OT_OSTREE" --repo=ours-bare pull origin other/branch >/dev/null
tail -n +$((lines_before + 1)) "$NGINX_LOG_srv" >third.log
assert_not_file_has_content third.log '\.filez '
assert_eq "$("$OT_OSTREE" --repo=ours-bare rev-parse origin:other/branch)" "$other" "second branch"

# --- upstream pulls the repository we wrote -------------------------------------------------
for mode in bare archive; do
  r=ref-$mode
  "$REF_OSTREE" --repo=$r init --mode=$mode
  "$REF_OSTREE" --repo=$r remote add --no-gpg-verify origin "$base/ours"
  "$REF_OSTREE" --repo=$r pull origin main other/branch >/dev/null
  assert_eq "$("$REF_OSTREE" --repo=$r rev-parse origin:main)" "$main" "upstream's pull of our main ($mode)"
  assert_eq "$("$REF_OSTREE" --repo=$r rev-parse origin:other/branch)" "$other" "upstream's pull of our other/branch"
  fsck_clean "$REF_OSTREE" $r
done
"$REF_OSTREE" --repo=ref-bare checkout -U origin:main co-ref-of-ours
assert_eq "$(tree_manifest co-ref-of-ours)" "$(cat expected.manifest)" "upstream's checkout of our served commit"
# --- options ------------------------------------------------------------------------------
# --depth=1 brings the parent; the default does not.
assert_fails "$REF_OSTREE" --repo=ours-archive show "$parent"
"$OT_OSTREE" --repo=ours-archive pull --depth=1 origin main >/dev/null
"$REF_OSTREE" --repo=ours-archive show "$parent" >/dev/null || fail "--depth=1 did not fetch the parent"
_test_check_passed
fsck_clean "$REF_OSTREE" ours-archive

# --mirror with no refs: every branch, under refs/heads, and the summary.
"$OT_OSTREE" --repo=mirror init --mode=archive
"$OT_OSTREE" --repo=mirror remote add --no-gpg-verify origin "$base/upstream"
"$OT_OSTREE" --repo=mirror pull --mirror origin >/dev/null
assert_eq "$("$OT_OSTREE" --repo=mirror refs | sort | tr '\n' ' ')" "main other/branch " "mirrored refs"
cmp mirror/summary srv/upstream/summary || fail "a full mirror did not copy the summary"
_test_check_passed
fsck_clean "$REF_OSTREE" mirror
# The archive repo we filled by pulling serves upstream in turn.
ln -s "$TEST_TMP/mirror" srv/mirror
"$REF_OSTREE" --repo=ref-chain init --mode=bare
"$REF_OSTREE" --repo=ref-chain remote add --no-gpg-verify origin "$base/mirror"
"$REF_OSTREE" --repo=ref-chain pull origin main >/dev/null
assert_eq "$("$REF_OSTREE" --repo=ref-chain rev-parse origin:main)" "$main" "upstream's pull from our mirror"
fsck_clean "$REF_OSTREE" ref-chain

# --commit-metadata-only: the commit, marked partial, and the ref; a full
# pull later completes it.
"$OT_OSTREE" --repo=meta init --mode=bare-user
"$OT_OSTREE" --repo=meta remote add --no-gpg-verify origin "$base/upstream"
"$OT_OSTREE" --repo=meta pull --commit-metadata-only origin main >/dev/null
assert_eq "$(ls meta/state)" "$main.commitpartial" "partial marker after --commit-metadata-only"
assert_eq "$(find meta/objects -name '*.dirtree' | wc -l)" 0 "dirtrees after --commit-metadata-only"
"$OT_OSTREE" --repo=meta pull origin main >/dev/null
assert_eq "$(ls meta/state)" "" "partial marker after the full pull"
fsck_clean "$REF_OSTREE" meta

# --subpath: only that directory's files, and the commit stays partial.
"$OT_OSTREE" --repo=sub init --mode=archive
"$OT_OSTREE" --repo=sub remote add --no-gpg-verify origin "$base/upstream"
"$OT_OSTREE" --repo=sub pull --subpath=/usr/bin origin main >/dev/null
assert_eq "$(ls sub/state)" "$main.commitpartial" "partial marker after --subpath"
"$REF_OSTREE" --repo=sub checkout -U --subpath=/usr/bin origin:main co-sub
assert_eq "$(cat co-sub/new-in-v2)" v2 "file under the subpath"
nfiles=$(find sub/objects -name '*.filez' | wc -l)
assert_eq "$((nfiles < $(find srv/upstream/objects -name '*.filez' | wc -l)))" 1 "fewer files than the whole tree ($nfiles)"

# No summary on the server: refs come from refs/heads/.
mkdir -p srv/nosum && cp -a srv/upstream srv/nosum/repo && rm srv/nosum/repo/summary
"$OT_OSTREE" --repo=nosum init --mode=archive
"$OT_OSTREE" --repo=nosum remote add --no-gpg-verify origin "$base/nosum/repo"
"$OT_OSTREE" --repo=nosum pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=nosum rev-parse origin:main)" "$main" "ref read from refs/heads without a summary"
assert_fails "$OT_OSTREE" --repo=nosum remote refs origin
assert_one_line_error 'Remote refs not available; server has no summary file'

# remote refs / remote summary read the server's summary as upstream does.
assert_eq "$("$OT_OSTREE" --repo=ours-bare remote refs origin)" "$("$REF_OSTREE" --repo=ours-bare remote refs origin)" "remote refs"
assert_eq "$("$OT_OSTREE" --repo=ours-bare remote summary origin)" "$("$REF_OSTREE" --repo=ours-bare remote summary origin)" "remote summary"
assert_eq "$("$OT_OSTREE" --repo=ours-bare remote summary --raw origin)" "$("$REF_OSTREE" --repo=ours-bare remote summary --raw origin)" "remote summary --raw"

# pull REMOTE:REF and a checksum (no ref written for a checksum).
"$OT_OSTREE" --repo=csum init --mode=archive
"$OT_OSTREE" --repo=csum remote add --no-gpg-verify origin "$base/upstream"
"$OT_OSTREE" --repo=csum pull origin "$parent" >/dev/null
assert_eq "$("$OT_OSTREE" --repo=csum refs)" "" "refs after pulling a checksum"
"$OT_OSTREE" --repo=csum pull origin:main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=csum rev-parse origin:main)" "$main" "pull origin:main"

# --- pull-local ---------------------------------------------------------------------------
for src in srv/upstream ours-bare-user; do
  for mode in bare archive; do
    r=local-$mode-${src//\//-}
    "$OT_OSTREE" --repo=$r init --mode=$mode
    "$OT_OSTREE" --repo=$r pull-local --remote=origin "$src" "$("$REF_OSTREE" --repo=$src refs | grep main | head -1)" >pull.out
    assert_file_has_content pull.out '^[0-9]+ metadata, [0-9]+ content objects imported; .* content written$'
    assert_eq "$("$OT_OSTREE" --repo=$r rev-parse origin:main)" "$main" "pull-local from $src into $mode"
    fsck_clean "$REF_OSTREE" $r
  done
done
# Without refs: every local branch of the source.
"$OT_OSTREE" --repo=local-all init --mode=bare
"$OT_OSTREE" --repo=local-all pull-local srv/upstream >/dev/null
assert_eq "$("$OT_OSTREE" --repo=local-all refs | sort | tr '\n' ' ')" "main other/branch " "pull-local of all refs"

# --- an interrupted pull ------------------------------------------------------------------
# A slow server; the pull is killed part-way through, then run again.
nginx_start slow "$TEST_TMP/srv" "limit_rate 20k;"
"$OT_OSTREE" --repo=intr init --mode=bare
"$OT_OSTREE" --repo=intr remote add --no-gpg-verify origin "$NGINX_URL_slow/upstream"
"$OT_OSTREE" --repo=intr pull origin main >/dev/null 2>&1 &
pull_pid=$!
for ((i = 0; i < 100; i++)); do
  grep -q '\.filez ' "$NGINX_LOG_slow" 2>/dev/null && break
  sleep 0.05
done
kill -9 $pull_pid
wait $pull_pid 2>/dev/null || true
assert_eq "$("$OT_OSTREE" --repo=intr refs)" "" "refs after an interrupted pull"
fsck_clean "$REF_OSTREE" intr
nginx_stop slow
"$OT_OSTREE" --repo=intr remote add --force --no-gpg-verify origin "$base/upstream"
"$OT_OSTREE" --repo=intr pull origin main >/dev/null
assert_eq "$("$OT_OSTREE" --repo=intr rev-parse origin:main)" "$main" "ref after the re-run"
fsck_clean "$REF_OSTREE" intr
