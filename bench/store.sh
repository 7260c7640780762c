#!/usr/bin/env bash
# The store's hot paths on the Debian minbase tree (6,000+ files, 200 MB),
# ours against upstream's on the same data in one run: commit into a bare and
# an archive repository, checkout of the bare commit, fsck of both repos.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tree=$(bench_minbase)
[[ -d $tree ]] || bench_die "no minbase tree at '$tree'"

bench_header "store on minbase ($(find "$tree" | wc -l) entries)"
args=(--tree=dir="$tree" -s bench --timestamp=2024-01-01)

for mode in bare archive; do
  for who in ours upstream; do
    tool=$OT_OSTREE
    [[ $who == upstream ]] && tool=$REF_OSTREE
    BENCH_PREPARE="rm -rf repo-$mode-$who && $tool --repo=repo-$mode-$who init --mode=$mode"
    bench_time "commit-$mode/$who" "$tool" --repo=repo-$mode-$who commit -b m "${args[@]}"
  done
  # Both produced the same commit (checked untimed).
  [[ $("$OT_OSTREE" --repo=repo-$mode-ours rev-parse m) == $("$REF_OSTREE" --repo=repo-$mode-upstream rev-parse m) ]] ||
    bench_die "commit checksums differ in $mode mode"
done
unset BENCH_PREPARE

for who in ours upstream; do
  tool=$OT_OSTREE
  [[ $who == upstream ]] && tool=$REF_OSTREE
  BENCH_PREPARE="rm -rf co-$who"
  bench_time "checkout/$who" "$tool" --repo=repo-bare-$who checkout m co-$who
  unset BENCH_PREPARE
  for mode in bare archive; do
    bench_time "fsck-$mode/$who" "$tool" --repo=repo-$mode-$who fsck
  done
done

echo
bench_ratio commit-bare/ours commit-bare/upstream
bench_ratio commit-archive/ours commit-archive/upstream
bench_ratio checkout/ours checkout/upstream
bench_ratio fsck-bare/ours fsck-bare/upstream
bench_ratio fsck-archive/ours fsck-archive/upstream
