#!/usr/bin/env bash
# scripts/minbase.sh gives a realistic root filesystem that any OSTree can
# commit: thousands of files, an empty /dev, no device nodes, fifos or sockets.
. "$(dirname "$0")/lib.sh"
require_root # building or preparing the cache needs it
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
if [[ ! -d ${OT_MINBASE_CACHE:-/var/cache/ostree-cpp}/minbase-root ]]; then
  skip "no cached minbase tree; run scripts/minbase.sh once (debootstrap, needs the network)"
fi

root=$("$OT_SRC/scripts/minbase.sh")
assert_eq "$root" "${OT_MINBASE_CACHE:-/var/cache/ostree-cpp}/minbase-root" "cached tree path"
assert_eq "$("$OT_SRC/scripts/minbase.sh")" "$root" "path on a second call"
assert_eq "$(ls -A "$root/dev")" "" "contents of /dev"
assert_eq "$(find "$root" -xdev \( -type b -o -type c -o -type p -o -type s \) | wc -l)" 0 \
  "device nodes, fifos and sockets"
nfiles=$(find "$root" -xdev -type f | wc -l)
assert_eq "$((nfiles > 4000))" 1 "thousands of files ($nfiles)"
assert_eq "$(readlink "$root/bin")" usr/bin "merged /usr layout"
[[ -x $root/usr/bin/apt-get && -f $root/etc/os-release ]] || fail "not a Debian root: no apt-get or os-release"
assert_file_has_content "$root/etc/os-release" 'VERSION_CODENAME=bookworm'

# Concurrent callers all get the path and nothing is rebuilt or corrupted.
for i in 1 2 3 4; do "$OT_SRC/scripts/minbase.sh" >"path.$i" & done
wait
for i in 1 2 3 4; do assert_eq "$(cat "path.$i")" "$root" "path from concurrent caller $i"; done

"$REF_OSTREE" --repo=repo init --mode=bare
"$REF_OSTREE" --repo=repo commit -b m --tree=dir="$root" >commit.out
assert_file_has_content commit.out '^[0-9a-f]{64}$'

# A cache from before preparation (device nodes in /dev and elsewhere, a fifo,
# a socket) is prepared in place on first use, keeping everything else.
mkdir -p cache/minbase-root/dev/pts cache/minbase-root/etc cache/minbase-root/run
mknod cache/minbase-root/dev/null c 1 3
ln -s /proc/self/fd cache/minbase-root/dev/fd
mknod cache/minbase-root/etc/stray-block b 7 0
mkfifo cache/minbase-root/run/fifo
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' cache/minbase-root/run/sock
echo keep >cache/minbase-root/etc/kept
assert_eq "$(OT_MINBASE_CACHE=$PWD/cache "$OT_SRC/scripts/minbase.sh")" "$PWD/cache/minbase-root" "path in a custom cache"
assert_eq "$(cd cache/minbase-root && find . | sort | tr '\n' ' ')" ". ./dev ./etc ./etc/kept ./run " "prepared legacy tree"
