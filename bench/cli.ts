/**
 * CLI start-up (`npm run bench -- cli`): the wall time of `node dist/cli.cjs run tiny.wasm` (a WASI command
 * whose _start writes "hello\n" through fd_write) against `node -e` compiling, instantiating and calling the
 * same bytes with V8's own WebAssembly (fd_write written in the script), and against `node -e ''` (Node's
 * own start-up, the floor of both). Each is a fresh process, the three interleaved round by round (load on the
 * machine hits all of them alike); per command the fastest and the median run, and the median CPU time
 * (user + system, from python3's wait4, else /usr/bin/time; in separate interleaved runs).
 *
 * The CLI runs with its code cache (src/cli/cache.ts) in a directory of the benchmark's own, written by the warm-up
 * run, and once more without a cache (WASMETER_NO_CACHE=1: a first run, or a cache that cannot be written).
 * dist/cli.cjs must be built from the sources (`npm run build`); BENCH_CLI=a.cjs,b.js measures those CLI entries
 * instead (e.g. an older build copied aside, for before/after in the same rounds); BENCH_ROUNDS rounds (default 21).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watToBinary } from '../src/text/wat.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TIME = '/usr/bin/time';
/** Runs argv[1:] and prints the child's user + system CPU seconds (wait4's rusage, microseconds) on stderr's last line. */
const WAIT4 = `import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.stderr.write("cpu %.6f %d\\n" % (ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)))`;

const TINY = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

/** The V8 side: compile, instantiate (fd_write over the instance's memory), call _start. */
const V8_SCRIPT = `const fs = require('node:fs');
const m = new WebAssembly.Module(fs.readFileSync(process.argv[1]));
let mem;
const fd_write = (fd, iovs, n, nw) => {
  const v = new DataView(mem.buffer);
  let w = 0;
  for (let k = 0; k < n; k++) w += fs.writeSync(fd, new Uint8Array(mem.buffer, v.getUint32(iovs + 8 * k, true), v.getUint32(iovs + 8 * k + 4, true)));
  v.setUint32(nw, w, true);
  return 0;
};
const i = new WebAssembly.Instance(m, { wasi_snapshot_preview1: { fd_write } });
mem = i.exports.memory;
i.exports._start();`;

export interface CliStartupRow {
  name: string;
  command: string;
  bestMs: number;
  medianMs: number;
  /** Median user + system CPU time (null without python3 or /usr/bin/time), and its ratio to the V8 script's. */
  cpuMs: number | null;
  cpuRatio: number | null;
  /** medianMs / the V8 script's medianMs, and the same for the fastest runs. */
  ratio: number;
  bestRatio: number;
}

export interface CliStartup {
  rounds: number;
  load: [number, number];
  rows: CliStartupRow[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;

/** Why dist/cli.cjs is older than a source file, or null. */
function staleCli(cli: string): string | null {
  if (!existsSync(cli)) return `${cli} is missing: run \`npm run build\``;
  const src = join(root, 'src');
  const newest = readdirSync(src, { recursive: true, encoding: 'utf8' }).reduce((m, f) => Math.max(m, statSync(join(src, f)).mtimeMs), 0);
  return newest > statSync(cli).mtimeMs ? `${cli} is older than src/: run \`npm run build\`` : null;
}

interface Cmd {
  name: string;
  args: string[];
  /** What stdout must be. */
  out: string;
  /** The environment (else the benchmark's own). */
  env?: NodeJS.ProcessEnv;
}

function once(c: Cmd): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, c.args, { encoding: 'utf8', env: c.env ?? process.env });
  const ms = performance.now() - t;
  if (r.status !== 0 || r.stdout !== c.out) throw new Error(`${c.name}: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${r.stderr}`);
  return ms;
}

type CpuTimer = ((c: Cmd) => number) | null;

/** The CPU time of one run of a command: python3's wait4, else /usr/bin/time, else null. */
function cpuTimer(dir: string): CpuTimer {
  if (spawnSync('python3', ['-c', 'import os; os.wait4'], { encoding: 'utf8' }).status === 0) {
    return (c) => {
      const r = spawnSync('python3', ['-c', WAIT4, process.execPath, ...c.args], { encoding: 'utf8', env: c.env ?? process.env });
      const m = /^cpu (\S+) (\d+)$/m.exec(r.stderr);
      if (r.status !== 0 || m === null || m[2] !== '0') throw new Error(`${c.name} (under python3 wait4): exit ${r.status}: ${r.stderr}`);
      return Number(m[1]) * 1000;
    };
  }
  if (!existsSync(TIME)) return null;
  const out = join(dir, 'time.txt');
  return (c) => {
    const r = spawnSync(TIME, ['-o', out, '-f', '%U %S', process.execPath, ...c.args], { encoding: 'utf8', env: c.env ?? process.env });
    if (r.status !== 0) throw new Error(`${c.name} (under ${TIME}): exit ${r.status}: ${r.stderr}`);
    const [u, s] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return (u! + s!) * 1000;
  };
}

export function measureCliStartup(rounds = Number(process.env['BENCH_ROUNDS'] ?? 21)): CliStartup {
  const clis = (process.env['BENCH_CLI'] ?? '').split(',').filter((s) => s !== '').map((p) => resolve(p));
  if (clis.length === 0) {
    const cli = join(root, 'dist/cli.cjs');
    const stale = staleCli(cli);
    if (stale !== null) throw new Error(stale);
    clis.push(cli);
  }
  const dir = mkdtempSync(join(tmpdir(), 'wasmeter-bench-cli-'));
  try {
    const tiny = join(dir, 'tiny.wasm');
    writeFileSync(tiny, watToBinary(TINY, 'tiny.wat'));
    const cached = { ...process.env, WASMETER_CACHE_DIR: join(dir, 'cache') };
    const uncached = { ...process.env, WASMETER_NO_CACHE: '1' };
    const cmds: Cmd[] = [
      { name: 'node -e (V8 WebAssembly)', args: ['-e', V8_SCRIPT, tiny], out: 'hello\n' },
      ...clis.map((cli) => ({ name: `node ${relative(root, cli) || cli} run tiny.wasm`, args: [cli, 'run', tiny], out: 'hello\n', env: cached })),
      ...clis.map((cli) => ({ name: `… ${relative(root, cli) || cli} without its code cache`, args: [cli, 'run', tiny], out: 'hello\n', env: uncached })),
      { name: "node -e '' (Node alone)", args: ['-e', ''], out: '' },
    ];
    const cpu = cpuTimer(dir);
    const wall = cmds.map((): number[] => []);
    const cpus = cmds.map((): number[] => []);
    const load0 = loadavg()[0]!;
    for (const c of cmds) once(c); // warm the file cache
    for (let i = 0; i < rounds; i++) {
      // interleaved, starting with a different command each round
      for (let k = 0; k < cmds.length; k++) {
        const j = (i + k) % cmds.length;
        wall[j]!.push(once(cmds[j]!));
        if (cpu) cpus[j]!.push(cpu(cmds[j]!));
      }
    }
    const v8Median = median(wall[0]!);
    const v8Best = Math.min(...wall[0]!);
    return {
      rounds,
      load: [load0, loadavg()[0]!],
      rows: cmds.map((c, j) => ({
        name: c.name,
        command: ['node', ...c.args.map((a) => (a === V8_SCRIPT ? '<script>' : a === tiny ? 'tiny.wasm' : a))].join(' '),
        bestMs: Math.min(...wall[j]!),
        medianMs: median(wall[j]!),
        cpuMs: cpu ? median(cpus[j]!) : null,
        cpuRatio: cpu ? median(cpus[j]!) / median(cpus[0]!) : null,
        ratio: median(wall[j]!) / v8Median,
        bestRatio: Math.min(...wall[j]!) / v8Best,
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printCliStartup(s: CliStartup): void {
  console.log(`\nCLI start-up, tiny WASI module, ${s.rounds} interleaved rounds (load average ${s.load[0].toFixed(1)} before, ${s.load[1].toFixed(1)} after):\n`);
  console.log('| command | fastest ms | median ms | median CPU ms | × V8 (median) | × V8 (fastest) | × V8 (CPU) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of s.rows)
    console.log(
      `| ${r.name} | ${r.bestMs.toFixed(0)} | ${r.medianMs.toFixed(0)} | ${r.cpuMs === null ? '' : r.cpuMs.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${r.bestRatio.toFixed(2)}× | ${r.cpuRatio === null ? '' : `${r.cpuRatio.toFixed(2)}×`} |`,
    );
}
