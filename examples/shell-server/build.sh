#!/bin/sh
# Rebuilds shell.wasm from shell.c. Needs clang (14+), lld and wasi-libc
# (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32). The committed shell.wasm is what runs.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
SYSROOT=${WASI_SYSROOT:-/usr}
"$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra -Wl,--strip-all -o shell.wasm shell.c
echo "shell.wasm: $(wc -c < shell.wasm) bytes"
