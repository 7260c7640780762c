#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages, including
# Debian's ostree (2022.7) as the reference peer. Idempotent and quick when
# everything is already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev zlib1g-dev libdeflate-dev libfmt-dev catch2
  libfuse3-dev fuse3 attr
  clang libclang-rt-14-dev
  ostree debootstrap
  btrfs-progs xfsprogs hyperfine time python3 openssl
  libcurl4-openssl-dev nginx
  libgpgme-dev gnupg python3-gi
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
