/**
 * wasmeter vs V8's own WebAssembly in the same process (benny).
 * `npm run bench` prints a table of ratios and writes bench/results.json.
 */
import b from 'benny';
import { writeFileSync } from 'node:fs';
import { Linker, Module, Store } from '../src/index.js';
import { watToBinary } from '../src/text/index.js';
import { WORKLOADS } from './workloads.js';

interface Row {
  workload: string;
  v8: number;
  wasmeter: number;
  metered: number;
  ratio: number;
  meteringOverhead: number;
  instrPerSec: number;
}

function same(a: unknown, b: unknown): boolean {
  return typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as bigint) === BigInt(b as bigint) : a === b;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const w of WORKLOADS) {
    const bytes = watToBinary(w.wat);
    const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)).exports as Record<string, (...a: unknown[]) => unknown>;
    const v8fn = v8[w.export]!;
    const mod = Module.fromBinary(bytes);
    const free = new Linker().instantiate(new Store(), mod);
    const meteredStore = new Store({ fuel: Number.MAX_SAFE_INTEGER - 1 });
    const metered = new Linker().instantiate(meteredStore, mod);
    const want = v8fn(...w.args);
    const got = free.call(w.export, ...w.args)[0];
    if (!same(want, got)) throw new Error(`${w.name}: wasmeter returned ${got}, V8 ${want}`);
    const before = meteredStore.fuelConsumed;
    metered.call(w.export, ...w.args);
    const fuelPerRun = meteredStore.fuelConsumed - before;
    const hz: Record<string, number> = {};
    await b.suite(
      w.name,
      b.add('v8', () => v8fn(...w.args)),
      b.add('wasmeter', () => free.call(w.export, ...w.args)),
      b.add('wasmeter metered', () => metered.call(w.export, ...w.args)),
      b.cycle(),
      b.complete((summary) => {
        for (const r of summary.results) hz[r.name] = r.ops;
      }),
    );
    const row: Row = {
      workload: w.name,
      v8: hz['v8']!,
      wasmeter: hz['wasmeter']!,
      metered: hz['wasmeter metered']!,
      ratio: hz['v8']! / hz['wasmeter']!,
      meteringOverhead: hz['wasmeter']! / hz['wasmeter metered']! - 1,
      instrPerSec: fuelPerRun * hz['wasmeter metered']!,
    };
    rows.push(row);
  }
  const geo = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length);
  console.log('\n| workload | V8 ops/s | wasmeter ops/s | × V8 time | metering overhead | instr/s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.workload} | ${r.v8.toFixed(1)} | ${r.wasmeter.toFixed(2)} | ${r.ratio.toFixed(1)}× | ${(r.meteringOverhead * 100).toFixed(1)}% | ${(r.instrPerSec / 1e6).toFixed(1)} M |`,
    );
  }
  console.log(`\ngeometric mean: ${geo.toFixed(1)}× V8's time`);
  writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, geomean: geo, rows }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
