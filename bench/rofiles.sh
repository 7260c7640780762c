#!/usr/bin/env bash
# rofiles-fuse on a hardlinked checkout of the Debian minbase tree (6,700
# entries, 200 MB): ours, upstream's and the bare directory, same data, same
# run. Three workloads a build user notices:
#   walk   find -printf '%s' over the whole tree (metadata only)
#   read   every regular file read once (find | xargs cat)
#   large  the 100-odd files over 256 KiB (126 MB), read from a list made
#          beforehand: the data path alone, without the walk
#   write  a 52 MB, 4,300-entry tar archive (usr/share) extracted into the
#          mount, then removed with rm -rf (a build writing and cleaning)
# Every timed run gets a fresh mount, so nothing is served from the kernel's
# FUSE caches of an earlier run; the source tree itself stays in the page
# cache (warm), so the figures measure the FUSE layer, not the disk.
#
# Needs root and /dev/fuse; runs in private mount and PID namespaces so no
# mount or daemon survives it.
set -euo pipefail

if [[ -z ${ROFILES_BENCH_NS:-} ]]; then
  [[ $(id -u) == 0 ]] || { echo "rofiles: needs root (FUSE mounts in a private namespace)" >&2; exit 1; }
  [[ -c /dev/fuse ]] || { echo "rofiles: no /dev/fuse" >&2; exit 1; }
  # Every FUSE round trip is two context switches, so other load on a shared
  # machine decides the result unless the benchmark runs first; native, ours
  # and upstream all get the same priority, which keeps the ratios fair.
  exec nice -n -20 unshare --mount --propagation private --pid --fork --mount-proc \
    env ROFILES_BENCH_NS=1 bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
bench_require_exec "$OT_ROFILES" "$REF_ROFILES"
tree=$(bench_minbase)
[[ -d $tree ]] || bench_die "no minbase tree at '$tree'"

# A hardlinked checkout, as ostree makes them, and the archive to unpack.
"$REF_OSTREE" --repo=repo init --mode=bare
"$REF_OSTREE" --repo=repo commit -b minbase --tree=dir="$tree" >/dev/null
"$REF_OSTREE" --repo=repo checkout -H minbase co
tar -C "$tree" -cf share.tar usr/share
(cd co && find . -type f -size +256k -print0) > large.list
mkdir mnt
entries=$(find co | wc -l)

bench_header "rofiles-fuse over a hardlinked minbase checkout ($entries entries), fresh mount per run"
echo "   nice $(nice), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

# remount BINARY: unmounts whatever is on mnt and mounts BINARY's view of co.
remount() {
  if grep -q " $BENCH_TMP/mnt " /proc/self/mountinfo; then umount "$BENCH_TMP/mnt"; fi
  "$1" co mnt
}

walk() { find "$1" -printf '%s\n'; }
read_all() { find "$1" -type f -print0 | xargs -0 cat; }
read_large() { (cd "$1" && xargs -0 cat < ../large.list); }
write_delete() { mkdir "$1/build" && tar -xf share.tar -C "$1/build" && rm -rf "$1/build"; }
export -f walk read_all read_large write_delete

# native_ratio NAME: ours against the bare directory, same format as the
# upstream comparison, and recorded for run-all's summary.
native_ratio() {
  local ours=${BENCH_SECONDS[$1/ours]} native=${BENCH_SECONDS[$1/native]}
  awk -v o="$ours" -v n="$native" -v l="$1" 'BEGIN {
    printf "%s: ours %.3f s, native %.3f s, ratio %.2f (%.2fx native)\n", l, o, n, o / n, o / n }'
  [[ -z ${BENCH_RESULTS:-} ]] ||
    printf 'ratio\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" "$1 vs native" "$ours" "$native" \
      "$(awk -v o="$ours" -v n="$native" 'BEGIN { printf "%.3f", o / n }')" >>"$BENCH_RESULTS"
}

for workload in walk read_all read_large write_delete; do
  case $workload in read_large) name=large ;; *) name=${workload%%_*} ;; esac
  BENCH_PREPARE= bench_time "$name/native" bash -c "$workload co"
  BENCH_PREPARE='remount "$OT_ROFILES"' bench_time "$name/ours" bash -c "$workload mnt"
  BENCH_PREPARE='remount "$REF_ROFILES"' bench_time "$name/upstream" bash -c "$workload mnt"
  umount mnt
  bench_ratio "$name/ours" "$name/upstream"
  native_ratio "$name"
done

# The targets the implementation was built for.
awk -v w="${BENCH_SECONDS[walk/ours]}" -v wu="${BENCH_SECONDS[walk/upstream]}" \
    -v r="${BENCH_SECONDS[read/ours]}" -v rn="${BENCH_SECONDS[read/native]}" \
    -v l="${BENCH_SECONDS[large/ours]}" -v ln="${BENCH_SECONDS[large/native]}" 'BEGIN {
  printf "targets: walk %.1fx faster than upstream (want >= 3); reads %.2fx native for every file, %.2fx for the large ones (want <= 1.3)\n", wu / w, r / rn, l / ln }'
