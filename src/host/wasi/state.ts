/**
 * A Wasi's guest-visible state as plain data, and back (snapshots,
 * docs/snapshots.md): arguments, environment, the virtual clock, the random
 * generator, buffered output, the stdin buffer, MemFs contents (inodes,
 * hard links, symlinks, times) and open descriptors with positions, flags and
 * rights. Real host directories cannot travel: a snapshot names them by their
 * guest name, and a restore re-opens them only where the new Wasi was granted
 * a host directory of that name again.
 */
import { concatBytes } from '../../core/bytes.js';
import { SnapshotError } from '../../core/errors.js';
import type { FileHandle, FsBackend } from './backend.js';
import { HostFs } from './hostfs.js';
import { HANDLE_NODES, MemDir, MemFile, MemFs, MemSymlink } from './memfs.js';

/** What of a Wasi the state covers (its private fields, read through this view). */
export interface WasiInternals {
  args: readonly string[];
  env: readonly string[];
  fds: (AnyFd | undefined)[];
  out: Uint8Array[][];
  sinks: unknown[];
  stdinBuf: Uint8Array | null;
  stdinPos: number;
  rng: { s: Uint32Array } | null;
  clockMode: 'virtual' | 'fuel' | 'host';
  start0: bigint;
  step: bigint;
  nsPerFuel: bigint;
  elapsed: bigint;
}

interface AnyFd {
  kind: 'stdio' | 'file' | 'dir';
  flags: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
  stream?: number;
  filetype?: number;
  backend?: FsBackend;
  handle?: FileHandle;
  pos?: number;
  comps?: readonly string[];
  preopen?: string | null;
}

/** The fd classes of wasi.ts (a restore makes new descriptors). */
export interface FdClasses {
  StdioFd: new (stream: 0 | 1 | 2, filetype: number, rb: bigint, ri: bigint) => unknown;
  FileFd: new (backend: FsBackend, handle: FileHandle, flags: number, rb: bigint, ri: bigint) => unknown;
  DirFd: new (backend: FsBackend, comps: readonly string[], preopen: string | null, rb: bigint, ri: bigint) => unknown;
}

export type WasiState = { [k: string]: unknown };

type Node = MemFile | MemDir | MemSymlink;

/** A MemFs: every node reachable from the root, then `extra` (files open but unlinked), each numbered once. */
function saveMemFs(fs: MemFs, extra: readonly Node[]): WasiState {
  const ids = new Map<Node, number>();
  const nodes: WasiState[] = [];
  const visit = (n: Node): number => {
    let id = ids.get(n);
    if (id !== undefined) return id;
    id = nodes.length;
    ids.set(n, id);
    const rec: WasiState = { ino: n.ino, atim: n.atim, mtim: n.mtim, ctim: n.ctim, nlink: n.nlink };
    nodes.push(rec);
    if (n instanceof MemFile) rec.data = n.bytes();
    else if (n instanceof MemSymlink) rec.target = n.target;
    else rec.entries = [...n.entries].map(([name, c]) => [name, visit(c as Node)]);
    return id;
  };
  visit(fs.root);
  for (const n of extra) visit(n);
  return { kind: 'memfs', writable: fs.writable, dev: fs.dev, now: fs.now, nextIno: (fs as unknown as { nextIno: bigint }).nextIno, nodes, ids };
}

export function saveWasi(w: WasiInternals): WasiState {
  const backends: FsBackend[] = [];
  const fsStates: WasiState[] = [];
  const backendIndex = (b: FsBackend, name: string | null): number => {
    let i = backends.indexOf(b);
    if (i >= 0) return i;
    i = backends.length;
    backends.push(b);
    if (b instanceof MemFs) {
      const open = w.fds.filter((f) => f?.kind === 'file' && f.backend === b).map((f) => HANDLE_NODES.get(f!.handle!)!).filter((n) => n !== undefined);
      fsStates.push(saveMemFs(b, open));
    }
    else if (b instanceof HostFs) fsStates.push({ kind: 'host', guest: name });
    else throw new SnapshotError(`a WASI filesystem of kind '${b.label}' cannot be snapshotted (MemFs and host directories can)`);
    return i;
  };
  const fds = w.fds.map((f, i) => {
    if (f === undefined) return null;
    const base = { kind: f.kind, flags: f.flags, rb: f.rightsBase, ri: f.rightsInheriting };
    if (f.kind === 'stdio') return { ...base, stream: f.stream, filetype: f.filetype };
    if (f.kind === 'dir') return { ...base, backend: backendIndex(f.backend!, f.preopen ?? null), comps: [...f.comps!], preopen: f.preopen ?? null };
    const node = HANDLE_NODES.get(f.handle!);
    if (!(f.backend instanceof MemFs) || node === undefined) throw new SnapshotError(`WASI descriptor ${i} is an open host file: host files cannot travel in a snapshot (close it first)`);
    return { ...base, backend: backendIndex(f.backend, null), pos: f.pos, node };
  });
  // files are named by their node's number in their filesystem
  for (const fd of fds) {
    if (fd && 'node' in fd) {
      const ids = fsStates[fd.backend as number]!.ids as Map<unknown, number>;
      (fd as WasiState).node = ids.get(fd.node);
    }
  }
  for (const s of fsStates) delete s.ids;
  return {
    args: [...w.args],
    env: [...w.env],
    clock: { mode: w.clockMode, start: w.start0, step: w.step, nsPerFuel: w.nsPerFuel, elapsed: w.elapsed },
    rng: w.rng ? new Uint8Array(w.rng.s.buffer.slice(0)) : null,
    stdin: w.stdinBuf ? w.stdinBuf.subarray(w.stdinPos) : null,
    stdout: concatBytes(w.out[1]!),
    stderr: concatBytes(w.out[2]!),
    backends: fsStates,
    fds,
  };
}

function loadMemFs(st: WasiState): { fs: MemFs; nodes: Node[] } {
  const fs = new MemFs({}, { readonly: st.writable === false, dev: st.dev as bigint });
  const recs = st.nodes as WasiState[];
  const made: Node[] = recs.map((r) => {
    const t = r.atim as bigint;
    const n: Node = r.data instanceof Uint8Array ? new MemFile(r.ino as bigint, t, r.mtim as bigint, r.ctim as bigint) : typeof r.target === 'string' ? new MemSymlink(r.ino as bigint, t, r.target) : new MemDir(r.ino as bigint, t);
    n.atim = t;
    n.mtim = r.mtim as bigint;
    n.ctim = r.ctim as bigint;
    n.nlink = r.nlink as bigint;
    if (n instanceof MemFile) {
      n.data = (r.data as Uint8Array).slice();
      n.size = n.data.length;
    }
    return n;
  });
  recs.forEach((r, i) => {
    const n = made[i];
    if (n instanceof MemDir) for (const [name, c] of r.entries as [string, number][]) n.entries.set(name, made[c]!);
  });
  if (!(made[0] instanceof MemDir)) throw new SnapshotError('malformed WASI state: a MemFs whose root is not a directory');
  Object.assign(fs, { root: made[0], now: st.now, nextIno: st.nextIno });
  return { fs, nodes: made };
}

/** Loads `state` into a Wasi (made with this process's stdio and host-directory grants). */
export function loadWasi(w: WasiInternals, state: unknown, cls: FdClasses): void {
  try {
    const st = state as WasiState;
    const clock = st.clock as WasiState;
    // host directories granted again, by guest name
    const granted = new Map<string, FsBackend>();
    for (const f of w.fds) if (f?.kind === 'dir' && f.preopen && f.backend instanceof HostFs) granted.set(f.preopen, f.backend);
    const loaded = (st.backends as WasiState[]).map((b) => (b.kind === 'memfs' ? loadMemFs(b) : null));
    const backends = (st.backends as WasiState[]).map((b, i) => (b.kind === 'memfs' ? loaded[i]!.fs : (granted.get(b.guest as string) ?? null)));
    const fds = (st.fds as (WasiState | null)[]).map((f) => {
      if (f === null) return undefined;
      const rb = f.rb as bigint;
      const ri = f.ri as bigint;
      let fd: AnyFd;
      if (f.kind === 'stdio') {
        const s = f.stream as 0 | 1 | 2;
        const mine = w.fds[s];
        fd = (mine?.kind === 'stdio' && mine.stream === s ? mine : new cls.StdioFd(s, f.filetype as number, rb, ri)) as AnyFd;
        fd.rightsBase = rb;
        fd.rightsInheriting = ri;
      } else {
        const b = backends[f.backend as number];
        if (b === undefined) throw new Error('bad backend');
        if (b === null) return undefined; // a host directory not granted again: closed
        if (f.kind === 'dir') fd = new cls.DirFd(b, f.comps as string[], f.preopen as string | null, rb, ri) as AnyFd;
        else {
          const node = loaded[f.backend as number]?.nodes[f.node as number];
          if (!(node instanceof MemFile)) throw new Error(`descriptor on node ${String(f.node)}, which is not a file`);
          fd = new cls.FileFd(b, (b as unknown as { handle(n: MemFile): FileHandle }).handle(node), 0, rb, ri) as AnyFd;
          fd.pos = f.pos as number;
        }
      }
      fd.flags = f.flags as number;
      return fd;
    });
    const rng = st.rng as Uint8Array | null;
    if ((rng === null) !== (w.rng === null)) throw new Error('the random generator mode differs');
    if (rng && w.rng) w.rng.s.set(new Uint32Array(rng.slice().buffer));
    Object.assign(w, {
      args: st.args,
      env: st.env,
      fds,
      clockMode: clock.mode,
      start0: clock.start,
      step: clock.step,
      nsPerFuel: clock.nsPerFuel,
      elapsed: clock.elapsed,
    });
    if (st.stdin instanceof Uint8Array && w.stdinBuf !== null) {
      w.stdinBuf = st.stdin;
      w.stdinPos = 0;
    }
    for (const k of [1, 2] as const) {
      const data = st[k === 1 ? 'stdout' : 'stderr'] as Uint8Array;
      if (w.sinks[k] === 'buffer' && data.length > 0) w.out[k]!.unshift(data);
    }
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`malformed WASI state: ${(e as Error).message}`);
  }
}
