#!/usr/bin/env bash
# Second command of the README (and CI): make sure dependencies and the build
# are there, then run every test. Extra args go to ctest (e.g. -R store).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j2 --timeout 900 "$@"
