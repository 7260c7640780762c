#!/usr/bin/env bash
# `ostree mount` of the Debian minbase tree (6,700 entries, 200 MB) against
# the same commit checked out on the native filesystem, same data, same run.
# What a developer looking inside a commit notices:
#   walk   find -printf '%s %m %u' over the whole tree (metadata only)
#   read   every regular file read once (find | xargs cat)
# from a bare and from an archive repository, and for archive, `ostree cat`
# of every file (the way to read a commit without a mount) for comparison.
# Every timed run of a mount gets a fresh mount, so nothing comes from the
# kernel's caches of an earlier run ("cached" repeats the walk on one mount
# to show that case too); the repository and the checkout stay in the page
# cache (warm), so the figures measure the FUSE layer, not the disk.
#
# Targets: walk within 3x native, bare read within 1.5x native, archive read
# at least as fast as `ostree cat`.
#
# Needs root and /dev/fuse; runs in private mount and PID namespaces so no
# mount or server survives it.
set -euo pipefail

if [[ -z ${MOUNT_BENCH_NS:-} ]]; then
  [[ $(id -u) == 0 ]] || { echo "mount: needs root (FUSE mounts in a private namespace)" >&2; exit 1; }
  [[ -c /dev/fuse ]] || { echo "mount: no /dev/fuse" >&2; exit 1; }
  exec unshare --mount --propagation private --pid --fork --mount-proc \
    env MOUNT_BENCH_NS=1 bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
tree=$(bench_minbase)
[[ -d $tree ]] || bench_die "no minbase tree at '$tree'"

for mode in bare archive; do
  "$REF_OSTREE" --repo=$mode init --mode=$mode
  "$REF_OSTREE" --repo=$mode config set core.fsync false
  "$REF_OSTREE" --repo=$mode commit -b minbase --tree=dir="$tree" >/dev/null
done
# The native side: a checkout (hardlinks into the bare repo, as ostree makes
# them), so native and bare-mount reads hit the very same page cache.
"$REF_OSTREE" --repo=bare checkout minbase co
(cd co && find . -type f -printf '/%P\0') >files.list
mkdir mnt
entries=$(find co | wc -l)

bench_header "ostree mount of a minbase commit ($entries entries) against its checkout, fresh mount per run"

# remount REPO: unmounts whatever is on mnt and mounts REPO's commit there.
remount() {
  if grep -q " $BENCH_TMP/mnt " /proc/self/mountinfo; then umount "$BENCH_TMP/mnt"; fi
  "$OT_OSTREE" --repo="$BENCH_TMP/$1" mount minbase "$BENCH_TMP/mnt"
}

walk() { find "$1" -printf '%s %m %u\n'; }
read_all() { find "$1" -type f -print0 | xargs -0 cat; }
export -f walk read_all

# native_ratio NAME REFERENCE: NAME's time against REFERENCE's, recorded for
# run-all's summary.
native_ratio() {
  local t=${BENCH_SECONDS[$1]} n=${BENCH_SECONDS[$2]}
  awk -v o="$t" -v n="$n" -v l="$1" -v r="$2" 'BEGIN {
    printf "%s: %.3f s, %s %.3f s, ratio %.2f\n", l, o, r, n, o / n }'
  [[ -z ${BENCH_RESULTS:-} ]] ||
    printf 'ratio\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" "$1 vs $2" "$t" "$n" \
      "$(awk -v o="$t" -v n="$n" 'BEGIN { printf "%.3f", o / n }')" >>"$BENCH_RESULTS"
}

BENCH_PREPARE= bench_time walk/native bash -c "walk co"
BENCH_PREPARE='remount bare' bench_time walk/bare bash -c "walk mnt"
BENCH_PREPARE='remount archive' bench_time walk/archive bash -c "walk mnt"
remount bare
BENCH_PREPARE= bench_time walk/bare-cached bash -c "walk mnt"

BENCH_PREPARE= bench_time read/native bash -c "read_all co"
BENCH_PREPARE='remount bare' bench_time read/bare bash -c "read_all mnt"
BENCH_PREPARE='remount archive' bench_time read/archive bash -c "read_all mnt"
umount mnt
BENCH_PREPARE= bench_time read/ostree-cat-upstream \
  xargs -0 -a files.list "$REF_OSTREE" --repo=archive cat minbase
if "$OT_OSTREE" --repo=archive cat minbase /etc/os-release >/dev/null 2>&1; then
  BENCH_PREPARE= bench_time read/ostree-cat-ours \
    xargs -0 -a files.list "$OT_OSTREE" --repo=archive cat minbase
fi

native_ratio walk/bare walk/native
native_ratio walk/archive walk/native
native_ratio walk/bare-cached walk/native
native_ratio read/bare read/native
native_ratio read/archive read/native
native_ratio read/archive read/ostree-cat-upstream
[[ -z ${BENCH_SECONDS[read/ostree-cat-ours]:-} ]] || native_ratio read/archive read/ostree-cat-ours

# The targets the implementation was built for.
awk -v wb="${BENCH_SECONDS[walk/bare]}" -v wa="${BENCH_SECONDS[walk/archive]}" \
    -v wn="${BENCH_SECONDS[walk/native]}" -v rb="${BENCH_SECONDS[read/bare]}" \
    -v rn="${BENCH_SECONDS[read/native]}" -v ra="${BENCH_SECONDS[read/archive]}" \
    -v rc="${BENCH_SECONDS[read/ostree-cat-upstream]}" 'BEGIN {
  printf "targets: walk %.2fx (bare) and %.2fx (archive) native (want <= 3), bare read %.2fx native (want <= 1.5), archive read %.2fx the time of ostree cat (want <= 1)\n",
    wb / wn, wa / wn, rb / rn, ra / rc }'
