#!/usr/bin/env bash
# `ostree admin deploy` of the Debian minbase tree (with a kernel and an
# initramfs added) on top of an existing deployment whose /etc was changed:
# the checkout, the /etc 3-way merge, the kernel install and the boot
# configuration swap, ours against upstream's on identical sysroots.
# Target: at least as fast as upstream.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tree=$(bench_minbase)
[[ -d $tree ]] || bench_die "no minbase tree at '$tree'"

# A kernel the size of a real one, so installing it into /boot costs what it does.
kver=6.1.0-bench
mkdir -p kernel/usr/lib/modules/$kver
head -c 8M /dev/urandom > kernel/usr/lib/modules/$kver/vmlinuz
head -c 32M /dev/urandom > kernel/usr/lib/modules/$kver/initramfs.img

# OSTree trees keep their /etc defaults in /usr/etc.
cp -al "$tree" os
mv os/etc os/usr/etc

"$REF_OSTREE" --repo=src init --mode=archive
for v in 1 2; do
  "$REF_OSTREE" --repo=src commit -b os/v$v --tree=dir=os --tree=dir=kernel -s "v$v" \
    --add-metadata-string=version=$v --timestamp=2024-01-0$v >/dev/null
done

bench_header "admin deploy of minbase ($(find "$tree" | wc -l) entries) over a deployment with a modified /etc"
for who in ours upstream; do
  tool=$OT_OSTREE
  [[ $who == upstream ]] && tool=$REF_OSTREE
  s=sysroot-$who
  mkdir $s
  "$tool" admin init-fs $s >/dev/null
  "$tool" admin os-init --sysroot=$s bench >/dev/null
  "$REF_OSTREE" --repo=$s/ostree/repo pull-local src os/v1 os/v2 >/dev/null
  "$tool" admin deploy --sysroot=$s --os=bench os/v1 --karg=root=/dev/vda1 >/dev/null
  etc=$(echo $s/ostree/deploy/bench/deploy/*.0/etc)
  echo "127.0.0.1 bench" >> "$etc/hosts"
  echo "bench" > "$etc/hostname"
  rm -f "$etc/motd"
  mkdir -p "$etc/bench.d" && echo local > "$etc/bench.d/local.conf"
  # Each timed run deploys v2 afresh on top of v1: the v2 deployment of the
  # previous run is undeployed first (its commit stays: os/v2 is a ref).
  BENCH_PREPARE="if [[ \$($tool admin status --sysroot=$s | grep -c '^  bench ') == 2 ]]; then $tool admin undeploy --sysroot=$s 0 >/dev/null; fi"
  bench_time "deploy/$who" "$tool" admin deploy --sysroot=$s --os=bench os/v2
  unset BENCH_PREPARE
done
# Both produced the same deployment (checked untimed).
for who in ours upstream; do
  "$OT_OSTREE" admin status --sysroot=sysroot-$who > status-$who.txt
done
cmp -s status-ours.txt status-upstream.txt || bench_die "admin status differs between the two sysroots"

echo
bench_ratio deploy/ours deploy/upstream
