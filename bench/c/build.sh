#!/bin/sh
# Rebuilds every bench/c/*.wasm from its .c (clang >= 14 with the wasm32 target and lld).
# Freestanding: no libc, no WASI imports; -mbulk-memory turns memset/memcpy into
# memory.fill/memory.copy; simd.c also gets -msimd128. The .wasm outputs are committed
# (CI has no clang), so run this after editing a source and commit both.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
for src in *.c; do
  name=${src%.c}
  extra=""
  case "$name" in simd) extra="-msimd128" ;; esac
  $CC -Werror --target=wasm32 -O2 -nostdlib -mbulk-memory $extra \
    -Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=65536 \
    -o "$name.wasm" "$src"
  echo "$name.wasm: $(wc -c < "$name.wasm") bytes"
done
