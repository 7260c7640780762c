#!/usr/bin/env bash
# The Hello World of upstream's overview, run with our ostree in a scratch dir.
set -euo pipefail
ostree="$(cd "$(dirname "$0")/.." && pwd)/build/cli/ostree"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
set -x
mkdir tree
cd tree
echo "Hello world!" > hello.txt
cd ..
"$ostree" --repo=repo init
"$ostree" --repo=repo commit --branch=foo tree/
"$ostree" --repo=repo refs
"$ostree" --repo=repo ls foo
"$ostree" --repo=repo cat foo /hello.txt
"$ostree" --repo=repo checkout foo tree-checkout/
cat tree-checkout/hello.txt
