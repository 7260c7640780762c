#!/usr/bin/env bash
# Prints the path of a cached Debian bookworm minbase root filesystem (about
# 200 MB, 6000+ files), the realistic tree that tests and benchmarks commit.
# The first call builds it with debootstrap (needs root and the network, a few
# minutes); later calls print the path at once.
#
# The cached tree is shared by every test and benchmark on the machine: treat
# it as read-only, copy it before changing anything in it.
#
# It is made committable by any OSTree: /dev is empty (OSTree cannot store
# device nodes; a booted system mounts devtmpfs there anyway) and no device
# node, fifo or socket is left anywhere else.
#
# Environment:
#   OT_MINBASE_CACHE   cache directory (default /var/cache/ostree-cpp)
#   OT_DEBIAN_MIRROR   mirror to debootstrap from (default: the one apt uses)
set -euo pipefail

cache=${OT_MINBASE_CACHE:-/var/cache/ostree-cpp}
suite=bookworm
root=$cache/minbase-root
# Bump when the preparation below changes, so existing caches are redone.
stamp=$cache/.minbase-root.prepared-v1

die() { echo "minbase.sh: $*" >&2; exit 1; }

# The stamp is written only after the tree is complete and prepared, so its
# presence alone makes the fast path safe without taking the lock.
if [[ -e $stamp && -d $root ]]; then
  echo "$root"
  exit 0
fi

# The Debian mirror apt is configured with: a deb822 .sources file first, then
# a one-line sources.list entry, then the public default.
debian_mirror() {
  if [[ -n ${OT_DEBIAN_MIRROR:-} ]]; then echo "$OT_DEBIAN_MIRROR"; return; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    # First URIs: of a stanza whose Suites include our suite.
    uri=$(awk -v suite="$suite" '
      /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
      tolower($1) == "uris:" { u = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
      END { if (u != "" && s) print u }' "$f" | head -n1)
    if [[ -n $uri ]]; then echo "$uri"; return; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$suite" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i+1) == suite) { print $i; exit } }' "$f")
    if [[ -n $uri ]]; then echo "$uri"; return; fi
  done
  echo http://deb.debian.org/debian
}

# Empties /dev and removes any other node OSTree cannot commit. Idempotent, so
# an interrupted run is simply redone by the next caller.
prepare_tree() {
  local dir=$1
  find "$dir/dev" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +
  find "$dir" -xdev \( -type b -o -type c -o -type p -o -type s \) -delete
}

mkdir -p "$cache"
exec {lock}>"$cache/minbase-root.lock"
flock "$lock"

# Another caller may have finished while we waited for the lock.
if [[ -e $stamp && -d $root ]]; then
  echo "$root"
  exit 0
fi

if [[ ! -d $root ]]; then
  ((EUID == 0)) || die "building $root needs root (debootstrap chroots); run once as root"
  command -v debootstrap >/dev/null || die "debootstrap is not installed (scripts/install-deps.sh)"
  mirror=$(debian_mirror)
  # Built beside the final path so the rename is atomic (same filesystem);
  # a crashed build leaves only a .tmp-* directory, removed here next time.
  rm -rf "$cache"/.minbase-root.tmp-*
  tmp=$(mktemp -d "$cache/.minbase-root.tmp-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "minbase.sh: debootstrap --variant=minbase $suite from $mirror (a few minutes)" >&2
  if ! debootstrap --variant=minbase "$suite" "$tmp/root" "$mirror" >"$tmp/log" 2>&1; then
    tail -n 20 "$tmp/log" >&2
    die "debootstrap failed"
  fi
  prepare_tree "$tmp/root"
  mv -T "$tmp/root" "$root"
  rm -rf "$tmp"
  trap - EXIT
else
  # A tree from before preparation existed (or an interrupted preparation).
  prepare_tree "$root"
fi

sync -f "$root"
touch "$stamp"
echo "$root"
