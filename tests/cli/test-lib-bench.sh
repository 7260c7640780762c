#!/usr/bin/env bash
# bench/lib.sh measures what it says: median wall time of known-length
# commands, peak RSS of a known allocation, the prepare hook before every run,
# ratios in the documented format, failures that stop the benchmark, and the
# warm fallback when caches cannot be dropped. bench/run-all.sh runs every
# benchmark, keeps going past a failure and summarises the ratios.
. "$(dirname "$0")/lib.sh"
require_cmd awk
[[ -x /usr/bin/time ]] || skip "needs /usr/bin/time (package time, scripts/install-deps.sh)"

# The library only needs two executables to exist; the reference serves as
# both so this test does not depend on our build.
export OT_OSTREE=$REF_OSTREE BENCH_TMPDIR=$TEST_TMP
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"

# Runs a benchmark script body with bench/lib.sh sourced; output in
# bench.out/bench.err, exit status in BENCH_RC.
run_bench() {
  printf '. %q\n%s\n' "$OT_SRC/bench/lib.sh" "$1" >"$TEST_TMP/bench-x.sh"
  BENCH_RC=0
  bash "$TEST_TMP/bench-x.sh" >"$TEST_TMP/bench.out" 2>"$TEST_TMP/bench.err" || BENCH_RC=$?
}
# value_of NAME FIELD: a field of the "time" row for NAME in results.tsv.
value_of() { awk -F '\t' -v n="$1" -v f="$2" '$1 == "time" && $3 == n { print $f }' results.tsv; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# --- wall time, prepare hook, ratio, results file ------------------------------------
export BENCH_RESULTS=$TEST_TMP/results.tsv
BENCH_RUNS=3 BENCH_WARMUP=1 run_bench '
BENCH_PREPARE="echo prepared >> '"$TEST_TMP"'/prepare.log" bench_time sleep/ours sleep 0.2
bench_time sleep/upstream sleep 0.4
bench_ratio sleep/ours sleep/upstream'
assert_eq "$BENCH_RC" 0 "exit status of a benchmark"
assert_eq "$(wc -l <prepare.log)" 4 "prepare hook runs (1 warm-up + 3 timed)"
median=$(value_of sleep/ours 4)
between "$median" 0.19 0.35 || fail "median of 'sleep 0.2' is $median s"
_test_check_passed
between "$(value_of sleep/upstream 4)" 0.39 0.6 || fail "median of 'sleep 0.4' is $(value_of sleep/upstream 4) s"
_test_check_passed
assert_eq "$(value_of sleep/ours 8)" 3 "runs recorded"
assert_file_has_content bench.out '^sleep/ours: 0\.[0-9]{3} s median of 3 \(min 0\.[0-9]{3}, max 0\.[0-9]{3}\), peak RSS [0-9.]+ MB \[warm caches\]$'
assert_file_has_content bench.out '^sleep: ours 0\.[0-9]{2} s, upstream 0\.[0-9]{2} s, ratio 0\.[0-9]{2} \([0-9.]+x faster\); peak RSS ours [0-9.]+ MB, upstream [0-9.]+ MB$'
ratio=$(awk -F '\t' '$1 == "ratio" && $3 == "sleep" { print $6 }' results.tsv)
between "$ratio" 0.4 0.7 || fail "ratio of sleep 0.2 to sleep 0.4 is $ratio"
_test_check_passed

# --- peak RSS ---------------------------------------------------------------------------
rm -f results.tsv
BENCH_RUNS=1 BENCH_WARMUP=0 run_bench '
bench_time big awk "BEGIN { s = \"x\"; while (length(s) < 100000000) s = s s; print length(s) }"
bench_time small true'
assert_eq "$BENCH_RC" 0 "exit status of the RSS benchmark"
between "$(value_of big 7)" 97000 400000 || fail "peak RSS of a 128 MiB string is $(value_of big 7) KiB"
_test_check_passed
between "$(value_of small 7)" 1 20000 || fail "peak RSS of true is $(value_of small 7) KiB"
_test_check_passed

# --- ratio format ------------------------------------------------------------------------
run_bench '
bench_ratio 1.23 2.50 commit-archive
bench_ratio 3 2 checkout
bench_ratio 2.001 2 same'
assert_eq "$(cat bench.out)" "commit-archive: ours 1.23 s, upstream 2.50 s, ratio 0.49 (2.03x faster)
checkout: ours 3.00 s, upstream 2.00 s, ratio 1.50 (1.50x slower)
same: ours 2.00 s, upstream 2.00 s, ratio 1.00 (same speed)" "bench_ratio lines"
run_bench 'bench_ratio no-such-result 1'
assert_eq "$BENCH_RC" 1 "exit status of a ratio of an unknown result"
assert_file_has_content bench.err "no result named 'no-such-result'"

# --- failures stop the benchmark ----------------------------------------------------------
BENCH_WARMUP=0 run_bench 'bench_time broken sh -c "echo boom >&2; exit 3"; echo not reached'
assert_eq "$BENCH_RC" 1 "exit status when a timed command fails"
assert_file_has_content bench.err '^boom$'
assert_file_has_content bench.err 'broken: run 1 failed \(exit 3\)'
assert_not_file_has_content bench.out 'not reached'
run_bench 'bench_time broken false'
assert_file_has_content bench.err 'broken: warm-up run failed'
BENCH_RUNS=0 run_bench 'true'
assert_file_has_content bench.err 'BENCH_RUNS=0 is not a positive integer'
OT_OSTREE=/nonexistent/ostree run_bench 'true'
assert_file_has_content bench.err '/nonexistent/ostree is not built or not installed'

# --- cold caches fall back to warm when they cannot be dropped ----------------------------
# Made deterministic by a read-only /proc/sys in a private mount namespace
# (as root); without root the file is not writable anyway. Never drops the
# real page cache, which other work on the machine shares.
if ((EUID == 0)) && unshare -m --propagation private true 2>/dev/null; then
  printf '. %q\n%s\n' "$OT_SRC/bench/lib.sh" 'bench_header "cold"; bench_time t true' >bench-cold.sh
  BENCH_CACHE=cold BENCH_RUNS=1 unshare -m --propagation private sh -c \
    'mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec bash bench-cold.sh' \
    >bench.out 2>bench.err
else
  BENCH_CACHE=cold BENCH_RUNS=1 run_bench 'bench_header "cold"; bench_time t true'
fi
assert_file_has_content bench.err 'cold caches requested but /proc/sys/vm/drop_caches is not writable; measuring with warm caches'
assert_file_has_content bench.out '^t: .* \[warm caches\]$'
assert_file_has_content bench.out 'warm caches, median of 1 run\(s\) after 1 warm-up run\(s\)$'

# --- scratch dir --------------------------------------------------------------------------------
run_bench 'echo "$BENCH_TMP" > '"$TEST_TMP"'/bench.tmp; [[ $PWD == "$BENCH_TMP" ]] && echo in-scratch'
assert_eq "$(cat bench.out)" in-scratch "working directory of a benchmark"
[[ ! -e $(cat bench.tmp) ]] || fail "benchmark scratch dir $(cat bench.tmp) left behind"
_test_check_passed

# --- run-all.sh ------------------------------------------------------------------------------------
mkdir -p suite/bench
cp "$OT_SRC/bench/lib.sh" "$OT_SRC/bench/run-all.sh" suite/bench/
printf '. "$(dirname "$0")/lib.sh"\nbench_ratio 1 2 alpha\n' >suite/bench/bench-alpha.sh
printf '. "$(dirname "$0")/lib.sh"\nbench_die "on purpose"\n' >suite/bench/bench-beta.sh
printf '. "$(dirname "$0")/lib.sh"\nbench_ratio 4 2 gamma\n' >suite/bench/gamma.sh
rc=0
BENCH_RESULTS=$TEST_TMP/all.tsv bash suite/bench/run-all.sh >all.out 2>all.err || rc=$?
assert_eq "$rc" 1 "exit status of run-all with one failing benchmark"
assert_eq "$(grep -c '^### [a-z-]*$' all.out)" 3 "benchmarks run (lib.sh and run-all.sh excluded)"
assert_file_has_content all.out '^### bench-beta FAILED \(exit 1\)$'
assert_file_has_content all.out '^  bench-alpha +alpha +0\.500$'
assert_file_has_content all.out '^  gamma +gamma +2\.000$'
assert_file_has_content all.out '^### failed: bench-beta$'
rc=0
BENCH_RESULTS=$TEST_TMP/one.tsv bash suite/bench/run-all.sh alpha >one.out 2>&1 || rc=$?
assert_eq "$rc" 0 "exit status of run-all restricted to a passing benchmark"
assert_eq "$(grep -c '^### [a-z-]*$' one.out)" 1 "benchmarks run when one is named"
