# Sourced by tests that need a sysroot the running system booted from:
#   . "$(dirname "$0")/lib-booted.sh"   (after lib.sh and in_private_mount_ns)
#
# make_bootable_tree DIR KVER [VERSION]: an OS tree with what a booted
#   deployment needs as mountpoints (proc sys dev run tmp sysroot boot), the
#   merged-/usr symlinks, /ostree -> sysroot/ostree, a kernel and usr/etc.
#
# run_booted SYSROOT DEPLOY_RELPATH CMD...: runs CMD with the deployment as
#   its root, as ostree-prepare-root leaves a booted system: / is the
#   deployment, /sysroot the physical root, /boot its boot directory,
#   /run/ostree-booted exists. The host's /usr is mounted over the
#   deployment's so host binaries run; CMD names $BOOTED_OSTREE (our binary,
#   mounted in) or /usr/bin/ostree (the reference). Mounts happen in a child
#   mount namespace and vanish with it; /run is a tmpfs kept in
#   $BOOTED_RUN so state written there (a staged deployment) survives from
#   one run_booted to the next.

BOOTED_OSTREE=/run/ot-bin/ostree
BOOTED_RUN=$TEST_TMP/booted-run
mkdir -p "$BOOTED_RUN"

make_bootable_tree() {
  local dir=$1 kver=$2 version=${3:-1}
  mkdir -p "$dir"/usr/{bin,lib,lib64,sbin,etc} "$dir/usr/lib/modules/$kver"
  mkdir -p "$dir"/{proc,sys,dev,run,tmp,sysroot,boot,var,home,root,mnt}
  ln -s usr/bin "$dir/bin"
  ln -s usr/lib "$dir/lib"
  ln -s usr/lib64 "$dir/lib64"
  ln -s usr/sbin "$dir/sbin"
  ln -s sysroot/ostree "$dir/ostree"
  echo "kernel $kver" >"$dir/usr/lib/modules/$kver/vmlinuz"
  echo "initramfs $kver" >"$dir/usr/lib/modules/$kver/initramfs.img"
  printf 'NAME=Booted\nPRETTY_NAME="Booted Test OS"\nID=booted\n' >"$dir/usr/lib/os-release"
  echo "booted-$version" >"$dir/usr/etc/hostname"
  echo "default" >"$dir/usr/etc/motd"
}

run_booted() {
  local sysroot=$1 deployment=$2
  shift 2
  local root=$TEST_TMP/booted-root
  mkdir -p "$root"
  unshare -m --propagation private --pid --fork -- bash -euc '
    sysroot=$1 deployment=$2 root=$3 run=$4 ostree=$5
    shift 5
    mount --bind "$sysroot/$deployment" "$root"
    mount --bind /usr "$root/usr"
    mount --bind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount --bind "$run" "$root/run"
    mount --bind "$sysroot" "$root/sysroot"
    mount --bind "$sysroot/boot" "$root/boot"
    mount -t tmpfs tmpfs "$root/tmp"
    touch "$root/run/ostree-booted"
    mkdir -p "$root/run/ot-bin"
    touch "$root/run/ot-bin/ostree"
    mount --bind "$ostree" "$root/run/ot-bin/ostree"
    exec chroot "$root" "$@"
  ' run_booted "$(readlink -f "$sysroot")" "$deployment" "$root" "$BOOTED_RUN" "$OT_OSTREE" "$@"
}
