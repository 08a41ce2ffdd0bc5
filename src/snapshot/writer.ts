/**
 * Store → bytes (docs/snapshots.md). Every object is named by a stable
 * identity: instances by their order in the store, functions, tables,
 * memories, globals and tags by (instance, index) or, when the embedder
 * supplied them, by the import that brought them in; GC and exception objects
 * by a number given once each (sharing and cycles survive); a stopped call's
 * frames by (function, stop point in the original bytes, frame slots).
 */
import { SnapshotError } from '../core/errors.js';
import type { Compiled } from '../interp/compiled.js';
import { ExnRef, Tag } from '../runtime/objects/exception.js';
import { HostFunc, WasmFunc, type FuncInst } from '../runtime/objects/func.js';
import { GcArray, GcStruct, HostNumber, K_REF, WORDS } from '../runtime/objects/gc.js';
import type { Global } from '../runtime/objects/global.js';
import type { Instance as RawInstance } from '../runtime/objects/instance.js';
import type { Memory } from '../runtime/objects/memory.js';
import type { Table } from '../runtime/objects/table.js';
import type { SnapshotOptions } from '../runtime/snapshot.js';
import type { StoreAccess } from '../runtime/store.js';
import { Store } from '../runtime/store.js';
import type { Module } from '../runtime/module.js';
import { ByteWriter, Checksum, HEADER_BYTES, MAGIC, sha256, VERSION, writeValue } from './format.js';
import { defaultRegistry } from '../validate/types.js';
import * as S from './ids.js';

type Kind = 'func' | 'table' | 'memory' | 'global' | 'tag';

/** Where an extern comes from: defined by instance i at index k of its kind's space, or imported from the host. */
interface Origin {
  inst: number;
  index: number;
}

function space(inst: RawInstance, kind: Kind): unknown[] {
  return kind === 'func' ? inst.funcs : kind === 'table' ? inst.tables : kind === 'memory' ? inst.memories : kind === 'global' ? inst.globals : inst.tags;
}

const hashes = new WeakMap<Module, Uint8Array>();

/** The SHA-256 of a module's bytes, computed once per Module (a module's bytes do not change). */
export function moduleHash(m: Module): Uint8Array {
  let h = hashes.get(m);
  if (h === undefined) hashes.set(m, (h = sha256(m.bytes)));
  return h;
}

/** Records the hash of a module made from bytes whose hash was checked. */
export function knownHash(m: Module, h: Uint8Array): Module {
  hashes.set(m, h.slice());
  return m;
}

/** How many of an instance's `kind` space are imports. */
export function importCount(inst: RawInstance, kind: Kind): number {
  let n = 0;
  for (const i of inst.module.imports) if (i.desc.kind === kind) n++;
  return n;
}

class Writer {
  readonly instIds = new Map<RawInstance, number>();
  /** Defined externs (and, for host externs, the first instance and index that imported them). */
  readonly origin = new Map<unknown, Origin>();
  /** Canonical type id -> (instance, type index). */
  readonly types = new Map<number, Origin>();
  readonly objIds = new Map<unknown, number>();
  readonly objQueue: unknown[] = [];

  constructor(
    readonly acc: StoreAccess,
    readonly options: SnapshotOptions,
  ) {
    acc.instances.forEach((inst, i) => this.instIds.set(inst, i));
    // defined objects first (so that an import names its owner), then what the host supplied
    for (const pass of [false, true]) {
      acc.instances.forEach((inst, i) => {
        for (const kind of ['func', 'table', 'memory', 'global', 'tag'] as Kind[]) {
          const sp = space(inst, kind);
          const ni = importCount(inst, kind);
          for (let k = pass ? 0 : ni; k < (pass ? ni : sp.length); k++) if (!this.origin.has(sp[k])) this.origin.set(sp[k], { inst: i, index: k });
        }
      });
    }
    acc.instances.forEach((inst, i) => inst.vm.canon.forEach((id, ti) => this.types.has(id) || this.types.set(id, { inst: i, index: ti })));
  }

  /** An extern by origin (instance, index in that instance's space). */
  extern(w: ByteWriter, e: unknown, what: string): void {
    const o = this.origin.get(e);
    if (!o) throw new SnapshotError(`${what} is not part of any instance of the store`);
    w.uint(o.inst);
    w.uint(o.index);
  }

  ref(w: ByteWriter, v: unknown): void {
    if (v === null || v === undefined) w.u8(S.R_NULL);
    else if (typeof v === 'number') {
      w.u8(S.R_NUM);
      w.f64v(v);
    } else if (v instanceof WasmFunc) {
      w.u8(S.R_FUNC);
      this.extern(w, v, `function ${v.index}`);
    } else if (v instanceof HostFunc) {
      const o = this.origin.get(v);
      if (!o) throw new SnapshotError(`host function ${v.name} is referenced but imported by no instance (a snapshot names host functions by their import)`);
      w.u8(S.R_HOSTFUNC);
      w.uint(o.inst);
      w.uint(o.index);
    } else if (v instanceof GcStruct || v instanceof GcArray || v instanceof ExnRef) {
      let id = this.objIds.get(v);
      if (id === undefined) {
        id = this.objIds.size;
        this.objIds.set(v, id);
        this.objQueue.push(v);
      }
      w.u8(S.R_OBJ);
      w.uint(id);
    } else if (v instanceof HostNumber) {
      w.u8(S.R_HOSTNUM);
      w.f64v(v.value);
    } else {
      w.u8(S.R_EXTERN);
      writeValue(w, this.options.externs ? this.options.externs.save(v) : v, 'an extern reference');
    }
  }

  typeRef(w: ByteWriter, id: number): void {
    const o = this.types.get(id);
    if (!o) throw new SnapshotError(`a GC object's type (canonical ${id}) is no instance's type`);
    w.uint(o.inst);
    w.uint(o.index);
  }

  tag(w: ByteWriter, t: Tag): void {
    this.extern(w, t, 'an exception tag');
  }

  func(w: ByteWriter, f: FuncInst): void {
    this.extern(w, f, f instanceof HostFunc ? `host function ${f.name}` : `function ${f.index}`);
  }

  /** GC and exception objects: headers (enough to allocate every one first), then contents. */
  objects(): ByteWriter {
    const heads = new ByteWriter();
    const body = new ByteWriter();
    for (let i = 0; i < this.objQueue.length; i++) {
      const o = this.objQueue[i];
      if (o instanceof GcStruct) {
        heads.u8(S.O_STRUCT);
        this.typeRef(heads, o.type.id);
        const t = o.type;
        for (let f = 0; f < t.kinds.length; f++) {
          const k = t.kinds[f]!;
          const at = t.offs[f]!;
          for (let j = 0; j < WORDS[k]!; j++) {
            if (k === K_REF) this.ref(body, o.entry(at + j));
            else body.int(o.entry(at + j) as number);
          }
        }
        // custom descriptors: a struct of a type with a descriptor links it (other structs' layout is unchanged)
        if (t.descId >= 0) this.ref(body, o.desc);
      } else if (o instanceof GcArray) {
        heads.u8(S.O_ARRAY);
        this.typeRef(heads, o.type.id);
        heads.uint(o.len);
        if (o.type.elem === K_REF) for (let j = 0; j < o.len; j++) this.ref(body, (o.data as unknown[])[j]);
        else {
          const d = o.data as Int32Array | Uint8Array | Uint16Array;
          body.bytes(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        }
      } else {
        const x = o as ExnRef;
        heads.u8(S.O_EXN);
        this.tag(heads, x.tag);
        body.bytes(new Uint8Array(x.words.buffer, x.words.byteOffset, x.words.byteLength));
        body.uint(x.refs.length);
        for (const r of x.refs) this.ref(body, r);
      }
    }
    const w = new ByteWriter();
    w.uint(this.objQueue.length);
    w.writer(heads);
    w.writer(body);
    return w;
  }
}

/** Whether u8[start, end) is all zero (`words` views the same buffer; start is 32-byte aligned). */
function isZero(u8: Uint8Array, words: Int32Array, start: number, end: number): boolean {
  let i = start >> 2;
  const e = end >> 2;
  // (a touched chunk usually shows it in its first word)
  if (i < e && words[i] !== 0) return false;
  for (; i + 8 <= e; i += 8) if ((words[i]! | words[i + 1]! | words[i + 2]! | words[i + 3]! | words[i + 4]! | words[i + 5]! | words[i + 6]! | words[i + 7]!) !== 0) return false;
  for (; i < e; i++) if (words[i] !== 0) return false;
  for (let b = e << 2; b < end; b++) if (u8[b] !== 0) return false;
  return true;
}

function memoryContents(w: ByteWriter, m: Memory): void {
  const u8 = m.u8;
  const n = u8.length;
  w.uint(n);
  const chunks: number[] = [];
  // the storage behind u8 (not m.buffer: taking the JS API buffer would cut the spare capacity off)
  const words = new Int32Array(u8.buffer, u8.byteOffset, n >> 2);
  for (let c = 0; c * S.CHUNK < n; c++) if (!isZero(u8, words, c * S.CHUNK, Math.min(n, (c + 1) * S.CHUNK))) chunks.push(c);
  w.uint(chunks.length);
  // (each chunk goes into the output as a view: finish() copies it once)
  for (const c of chunks) {
    w.uint(c);
    w.raw(u8.subarray(c * S.CHUNK, Math.min(n, (c + 1) * S.CHUNK)));
  }
}

function tableContents(x: Writer, w: ByteWriter, t: Table): void {
  w.uint(t.elems.length);
  for (const e of t.elems) x.ref(w, e);
}

function globalContents(x: Writer, w: ByteWriter, g: Global): void {
  w.raw(new Uint8Array(g.cell.buffer, g.cell.byteOffset, 16));
  x.ref(w, g.ref);
}

const STOPS = { fuel: 'ran out of fuel', interrupt: 'was interrupted', host: 'was suspended by a host function' };

/**
 * A call made from inside a host function (a host function called wasm) that
 * stopped: the host function's JavaScript frame sits between the outer
 * call's frames and the nested call's, and no snapshot can capture a
 * JavaScript frame (docs/snapshots.md, "Nested calls").
 */
function nestedStop(kind: 'fuel' | 'interrupt' | 'host', fate: string): SnapshotError {
  return new SnapshotError(
    `a call made from inside a host function (a nested call) ${STOPS[kind]}; ${fate}. ` +
      "A snapshot cannot capture the host function's JavaScript frame between the two. " +
      'Let runs stop outside host functions: give a nested call the fuel it needs before making it (store.fuelRemaining, store.addFuel), ' +
      'or suspend the outer call with caller.suspend() and make the nested call after resume(); ' +
      'store.abandon() drops the stop, after which the store can be snapshotted as it is',
  );
}

export function writeSnapshot(store: Store, options: SnapshotOptions): Uint8Array {
  const acc = store.snapshotAccess();
  const call = acc.stopped;
  // (a stopped call while a call runs: a host function's nested call stopped, under that host function)
  if (call && acc.running) throw nestedStop(call.stop.kind, 'its frames wait above the host function, which is still running');
  if (acc.running) throw new SnapshotError('the store is running a call: snapshot it when the call stops (a host function can suspend it with caller.suspend(), then the embedder snapshots)');
  if (acc.lostStop) throw nestedStop(acc.lostStop, 'the stop crossed the host function and was lost with the outer call (its resume() no longer works)');
  const x = new Writer(acc, options);
  const mc = store.machine;
  const sections: [number, ByteWriter][] = [];

  // modules
  const mods = new ByteWriter();
  const distinct = [...new Set(acc.modules)];
  mods.uint(distinct.length);
  for (const [i, m] of distinct.entries()) {
    if (m.validated.registry !== store.registry)
      throw new SnapshotError(
        `module ${i} was validated in another TypeRegistry than the store's (ModuleOptions.registry and StoreOptions.registry differ): its canonical types are not the store's`,
      );
    const bytes = m.bytes;
    mods.raw(moduleHash(m));
    const include = options.includeModules !== false;
    mods.u8(include ? 1 : 0);
    if (include) mods.bytes(bytes);
    // (the registry is process state: the store section says whether the store had one of its own)
    const { registry: _registry, ...plain } = m.options;
    writeValue(mods, plain, 'the module options');
  }
  sections.push([S.SEC_MODULES, mods]);

  // the store's settings and counters
  const st = new ByteWriter();
  const f = acc.fuel();
  writeValue(
    st,
    {
      metered: store.metered,
      ownRegistry: store.registry !== defaultRegistry,
      countsFuel: store.countsFuel,
      tier: mc.jitOn ? 'js' : 'interp',
      profile: acc.profile !== null,
      costs: { ...mc.costs.source },
      limits: { ...store.limits },
      fuelAdded: f.added,
      reserve: f.reserve,
      fuel: mc.fuel,
      needed: mc.needed,
      peaks: { ...store.peaks },
      memoryBytes: store.memoryBytes,
    },
    'the store settings',
  );
  sections.push([S.SEC_STORE, st]);

  // instances: module and where each import came from
  const ins = new ByteWriter();
  ins.uint(acc.instances.length);
  acc.instances.forEach((inst, i) => {
    ins.uint(distinct.indexOf(acc.modules[i]!));
    const imps = inst.module.imports;
    const seen: Record<string, number> = {};
    for (const imp of imps) {
      const kind = imp.desc.kind as Kind;
      const k = (seen[kind] = (seen[kind] ?? -1) + 1);
      const e = space(inst, kind)[k];
      const o = x.origin.get(e)!;
      // from an earlier instance's definition, or from the host (the linker supplies it again)
      if (o.inst === i || o.index < importCount(acc.instances[o.inst]!, kind)) ins.u8(0);
      else {
        ins.u8(1);
        ins.uint(o.inst);
        ins.uint(o.index);
      }
    }
  });
  sections.push([S.SEC_INSTANCES, ins]);

  // contents: every defined global, table, memory (sparse), segment, then the host-supplied ones
  const ct = new ByteWriter();
  const hostObjs: { inst: number; index: number; kind: Kind }[] = [];
  acc.instances.forEach((inst, i) => {
    for (const kind of ['global', 'table', 'memory'] as Kind[]) {
      const sp = space(inst, kind);
      const ni = importCount(inst, kind);
      for (let k = 0; k < sp.length; k++) {
        const o = x.origin.get(sp[k])!;
        if (o.inst !== i || o.index !== k) continue;
        if (k < ni) {
          hostObjs.push({ inst: i, index: k, kind });
          continue;
        }
        if (kind === 'global') globalContents(x, ct, sp[k] as Global);
        else if (kind === 'table') tableContents(x, ct, sp[k] as Table);
        else memoryContents(ct, sp[k] as Memory);
      }
    }
    for (const e of inst.elems) {
      ct.u8(e === null ? 0 : 1);
      if (e !== null) {
        ct.uint(e.length);
        for (const r of e) x.ref(ct, r);
      }
    }
    for (const d of inst.datas) ct.u8(d === null ? 0 : 1);
  });
  ct.uint(hostObjs.length);
  for (const h of hostObjs) {
    ct.uint(h.inst);
    ct.uint(h.index);
    ct.u8(h.kind === 'global' ? 0 : h.kind === 'table' ? 1 : 2);
    const e = space(acc.instances[h.inst]!, h.kind)[h.index];
    if (h.kind === 'global') globalContents(x, ct, e as Global);
    else if (h.kind === 'table') tableContents(x, ct, e as Table);
    else memoryContents(ct, e as Memory);
  }

  // the stopped call
  const cw = new ByteWriter();
  cw.u8(call ? 1 : 0);
  if (call) {
    x.func(cw, call.func);
    cw.uint(call.at);
    cw.uint(call.sp);
    cw.uint(call.profMark);
    cw.u8(call.raw ? 1 : 0);
    cw.int(call.startOf ? x.instIds.get(call.startOf)! : -1);
    cw.u8(call.stop.kind === 'fuel' ? 0 : call.stop.kind === 'interrupt' ? 1 : 2);
    cw.u8(call.stop.reason === 'deadline' ? 1 : call.stop.reason === 'aborted' ? 2 : 0);
    const next = call.stop.next;
    cw.u8(next.k === 'start' ? 0 : next.k === 'resume' ? 1 : 2);
    if (next.k === 'host') writeValue(cw, next.results, 'the results a resumed host call returns');
    const started = next.k !== 'start';
    cw.u8(started ? 1 : 0);
    if (started) {
      // frames: below (the explicit call stack), then the running one
      const depth = mc.depth;
      cw.uint(depth);
      let top = 0;
      for (let d = 0; d <= depth; d++) {
        const comp = d < depth ? mc.fComp[d]! : mc.comp;
        const pc = d < depth ? mc.fPc[d]! : mc.pc;
        const fp = d < depth ? mc.fFp[d]! : mc.fp;
        const blk = d < depth ? mc.fBlk[d]! : mc.blk;
        frame(x, cw, comp, pc, fp, blk, d);
        top = Math.max(top, fp + comp.frameWords);
      }
      const p = mc.pendingHost;
      cw.u8(p ? 1 : 0);
      if (p) {
        x.func(cw, p.f);
        cw.uint(p.at);
        cw.u8(p.tail ? 1 : 0);
        writeValue(cw, p.payload, `the payload of host function ${p.f.name}'s suspension`);
        top = Math.max(top, p.at + Math.max(p.f.type.results.length, p.f.type.params.length) * 4);
      }
      // the value stack below the top of the running frame: words, then the references in use
      cw.uint(top);
      cw.raw(new Uint8Array(mc.buffer, 0, top * 4));
      const refs = mc.refs;
      const live: number[] = [];
      for (let i = 0; i < top >> 2; i++) if (refs[i] !== null && refs[i] !== undefined) live.push(i);
      cw.uint(live.length);
      for (const i of live) {
        cw.uint(i);
        x.ref(cw, refs[i]);
      }
    } else {
      // not started (interrupted before it ran): the arguments at `at`
      const n = call.at + call.func.type.params.length * 4;
      cw.raw(new Uint8Array(mc.buffer, call.at * 4, (n - call.at) * 4));
      for (let i = 0; i < call.func.type.params.length; i++) x.ref(cw, mc.refs[(call.at >> 2) + i]);
    }
  }

  // the profile
  const pw = new ByteWriter();
  const prof = acc.profile;
  pw.u8(prof ? 1 : 0);
  if (prof) {
    const ps = prof.state();
    pw.uint(ps.rows.length);
    for (const r of ps.rows) {
      x.func(pw, r.f);
      for (const v of [r.calls, r.self, r.total, r.active]) pw.uint(v);
    }
    pw.uint(ps.stack.length);
    for (const a of ps.stack) {
      pw.uint(a.row);
      pw.uint(a.start);
      pw.uint(a.child);
    }
  }

  const hw = new ByteWriter();
  writeValue(hw, options.host, 'the host state');

  // objects last to write (everything above may have named some), first to read
  const objs = x.objects();
  sections.push([S.SEC_OBJECTS, objs], [S.SEC_CONTENTS, ct], [S.SEC_CALL, cw], [S.SEC_PROFILE, pw], [S.SEC_HOST, hw]);

  const body = new ByteWriter();
  for (const [id, s] of sections) {
    body.u8(id);
    body.uint(s.length);
    body.writer(s);
  }
  // one copy of every piece into the output, checksummed as it goes
  const sum = new Checksum();
  const out = body.finish(HEADER_BYTES, sum);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, VERSION, true);
  dv.setUint32(12, 0, true);
  dv.setUint32(20, body.length, true);
  dv.setUint32(16, sum.digest(), true);
  return out;
}

function frame(x: Writer, w: ByteWriter, comp: Compiled, pc: number, fp: number, blk: number, d: number): void {
  const sp = S.stopPointOf(comp, pc);
  if (!sp) throw new SnapshotError(`frame ${d}: its position is no op of function ${comp.func.index} (an internal error)`);
  x.func(w, comp.func);
  w.u8(comp.exact ? 1 : 0);
  w.uint(sp.offset);
  w.uint(sp.ordinal);
  w.uint(sp.op);
  w.uint(fp);
  // the fuel block's start (where a trap's refund counts from), by the block's offset
  w.int(S.isFuelBlock(comp, blk) ? comp.code[blk + 2]! : -1);
}
