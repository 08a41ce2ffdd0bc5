/**
 * Run by own-deopts.test.ts in a child process under `--trace-deopt --no-concurrent-recompilation`: wasmeter's own
 * functions that V8 compiles on-stack (a long loop run once) or optimises early in a first run, each driven past
 * the point where its optimised code used to be thrown away (BENCHMARKS.md, session 19, helper deopt19). The test
 * reads V8's bailouts from this process's output; this script prints what it computed, to be checked too.
 */
import { Linker, Module, Store } from '../../src/index.js';
import { outline } from '../../src/jit/outline.js';
import { keepsViews } from '../../src/jit/keeps-views.js';
import { validateModule } from '../../src/validate/module.js';
import { decodeModule } from '../../src/decoder/decode.js';
import { watToBinary } from '../../src/text/wat.js';

const out: Record<string, unknown> = {};

// keeps-views.ts scan: a module of many bodies (its loop over them compiled on-stack), its only unsafe body the last
{
  const n = 3000;
  let wat = '(module (import "h" "f" (func $h)) (memory 1)\n';
  for (let i = 0; i < n; i++) {
    const ops = Array.from({ length: 100 }, (_, k) => `(drop (i32.add (local.get 0) (i32.const ${k})))`).join(' ');
    // (each calls the one before it; the last calls the host, so it alone is unsafe)
    const call = i + 1 < n ? (i > 0 ? `(call ${i} (local.get 0))` : '') : '(call $h)';
    wat += `(func (param i32) ${ops} ${call})\n`;
  }
  wat += ')';
  const vm = validateModule(decodeModule(watToBinary(wat)));
  out.keeps = [keepsViews(vm, 1), keepsViews(vm, n - 1), keepsViews(vm, n), keepsViews(vm, 0)];
}

// outline.ts parse: a body of about 600 KB, its braces' loop compiled on-stack in the one call
{
  let body = '';
  const inner = 'b = c + 1;\n'.repeat(60);
  for (let i = 0; body.length < 600_000; i++) body += `if (x === ${i}) {\nL${i}: for (;;) { if (y) { a = ${i}; break L${i}; }\n${inner}}\n} else {\nd = ${i};\n}\n`;
  out.outlined = outline(body, 1000, 48_000, 500)?.sizes.length ?? 0;
}

// the translator's `op` and LoopScan's `instr`, optimised on many functions, then one with a fusion whose first op
// traps (an address add and f32.load, then f32.sub) and a br_table of 128 targets in a loop
{
  const fns: string[] = [];
  const plain = (i: number): string =>
    `(func (export "f${i}") (param i32) (result i32) (local i32)
      (loop $l (block $a (block $b (br_table $a $b $a (i32.and (local.get 1) (i32.const 1)))))
        (local.set 1 (i32.add (local.get 1) (i32.add (i32.load8_u (local.get 0)) (i32.const 1))))
        (br_if $l (i32.lt_u (local.get 1) (i32.const 3))))
      (local.get 1))`;
  for (let i = 0; i < 600; i++) fns.push(plain(i));
  const targets = Array.from({ length: 130 }, () => '$d').join(' ');
  fns.push(`(func (export "late") (param i32) (result i32) (local f32)
    (loop $l (block $d (br_table ${targets} (i32.and (local.get 0) (i32.const 0))))
      (local.set 1 (f32.sub (local.get 1) (f32.load (i32.add (local.get 0) (i32.const 4)))))
      (br_if $l (f32.lt (local.get 1) (f32.const -1))))
    (i32.trunc_f32_s (local.get 1)))`);
  const m = Module.fromBinary(watToBinary(`(module (memory 1) ${fns.join('\n')})`));
  const inst = new Linker().instantiate(new Store(), m);
  let s = 0;
  for (let i = 0; i < 600; i++) s += inst.call(`f${i}`, 1)[0] as number;
  out.sum = s;
  out.late = inst.call('late', 8)[0];
}

console.log('result ' + JSON.stringify(out));
