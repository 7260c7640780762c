# Sourced by the `ostree admin` tests (after lib.sh): small OS trees and
# sysroots, and a manifest of a sysroot to compare two of them.
#
# make_os_tree DIR KVER [VERSION]: usr/lib/modules/KVER/{vmlinuz,initramfs.img},
#   usr/lib/os-release, usr/etc defaults.
# new_sysroot OSTREE DIR STATEROOT: init-fs + os-init with that binary.
# sysroot_manifest DIR: every path (deployment checksums included), type,
#   mode, symlink target, and the content of the small text files upstream
#   and we write (boot entries, bootloader configs, .origin, /etc, refs).
# sysroot_full_manifest DIR: tree_manifest of the whole sysroot, repository
#   objects and tmp/ included: a comparison before and after a command
#   sees any byte, mode, xattr or path it changed.
# remove_sysroot DIR: deletes a sysroot, deployments' immutable bit
#   (chattr +i, set by both tools) cleared first.

make_os_tree() {
  local dir=$1 kver=$2 version=${3:-1}
  mkdir -p "$dir/usr/lib/modules/$kver" "$dir/usr/etc/sub" "$dir/usr/bin"
  echo "kernel $kver" >"$dir/usr/lib/modules/$kver/vmlinuz"
  echo "initramfs $kver" >"$dir/usr/lib/modules/$kver/initramfs.img"
  printf 'NAME=Test\nPRETTY_NAME="Test OS"\nVERSION_ID=%s\n' "$version" >"$dir/usr/lib/os-release"
  echo "motd $version" >"$dir/usr/etc/motd"
  echo "conf" >"$dir/usr/etc/sub/conf"
  echo "#!/bin/sh" >"$dir/usr/bin/tool"
}

new_sysroot() {
  local ostree=$1 dir=$2 stateroot=$3
  mkdir -p "$dir"
  "$ostree" admin init-fs "$dir" >/dev/null
  "$ostree" admin os-init --sysroot="$dir" "$stateroot" >/dev/null
}

sysroot_manifest() {
  (
    cd "$1"
    find . -path ./ostree/repo/objects -prune -o -path ./ostree/repo/tmp -prune -o -printf '%p %y %m %l\n' | LC_ALL=C sort
    find boot ostree/deploy -maxdepth 6 \( -name '*.conf' -o -name '*.origin' -o -name syslinux.cfg -o -name uEnv.txt -o -name grub.cfg \) -type f |
      LC_ALL=C sort | while read -r f; do
        echo "== $f"
        cat "$f"
      done
    find ostree/repo/refs -type f | LC_ALL=C sort | while read -r f; do echo "== $f: $(cat "$f")"; done
    for etc in ostree/deploy/*/deploy/*/etc; do
      [[ -d $etc ]] || continue
      find "$etc" -type f | LC_ALL=C sort | while read -r f; do echo "== $f: $(cat "$f")"; done
    done
  )
}

sysroot_full_manifest() {
  tree_manifest "$1"
}

remove_sysroot() {
  local d
  for d in "$1"/ostree/deploy/*/deploy/*; do
    if [[ -d $d && ! -L $d ]]; then chattr -i "$d" 2>/dev/null || true; fi
  done
  rm -rf "$1"
}
