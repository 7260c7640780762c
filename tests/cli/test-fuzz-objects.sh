#!/bin/bash
# Fuzzes the parsers of untrusted input (GVariant codec, dirtree/dirmeta/commit
# and file header decoders, GVariant text) with libFuzzer under ASan and UBSan,
# for a bounded time. Fails if the fuzzer finds a crash, a sanitizer report or
# a broken round-trip property (see tests/fuzz/fuzz_objects.cpp); the input
# that triggered it is kept under $OT_BUILD/fuzz-artifacts/ to reproduce with
#   <binary> <artifact>
#
# The seed corpus (tests/fuzz/corpus/) holds real objects written by the
# reference: `ostree commit` of a small tree (file with an xattr, symlink,
# 0750 subdirectory) in an archive repo with --add-metadata values and
# detached metadata, plus its summary file and two text-format samples.
#
# OT_FUZZ_SECONDS (default 60) bounds the run.
. "$(dirname "$0")/lib.sh"

require_cmd clang++
seconds=${OT_FUZZ_SECONDS:-60}

# Probe: this clang must ship libFuzzer and the sanitizer runtimes.
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer "-I$OT_SRC")
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > probe.cpp
clang++ -fsanitize=fuzzer,address,undefined probe.cpp -o probe 2>/dev/null ||
  skip "clang++ cannot link -fsanitize=fuzzer,address,undefined"

# Only what the decoders need: no repository code, no I/O.
sources=(
  store/gvariant.cpp store/gvariant_text.cpp store/gvariant_parse.cpp store/gvariant_lexer.cpp
  store/unicode_printable.cpp store/objects.cpp store/checksum.cpp
  base/error.cpp base/hex.cpp tests/fuzz/fuzz_objects.cpp
)
mkdir obj
printf '%s\n' "${sources[@]}" | xargs -P 2 -I{} sh -c \
  'clang++ "$@" -c "$OT_SRC/{}" -o "obj/$(echo {} | tr / _).o"' _ "${flags[@]}" ||
  fail "fuzz target does not compile"
clang++ -fsanitize=fuzzer,address,undefined obj/*.o -lcrypto -o fuzz_objects ||
  fail "fuzz target does not link"

# libFuzzer adds what it finds to the first corpus directory: work on a copy.
mkdir corpus artifacts
cp "$OT_SRC"/tests/fuzz/corpus/* corpus/

# Every seed must pass the properties before fuzzing starts.
./fuzz_objects -runs=0 corpus/ >seed.log 2>&1 || { cat seed.log >&2; fail "a seed input fails"; }
_test_check_passed

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if ! ./fuzz_objects -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix=artifacts/ corpus/ >fuzz.log 2>&1; then
  tail -60 fuzz.log >&2
  if [[ -n ${OT_BUILD:-} ]]; then
    mkdir -p "$OT_BUILD/fuzz-artifacts"
    cp artifacts/* "$OT_BUILD/fuzz-artifacts/" 2>/dev/null || true
    cp fuzz_objects "$OT_BUILD/fuzz-artifacts/"
    _test_say "reproducer(s) and binary kept in $OT_BUILD/fuzz-artifacts/"
  fi
  fail "fuzzer found a failing input"
fi
_test_check_passed
grep -E '^stat::number_of_executed_units|^stat::new_units_added' fuzz.log | sed "s/^/$TEST_NAME: /" >&2 || true
