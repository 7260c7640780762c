#!/usr/bin/env bash
# `ostree mount` of the Debian minbase tree (6,700 entries: setuid binaries,
# non-root groups, hardlinks, long symlink chains), committed by the
# reference in every repo mode, is exactly the reference's checkout of it, as
# diff -r, stat and getfattr see it; and a chroot into the mount runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mount.sh"
require_fuse
[[ -x $REF_OSTREE ]] || skip "reference $REF_OSTREE not installed"
if [[ ! -d ${OT_MINBASE_CACHE:-/var/cache/ostree-cpp}/minbase-root ]]; then
  skip "no cached minbase tree; run scripts/minbase.sh once (debootstrap, needs the network)"
fi
in_private_mount_ns "$@"
root=$("$OT_SRC/scripts/minbase.sh")

for mode in bare bare-user bare-user-only archive; do
  "$REF_OSTREE" --repo=repo-$mode init --mode=$mode
  "$REF_OSTREE" --repo=repo-$mode config set core.fsync false
  # bare-user-only cannot store setuid bits or ownership: commit it the way
  # such repos are fed (canonical permissions).
  args=()
  [[ $mode == bare-user-only ]] && args=(--canonical-permissions)
  "$REF_OSTREE" --repo=repo-$mode commit -b minbase "${args[@]}" --tree=dir="$root" >/dev/null
  "$REF_OSTREE" --repo=repo-$mode checkout minbase co-$mode
  mount_commit repo-$mode minbase mnt-$mode
  assert_same_as_checkout mnt-$mode co-$mode
  if [[ $mode != bare-user-only ]]; then
    assert_eq "$(stat -c '%a %U' mnt-$mode/usr/bin/passwd)" "4755 root" "$mode: setuid passwd"
    assert_eq "$(stat -c '%G' mnt-$mode/etc/shadow)" shadow "$mode: group of /etc/shadow"
  fi
  unmount_commit mnt-$mode
  rm -rf co-$mode
done

# A developer's use: run the commit's own shell in it.
mount_commit repo-archive minbase mnt-chroot
assert_eq "$(chroot mnt-chroot /bin/sh -c 'echo $((6 * 7)); cat /etc/debian_version' | head -n 1)" 42 \
  "a shell run in a chroot of the mount"
assert_file_has_content mnt-chroot/etc/os-release bookworm
unmount_commit mnt-chroot
