/**
 * Runs a WASI program under Node's own node:wasi (V8) and under wasmeter with
 * the same args, env, stdin and preopened directory, for comparison.
 */
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nodeFs from 'node:fs';
import { WASI } from 'node:wasi';
import { fileURLToPath } from 'node:url';
import { MemFs, Module, Store, Trap, Wasi, runWasi, type MemTree } from '../../src/index.js';

export const C_DIR = fileURLToPath(new URL('./c/', import.meta.url));

export function program(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(C_DIR, `${name}.wasm`)));
}

export interface RunSpec {
  args: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Contents of the preopened directory "/" before the run. */
  tree?: MemTree;
}

export interface RunOutcome {
  stdout: string;
  stderr: string;
  /** Exit code, or "trap" when the program trapped. */
  exit: number | 'trap';
  /** The preopened directory after the run. */
  tree: MemTree;
}

export function tempDir(prefix = 'wasmeter-wasi-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a tree literal into a host directory. */
export function writeTree(dir: string, tree: MemTree): void {
  for (const [name, v] of Object.entries(tree)) {
    const p = join(dir, name);
    if (typeof v === 'string' || v instanceof Uint8Array) writeFileSync(p, v);
    else if ('symlink' in v && typeof v.symlink === 'string') symlinkSync(v.symlink, p);
    else {
      mkdirSync(p);
      writeTree(p, v as MemTree);
    }
  }
}

/** Reads a host directory as a tree literal (files as UTF-8 text, sorted). */
export function readTree(dir: string): MemTree {
  const out: MemTree = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out[name] = { symlink: readlinkSync(p) };
    else if (st.isDirectory()) out[name] = readTree(p);
    else out[name] = readFileSync(p, 'utf8');
  }
  return out;
}

/** Runs under Node's node:wasi with stdio redirected to temp files and "/" preopened to a temp dir. */
export function runNode(bytes: Uint8Array<ArrayBuffer>, spec: RunSpec): RunOutcome {
  const work = tempDir();
  const root = join(work, 'root');
  mkdirSync(root);
  writeTree(root, spec.tree ?? {});
  writeFileSync(join(work, 'in'), spec.stdin ?? '');
  const fdIn = openSync(join(work, 'in'), 'r');
  const fdOut = openSync(join(work, 'out'), 'w');
  const fdErr = openSync(join(work, 'err'), 'w');
  let exit: number | 'trap';
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: spec.args,
      env: spec.env ?? {},
      preopens: { '/': root },
      stdin: fdIn,
      stdout: fdOut,
      stderr: fdErr,
      returnOnExit: true,
    });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), wasi.getImportObject() as WebAssembly.Imports);
    try {
      exit = wasi.start(instance);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      exit = 'trap';
    }
  } finally {
    closeSync(fdIn);
    closeSync(fdOut);
    closeSync(fdErr);
  }
  const out = {
    stdout: readFileSync(join(work, 'out'), 'utf8'),
    stderr: readFileSync(join(work, 'err'), 'utf8'),
    exit,
    tree: readTree(root),
  };
  rmSync(work, { recursive: true, force: true });
  return out;
}

/** Runs under wasmeter: "/" is a real temp directory (host-dir capability) or an in-memory filesystem. */
export function runWasmeter(bytes: Uint8Array, spec: RunSpec, fs: 'host' | 'memory'): RunOutcome & { wasi: Wasi } {
  let work: string | null = null;
  let mem: MemFs | null = null;
  const options = { args: spec.args, env: spec.env ?? {}, stdin: spec.stdin ?? '' };
  let wasi: Wasi;
  if (fs === 'host') {
    work = tempDir();
    writeTree(work, spec.tree ?? {});
    wasi = new Wasi({ ...options, hostDirs: [{ host: work, guest: '/' }], fs: nodeFs });
  } else {
    mem = new MemFs(spec.tree ?? {});
    wasi = new Wasi({ ...options, preopens: { '/': mem } });
  }
  let exit: number | 'trap';
  try {
    exit = runWasi(new Store(), Module.fromBinary(bytes), wasi).exitCode;
  } catch (e) {
    if (!(e instanceof Trap)) throw e;
    exit = 'trap';
  }
  const tree = work ? readTree(work) : mem!.toTree();
  if (work) rmSync(work, { recursive: true, force: true });
  return { stdout: wasi.stdoutText, stderr: wasi.stderrText, exit, tree, wasi };
}
