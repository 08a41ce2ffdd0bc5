/**
 * Peak memory: each workload runs once in a fresh Node process under V8's
 * WebAssembly and once under wasmeter, and the child reports its peak RSS
 * (VmHWM on Linux, else process.resourceUsage().maxRSS). A child that only loads the bundle gives
 * the baseline both share.
 *
 *   npm run bench -- rss            (or: rss fib sieve …)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Linker, Module, Store } from '../src/index.js';
import { WORKLOADS, type Workload } from './workloads.js';

export interface RssRow {
  id: string;
  /** Peak RSS in MB of a process that ran the workload once. */
  v8MB: number;
  wasmeterMB: number;
  /** wasmeter / V8, whole processes. */
  ratio: number;
  /** The same above the baseline process (bundle loaded, nothing run). */
  v8AboveMB: number;
  wasmeterAboveMB: number;
}

type Fn = (...a: unknown[]) => unknown;

/** In a child process: run one workload once with one engine and print the peak RSS in KB. */
export function rssChild(id: string, engine: string): void {
  const w = WORKLOADS.find((x) => x.id === id);
  if (engine !== 'none') {
    if (!w) throw new Error(`unknown workload ${id}`);
    const bytes = w.bytes();
    if (engine === 'v8') {
      const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).exports as Record<string, Fn>;
      ex[w.export]!(...w.args);
    } else {
      new Linker().instantiate(new Store(), Module.fromBinary(bytes)).call(w.export, ...w.args);
    }
  }
  process.stdout.write(`${peakKB()}\n`);
}

/**
 * This process's peak RSS in KB: Linux's VmHWM, which starts afresh at exec, where possible. getrusage's maxRSS
 * (process.resourceUsage) does not on Linux: a child spawned by a parent that had grown to 1.3 GB (the snapshot
 * rows of a whole `rss` group run first) reported 1.3 GB for every workload, V8's and wasmeter's alike.
 */
function peakKB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: getrusage's figure
  }
  return process.resourceUsage().maxRSS;
}

function child(id: string, engine: string): number {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--rss-child', id, engine], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rss child ${id} ${engine} failed: ${r.stderr}`);
  return Number(r.stdout.trim()) / 1024;
}

export function measureRss(workloads: Workload[]): RssRow[] {
  const base = child('-', 'none');
  return workloads.map((w) => {
    const v8MB = child(w.id, 'v8');
    const wasmeterMB = child(w.id, 'wasmeter');
    return { id: w.id, v8MB, wasmeterMB, ratio: wasmeterMB / v8MB, v8AboveMB: v8MB - base, wasmeterAboveMB: wasmeterMB - base };
  });
}
