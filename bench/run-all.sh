#!/usr/bin/env bash
# Runs every benchmark (bench/*.sh but this script and lib.sh), one after the
# other, and ends with a summary of the ours-vs-upstream ratios. A failing
# benchmark is reported and the others still run; the exit status says
# whether all succeeded. Arguments: optional benchmark names to run only
# those (e.g. bench/run-all.sh bench-commit).
#
# The machine is shared: run this once, not in a loop.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_RESULTS=${BENCH_RESULTS:-$(mktemp "${TMPDIR:-/tmp}/ot-bench-results.XXXXXX")}

benches=()
for f in "$here"/*.sh; do
  name=$(basename "$f" .sh)
  [[ $name == lib || $name == run-all ]] && continue
  if (($# > 0)); then
    keep=0
    for want in "$@"; do [[ $name == "$want" || $name == "bench-$want" ]] && keep=1; done
    ((keep)) || continue
  fi
  benches+=("$f")
done
((${#benches[@]})) || { echo "run-all: no benchmark matched: $*" >&2; exit 1; }

failed=()
for f in "${benches[@]}"; do
  name=$(basename "$f" .sh)
  echo "### $name"
  start=$(date +%s)
  if bash "$f"; then
    echo "### $name done in $(($(date +%s) - start)) s"
  else
    echo "### $name FAILED (exit $?)"
    failed+=("$name")
  fi
  echo
done

echo "### summary (ours / upstream wall time; below 1 means we are faster)"
awk -F '\t' '$1 == "ratio" { printf "  %-16s %-36s %s\n", $2, $3, $6 }' "$BENCH_RESULTS"
echo "### raw results: $BENCH_RESULTS"
if ((${#failed[@]})); then
  echo "### failed: ${failed[*]}"
  exit 1
fi
