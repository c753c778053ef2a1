#!/usr/bin/env bash
# Installs the Debian packages that `make check` (check-preload runs python3's own test suite
# and the sqlite3 shell), `make prove`, `make fuzz` and
# `make bench` need. Idempotent: it only calls apt-get when something is missing,
# so a warm machine pays one dpkg query per package.
set -euo pipefail

pkgs=(
  build-essential clang llvm libclang-rt-14-dev lld
  libcriterion-dev pkg-config
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  gcc-multilib qemu-user g++ cmake doxygen
  cppcheck
  frama-c-base why3 z3 cvc4
  afl++
  valgrind
  libmimalloc-dev libjemalloc-dev
  python3 xz-utils
  libpython3.11-testsuite sqlite3
)
# devscripts is installed without its ~235 recommended packages: we only need hardening-check.
norec=(devscripts)

missing=()
for p in "${pkgs[@]}" "${norec[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
want=()
for p in "${pkgs[@]}"; do [[ " ${missing[*]} " == *" $p "* ]] && want+=("$p"); done
[ ${#want[@]} -gt 0 ] && $SUDO apt-get install -y -qq "${want[@]}" >/dev/null
for p in "${norec[@]}"; do
  [[ " ${missing[*]} " == *" $p "* ]] && $SUDO apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
echo "install-deps: done"
