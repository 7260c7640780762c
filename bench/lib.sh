# Sourced by every bench/bench-*.sh:  . "$(dirname "$0")/lib.sh"
#
# Times commands the way hyperfine does (several runs, median wall time) and
# adds peak RSS from /usr/bin/time, then prints our figure against the
# reference's as a ratio. See bench/README.md for the knobs.
#
# Environment:
#   OT_OSTREE, OT_ROFILES    our binaries (default: $OT_BUILD/cli/ostree, ...)
#   REF_OSTREE, REF_ROFILES  the reference (default: /usr/bin/ostree, ...)
#   OT_BUILD                 build dir for the defaults above (default: build)
#   BENCH_RUNS=3             timed runs per measurement; the median is reported
#   BENCH_WARMUP=1           untimed runs first (warm caches only)
#   BENCH_CACHE=warm|cold    cold drops the page cache before every run
#                            (needs root and a writable /proc/sys; falls back
#                            to warm with a note otherwise)
#   BENCH_TMPDIR=/var/tmp    where the scratch dir goes: a real disk, not tmpfs
#   BENCH_RESULTS=FILE       also append tab-separated results to FILE
set -euo pipefail

BENCH_NAME=$(basename "${BASH_SOURCE[-1]}" .sh)
BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_WARMUP=${BENCH_WARMUP:-1}
BENCH_CACHE=${BENCH_CACHE:-warm}
: "${OT_BUILD:=$BENCH_SRC/build}"
: "${OT_OSTREE:=$OT_BUILD/cli/ostree}"
: "${OT_ROFILES:=$OT_BUILD/rofiles/rofiles-fuse}"
: "${REF_OSTREE:=/usr/bin/ostree}"
: "${REF_ROFILES:=/usr/bin/rofiles-fuse}"
export OT_BUILD OT_OSTREE OT_ROFILES REF_OSTREE REF_ROFILES
declare -gA BENCH_SECONDS=() BENCH_RSS_KB=()

bench_die() {
  echo "$BENCH_NAME: error: $*" >&2
  exit 1
}

# bench_require_exec PATH...: dies unless each PATH is an executable file.
bench_require_exec() {
  local p
  for p in "$@"; do
    [[ $p == /* ]] || bench_die "$p: binaries are named by absolute path"
    [[ -x $p ]] || bench_die "$p is not built or not installed (scripts/build.sh, scripts/install-deps.sh)"
  done
}
bench_require_exec "$OT_OSTREE" "$REF_OSTREE" /usr/bin/time
[[ $BENCH_RUNS =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_RUNS=$BENCH_RUNS is not a positive integer"
[[ $BENCH_WARMUP =~ ^[0-9]+$ ]] || bench_die "BENCH_WARMUP=$BENCH_WARMUP is not a number"
[[ $BENCH_CACHE == warm || $BENCH_CACHE == cold ]] || bench_die "BENCH_CACHE must be warm or cold"

# --- scratch directory ----------------------------------------------------------
BENCH_TMP=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/ot-$BENCH_NAME.XXXXXX")
export BENCH_TMP
_bench_on_exit() {
  local rc=$? m
  cd /
  # A benchmark of a FUSE mount that failed half-way must not leave it mounted.
  for m in $(awk -v top="$BENCH_TMP" 'index($5, top "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # Deployment directories carry the immutable attribute (chattr +i).
  find "$BENCH_TMP" -maxdepth 6 -path '*/ostree/deploy/*/deploy/*' -prune -exec chattr -i {} + 2>/dev/null || true
  chmod -R u+rwx "$BENCH_TMP" 2>/dev/null || true
  rm -rf "$BENCH_TMP"
  exit "$rc"
}
trap _bench_on_exit EXIT
cd "$BENCH_TMP"

# --- caches ---------------------------------------------------------------------------

# Decided once: cold needs permission to drop the page cache.
_bench_cache_effective=$BENCH_CACHE
if [[ $BENCH_CACHE == cold ]] && ! { sync && echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
  echo "$BENCH_NAME: note: cold caches requested but /proc/sys/vm/drop_caches is not writable; measuring with warm caches" >&2
  _bench_cache_effective=warm
fi

# bench_drop_caches: writes back dirty pages and empties the page cache, when
# running cold; a no-op with warm caches.
bench_drop_caches() {
  [[ $_bench_cache_effective == cold ]] || return 0
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

# --- measuring ---------------------------------------------------------------------------

# bench_header TITLE: states what is measured and under which conditions.
bench_header() {
  local how="$_bench_cache_effective caches, median of $BENCH_RUNS run(s)"
  if ((BENCH_WARMUP > 0)) && [[ $_bench_cache_effective == warm ]]; then
    how+=" after $BENCH_WARMUP warm-up run(s)"
  fi
  echo "== $1"
  echo "   $(nproc) CPUs, kernel $(uname -r), scratch on $(stat -f -c %T "$BENCH_TMP"), $how"
}

# Runs "$BENCH_PREPARE" (untimed) if set.
_bench_prepare() {
  [[ -z ${BENCH_PREPARE:-} ]] || eval "$BENCH_PREPARE" || bench_die "prepare hook failed: $BENCH_PREPARE"
}

# bench_time NAME CMD...: runs CMD $BENCH_RUNS times (after $BENCH_WARMUP
# untimed runs with warm caches) and prints the median wall time and the peak
# RSS of the largest run. Before every run, timed or not, $BENCH_PREPARE is
# eval'd untimed (e.g. BENCH_PREPARE='rm -rf repo && ostree init ...'), then
# caches are dropped when running cold. CMD's stdout is discarded; if it fails
# its stderr is shown and the benchmark stops. Results are kept for
# bench_ratio in BENCH_SECONDS[NAME] (median, seconds) and BENCH_RSS_KB[NAME].
bench_time() {
  local name=$1 i t0 t1 rc rss peak=0
  shift
  local -a times=()
  local log=$BENCH_TMP/.bench-$$.log rssf=$BENCH_TMP/.bench-$$.rss
  if [[ $_bench_cache_effective == warm ]]; then
    for ((i = 0; i < BENCH_WARMUP; i++)); do
      _bench_prepare
      "$@" >/dev/null 2>"$log" || { cat "$log" >&2; bench_die "$name: warm-up run failed: $*"; }
    done
  fi
  for ((i = 0; i < BENCH_RUNS; i++)); do
    _bench_prepare
    bench_drop_caches
    rc=0
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$rssf" "$@" >/dev/null 2>"$log" || rc=$?
    t1=$(date +%s%N)
    if ((rc != 0)); then
      cat "$log" >&2
      bench_die "$name: run $((i + 1)) failed (exit $rc): $*"
    fi
    rss=$(tail -n 1 "$rssf")
    ((rss > peak)) && peak=$rss
    times+=("$(((t1 - t0) / 1000))") # microseconds
  done
  rm -f "$log" "$rssf"
  # Median (mean of the middle two for an even count), min, max, in seconds.
  read -r median min max < <(printf '%s\n' "${times[@]}" | sort -n | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.3f %.3f %.3f\n", m / 1e6, v[1] / 1e6, v[NR] / 1e6 }')
  BENCH_SECONDS[$name]=$median
  BENCH_RSS_KB[$name]=$peak
  printf '%s: %s s median of %d (min %s, max %s), peak RSS %s [%s caches]\n' \
    "$name" "$median" "$BENCH_RUNS" "$min" "$max" "$(_bench_mb "$peak")" "$_bench_cache_effective"
  [[ -z ${BENCH_RESULTS:-} ]] ||
    printf 'time\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" "$name" "$median" "$min" "$max" \
      "$peak" "$BENCH_RUNS" "$_bench_cache_effective" >>"$BENCH_RESULTS"
}

_bench_mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

# bench_ratio OURS REF [LABEL]: compares two bench_time results (by NAME, or
# plain seconds) and prints e.g.
#   commit-archive: ours 1.23 s, upstream 2.50 s, ratio 0.49 (2.03x faster)
# followed by the peak RSS of both when known. LABEL defaults to the common
# prefix of the two names without trailing separators ("commit-archive" for
# "commit-archive/ours" and "commit-archive/upstream").
bench_ratio() {
  local a=$1 b=$2 label=${3:-} ours ref
  ours=${BENCH_SECONDS[$a]:-$a}
  ref=${BENCH_SECONDS[$b]:-$b}
  [[ $ours =~ ^[0-9]+(\.[0-9]+)?$ ]] || bench_die "bench_ratio: no result named '$a'"
  [[ $ref =~ ^[0-9]+(\.[0-9]+)?$ ]] || bench_die "bench_ratio: no result named '$b'"
  if [[ -z $label ]]; then
    local i=0
    while [[ ${a:i:1} == "${b:i:1}" && $i -lt ${#a} ]]; do i=$((i + 1)); done
    label=${a:0:i}
    while [[ $label =~ [/:_\ .-]$ ]]; do label=${label%?}; done
    [[ -n $label ]] || label="$a vs $b"
  fi
  local line
  line=$(awk -v o="$ours" -v r="$ref" -v l="$label" 'BEGIN {
    if (r <= 0 || o <= 0) { printf "%s: ours %.2f s, upstream %.2f s, ratio n/a (too fast to compare)", l, o, r; exit }
    q = o / r
    if (sprintf("%.2f", q) == "1.00") verdict = "same speed"
    else if (q < 1) verdict = sprintf("%.2fx faster", r / o)
    else verdict = sprintf("%.2fx slower", o / r)
    printf "%s: ours %.2f s, upstream %.2f s, ratio %.2f (%s)", l, o, r, q, verdict }')
  if [[ -n ${BENCH_RSS_KB[$a]:-} && -n ${BENCH_RSS_KB[$b]:-} ]]; then
    line+="; peak RSS ours $(_bench_mb "${BENCH_RSS_KB[$a]}"), upstream $(_bench_mb "${BENCH_RSS_KB[$b]}")"
  fi
  echo "$line"
  [[ -z ${BENCH_RESULTS:-} ]] ||
    printf 'ratio\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" "$label" "$ours" "$ref" \
      "$(awk -v o="$ours" -v r="$ref" 'BEGIN { printf "%.3f", (r > 0 ? o / r : 0) }')" >>"$BENCH_RESULTS"
}

# bench_minbase: path of the cached Debian minbase tree (built on first use).
bench_minbase() { "$BENCH_SRC/scripts/minbase.sh"; }

# bench_edge_tree DEST: the deterministic edge-case tree of tests/data/.
bench_edge_tree() { "$BENCH_SRC/tests/data/make-edge-tree.sh" "$1"; }
