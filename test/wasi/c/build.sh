#!/bin/sh
# Rebuilds the WASI test programs (test/wasi/c/*.c -> *.wasm). Needs clang (14+), lld and wasi-libc
# (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32). CI uses the committed .wasm files.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
SYSROOT=${WASI_SYSROOT:-/usr}
for src in *.c; do
  out="${src%.c}.wasm"
  libs=""
  # printf of long double needs wasi-libc's optional long-double support
  case "$src" in intfloat.c) libs="-lc-printscan-long-double" ;; esac
  "$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wl,--strip-all -o "$out" "$src" $libs
  echo "$out: $(wc -c < "$out") bytes"
done
