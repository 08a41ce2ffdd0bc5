/**
 * Bytes → a new store (docs/snapshots.md). Reading happens in two phases:
 * everything is decoded and checked into a new store and new instances
 * (nothing the caller holds is touched), and only then are the contents of
 * host-supplied memories, tables and globals written. Any failure is a
 * SnapshotError naming what is wrong, and the half-made store is dropped.
 */
import { HostSuspended, Interrupted, OutOfFuel, SnapshotError, WasmeterError } from '../core/errors.js';
import { parseCosts } from '../runtime/objects/costs.js';
import { ExnRef, Tag } from '../runtime/objects/exception.js';
import { HostFunc, WasmFunc, type FuncInst } from '../runtime/objects/func.js';
import { GcArray, GcStruct, gcTypeById, HostNumber, newStruct, K_I16, K_I8, K_REF, WORDS, type GcType } from '../runtime/objects/gc.js';
import { Global } from '../runtime/objects/global.js';
import { allocate, type Instance as RawInstance } from '../runtime/objects/instance.js';
import { Memory } from '../runtime/objects/memory.js';
import { Table } from '../runtime/objects/table.js';
import type { Profile } from '../runtime/objects/profile.js';
import { Instance } from '../runtime/instance.js';
import { Module } from '../runtime/module.js';
import type { RestoreOptions, Restored, Resolver } from '../runtime/snapshot.js';
import { Store, type Continuation, type StoppedCall, type StoreOptions } from '../runtime/store.js';
import { ByteReader, checksum, HEADER_BYTES, hex, MAGIC, readValue, sha256, VERSION, type PlainValue } from './format.js';
import { defaultRegistry, TypeRegistry } from '../validate/types.js';
import * as S from './ids.js';
import { importCount, knownHash, moduleHash } from './writer.js';

type Kind = 'func' | 'table' | 'memory' | 'global' | 'tag';

function space(inst: RawInstance, kind: Kind): unknown[] {
  return kind === 'func' ? inst.funcs : kind === 'table' ? inst.tables : kind === 'memory' ? inst.memories : kind === 'global' ? inst.globals : inst.tags;
}

function isObj(v: PlainValue): v is { [k: string]: PlainValue } {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** Splits the body into its sections, after checking the header. */
function sections(bytes: Uint8Array): Map<number, ByteReader> {
  if (!(bytes instanceof Uint8Array)) throw new SnapshotError('a snapshot is a Uint8Array');
  if (bytes.length < HEADER_BYTES) throw new SnapshotError(`not a wasmeter snapshot: ${bytes.length} bytes is shorter than the header`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) throw new SnapshotError('not a wasmeter snapshot (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== VERSION || bytes[6] !== MAGIC[6] || bytes[7] !== MAGIC[7])
    throw new SnapshotError(`snapshot format version ${version} is not the one this wasmeter reads (${VERSION})`);
  const len = dv.getUint32(20, true);
  const padded = len + ((4 - ((HEADER_BYTES + len) % 4)) % 4);
  if (bytes.length !== HEADER_BYTES + padded) throw new SnapshotError(`truncated or extended snapshot: ${bytes.length} bytes, the header says ${HEADER_BYTES + padded}`);
  // (a copy when unaligned: the checksum reads words)
  const data = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (checksum(data, HEADER_BYTES) !== dv.getUint32(16, true)) throw new SnapshotError('corrupted snapshot (checksum mismatch)');
  const r = new ByteReader(data, HEADER_BYTES, HEADER_BYTES + len, 'sections');
  const out = new Map<number, ByteReader>();
  while (!r.atEnd) {
    const id = r.u8();
    const n = r.uint();
    if (id < 1 || id >= S.SECTION_NAMES.length || out.has(id)) throw r.fail(`unknown or repeated section ${id}`);
    if (r.pos + n > r.end) throw r.fail(`section ${S.SECTION_NAMES[id]} is truncated`);
    out.set(id, new ByteReader(data, r.pos, r.pos + n, `${S.SECTION_NAMES[id]} section`));
    r.pos += n;
  }
  for (let id = 1; id < S.SECTION_NAMES.length; id++) if (!out.has(id)) throw new SnapshotError(`malformed snapshot: no ${S.SECTION_NAMES[id]} section`);
  return out;
}

class Reader {
  readonly insts: RawInstance[] = [];
  objs: unknown[] = [];
  constructor(
    readonly store: Store,
    readonly options: RestoreOptions,
  ) {}

  inst(r: ByteReader): RawInstance {
    return this.insts[r.index(this.insts.length - 1, 'instance')]!;
  }
  extern<T>(r: ByteReader, kind: Kind, what: string, ok: (v: unknown) => v is T): T {
    const inst = this.inst(r);
    const sp = space(inst, kind);
    const v = sp[r.index(sp.length - 1, `${kind} index`)];
    if (!ok(v)) throw r.fail(`${what} is not a ${kind}`);
    return v;
  }
  func(r: ByteReader): FuncInst {
    return this.extern(r, 'func', 'function', (v): v is FuncInst => v instanceof WasmFunc || v instanceof HostFunc);
  }
  wasmFunc(r: ByteReader, what: string): WasmFunc {
    const f = this.func(r);
    if (!(f instanceof WasmFunc)) throw r.fail(`${what} is a host function`);
    return f;
  }
  ref(r: ByteReader): unknown {
    const t = r.u8();
    switch (t) {
      case S.R_NULL:
        return null;
      case S.R_NUM:
        return r.f64v();
      case S.R_FUNC:
        return this.wasmFunc(r, 'a function reference');
      case S.R_HOSTFUNC: {
        const f = this.func(r);
        if (!(f instanceof HostFunc)) throw r.fail('a host function reference names a wasm function');
        return f;
      }
      case S.R_OBJ:
        return this.objs[r.index(this.objs.length - 1, 'object')];
      case S.R_HOSTNUM:
        return new HostNumber(r.f64v());
      case S.R_EXTERN: {
        const v = readValue(r);
        return this.options.externs ? this.options.externs.load(v) : v;
      }
    }
    return r.fail(`bad reference tag ${t}`);
  }
  gcType(r: ByteReader): GcType {
    const inst = this.inst(r);
    const ti = r.index(inst.vm.canon.length - 1, 'type index');
    try {
      return gcTypeById(inst.vm.registry, inst.vm.canon[ti]!);
    } catch {
      return r.fail(`type ${ti} is not a struct or array type`);
    }
  }
  tag(r: ByteReader): Tag {
    return this.extern(r, 'tag', 'an exception tag', (v): v is Tag => v instanceof Tag);
  }

  objects(r: ByteReader): void {
    const n = r.index(r.end - r.pos, 'object count');
    const kinds: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = r.u8();
      kinds.push(k);
      if (k === S.O_STRUCT) {
        const t = this.gcType(r);
        if (!t.isStruct) throw r.fail('a struct of an array type');
        this.objs.push(newStruct(t));
      } else if (k === S.O_ARRAY) {
        const t = this.gcType(r);
        if (t.isStruct) throw r.fail('an array of a struct type');
        const len = r.index(r.end - r.pos, 'array length');
        const e = t.elem;
        this.objs.push(new GcArray(t, len, e === K_REF ? new Array(len).fill(null) : e === K_I8 ? new Uint8Array(len) : e === K_I16 ? new Uint16Array(len) : new Int32Array(len * WORDS[e]!)));
      } else if (k === S.O_EXN) {
        const tag = this.tag(r);
        const np = tag.type.params.length;
        this.objs.push(new ExnRef(tag, new Int32Array(np * 4), new Array(np).fill(null)));
      } else throw r.fail(`bad object kind ${k}`);
    }
    for (let i = 0; i < n; i++) {
      const o = this.objs[i];
      if (o instanceof GcStruct) {
        const t = o.type;
        for (let f = 0; f < t.kinds.length; f++) {
          const k = t.kinds[f]!;
          for (let j = 0; j < WORDS[k]!; j++) o.setEntry(t.offs[f]! + j, k === K_REF ? this.ref(r) : r.i32());
        }
        if (t.descId >= 0) {
          const d = this.ref(r);
          if (!(d instanceof GcStruct) || d.type.id !== t.descId) throw r.fail(`struct ${i}'s descriptor is not a struct of its type's descriptor type`);
          o.desc = d;
        }
      } else if (o instanceof GcArray) {
        if (o.type.elem === K_REF) for (let j = 0; j < o.len; j++) (o.data as unknown[])[j] = this.ref(r);
        else {
          const d = o.data as Int32Array | Uint8Array | Uint16Array;
          const b = r.bytes();
          if (b.length !== d.byteLength) throw r.fail(`array ${i} has ${b.length} bytes of elements, its type and length make ${d.byteLength}`);
          new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(b);
        }
      } else {
        const x = o as ExnRef;
        const b = r.bytes();
        if (b.length !== x.words.byteLength) throw r.fail(`exception ${i}'s payload has ${b.length} bytes, its tag makes ${x.words.byteLength}`);
        new Uint8Array(x.words.buffer).set(b);
        const nr = r.uint();
        if (nr !== x.refs.length) throw r.fail(`exception ${i} has ${nr} references, its tag ${x.refs.length}`);
        for (let j = 0; j < nr; j++) x.refs[j] = this.ref(r);
      }
    }
  }
}

/** A memory's contents, checked against `m` (grown to its size when it is smaller): applied by the returned function. */
function memoryContents(r: ByteReader, m: Memory, what: string, fresh: boolean): () => void {
  const n = r.uint();
  if (n % m.pageSize !== 0) throw r.fail(`${what}: ${n} bytes is not a whole number of pages`);
  const chunks: [number, Uint8Array][] = [];
  const count = r.index(Math.ceil(n / S.CHUNK), 'chunk count');
  let last = -1;
  for (let i = 0; i < count; i++) {
    const c = r.index(Math.ceil(n / S.CHUNK) - 1, 'chunk');
    if (c <= last) throw r.fail(`${what}: chunks out of order`);
    last = c;
    chunks.push([c, r.raw(Math.min(n, (c + 1) * S.CHUNK) - c * S.CHUNK)]);
  }
  return () => {
    if (m.byteLength > n) throw new SnapshotError(`${what} has ${m.byteLength} bytes, more than the snapshot's ${n}`);
    if (m.byteLength < n && m.grow((n - m.byteLength) / m.pageSize) < 0) throw new SnapshotError(`${what} cannot grow to the snapshot's ${n} bytes (its maximum or the store's limit)`);
    // (a memory this restore made is zero already; the host's may not be)
    if (!fresh) m.u8.fill(0);
    for (const [c, b] of chunks) m.u8.set(b, c * S.CHUNK);
  };
}

function tableContents(x: Reader, r: ByteReader, t: Table, what: string): () => void {
  const n = r.index(r.end - r.pos, 'table size');
  const elems: unknown[] = [];
  for (let i = 0; i < n; i++) elems.push(x.ref(r));
  return () => {
    if (t.size > n) throw new SnapshotError(`${what} has ${t.size} elements, more than the snapshot's ${n}`);
    if (t.size < n && t.grow(n - t.size, null) < 0) throw new SnapshotError(`${what} cannot grow to the snapshot's ${n} elements`);
    for (let i = 0; i < n; i++) t.elems[i] = elems[i];
  };
}

function globalContents(x: Reader, r: ByteReader, g: Global): () => void {
  const cell = r.raw(16).slice();
  const ref = x.ref(r);
  return () => {
    new Uint8Array(g.cell.buffer, g.cell.byteOffset, 16).set(cell);
    g.ref = ref;
  };
}

export function readSnapshot(bytes: Uint8Array, options: RestoreOptions): Restored {
  try {
    return read(bytes, options);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    // (anything else: a host's linker or an unforeseen inconsistency, named as the snapshot's problem)
    throw new SnapshotError(`cannot restore the snapshot: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
}

function read(bytes: Uint8Array, options: RestoreOptions): Restored {
  const secs = sections(bytes);
  const sec = (id: number): ByteReader => secs.get(id)!;

  // the store
  const sr = sec(S.SEC_STORE);
  const so = readValue(sr);
  if (!isObj(so)) throw sr.fail('store settings');
  const num = (k: string): number => {
    const v = so[k];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isSafeInteger(v)) throw sr.fail(`${k} must be a non-negative integer`);
    return v;
  };
  const objOf = (k: string): { [k: string]: PlainValue } => {
    const v = so[k];
    if (!isObj(v)) throw sr.fail(`${k} must be an object`);
    return v;
  };
  const limits = objOf('limits');
  for (const [k, v] of Object.entries(limits)) if (typeof v !== 'number' && v !== undefined) throw sr.fail(`limit ${k}`);
  let costs;
  try {
    costs = parseCosts(objOf('costs'));
  } catch (e) {
    throw sr.fail(`cost table: ${(e as Error).message}`);
  }
  // (a store with a TypeRegistry of its own: the registry given, or else a new one of its own, never the process-wide one)
  const registry = options.store?.registry ?? (so.ownRegistry === true ? new TypeRegistry() : defaultRegistry);

  // modules, by hash
  const mr = sec(S.SEC_MODULES);
  const modules: Module[] = [];
  const nm = mr.index(mr.end - mr.pos, 'module count');
  for (let i = 0; i < nm; i++) {
    const hash = mr.raw(32);
    const included = mr.bool();
    const own = included ? mr.bytes() : null;
    const mopts = readValue(mr);
    if (!isObj(mopts)) throw mr.fail('module options');
    const supplied = options.modules?.find((m) => equal(moduleHash(m), hash));
    if (supplied) {
      if (supplied.validated.registry !== registry)
        throw new SnapshotError(`module ${i} (supplied in options.modules) was validated in another TypeRegistry than the restored store's: give the registry it was validated in as options.store.registry`);
      modules.push(supplied);
    } else if (own) {
      if (!equal(sha256(own), hash)) throw mr.fail(`module ${i}'s bytes do not match its SHA-256`);
      try {
        modules.push(knownHash(Module.fromBinary(own.slice(), { ...(mopts as object), registry }), hash));
      } catch (e) {
        throw new SnapshotError(`module ${i} of the snapshot does not load: ${(e as Error).message}`);
      }
    } else throw new SnapshotError(`the snapshot was made with module ${i} (SHA-256 ${hex(hash)}): supply it in options.modules`);
  }

  const tier = options.store?.tier ?? (so.tier === 'interp' ? 'interp' : 'js');
  const sopts: StoreOptions = {
    limits: limits as never,
    costs,
    countFuel: so.countsFuel !== false,
    profile: so.profile === true,
    tier,
    interrupt: options.store?.interrupt,
    registry,
  };
  if (so.metered === true) sopts.fuel = 0;
  if (options.store?.codeCache !== undefined) sopts.codeCache = options.store.codeCache;
  let store: Store;
  try {
    store = new Store(sopts);
  } catch (e) {
    throw sr.fail(`store settings: ${(e as Error).message}`);
  }
  const acc = store.snapshotAccess();
  const mc = store.machine;
  const x = new Reader(store, options);

  // the embedder's state (the linker may be built from it)
  const host = readValue(sec(S.SEC_HOST));
  const linker: Resolver | undefined = typeof options.linker === 'function' ? options.linker(store, host) : options.linker;

  // instances, linked as they were
  const ir = sec(S.SEC_INSTANCES);
  const ni = ir.index(ir.end - ir.pos, 'instance count');
  const hostSupplied = new Set<unknown>();
  for (let i = 0; i < ni; i++) {
    const module = modules[ir.index(modules.length - 1, 'module')]!;
    const imports: unknown[] = [];
    for (const imp of module.data.imports) {
      const from = ir.u8();
      if (from === 0) {
        const e = linker?.get(imp.module, imp.name);
        if (e === undefined) throw new SnapshotError(`instance ${i} imports ${imp.module}.${imp.name} (${imp.desc.kind}) from the host: give it in options.linker`);
        imports.push(e);
        hostSupplied.add(e);
      } else if (from === 1) {
        const owner = x.inst(ir);
        const sp = space(owner, imp.desc.kind as Kind);
        imports.push(sp[ir.index(sp.length - 1, `${imp.desc.kind} index`)]);
      } else throw ir.fail(`bad import origin ${from}`);
    }
    let raw: RawInstance;
    try {
      raw = allocate(module.validated, imports, store, false);
    } catch (e) {
      throw new SnapshotError(`instance ${i} does not link again: ${(e as Error).message}`);
    }
    x.insts.push(raw);
    acc.adopt(raw, module);
  }

  x.objects(sec(S.SEC_OBJECTS));

  // contents (host-supplied objects: written last)
  const cr = sec(S.SEC_CONTENTS);
  const later: (() => void)[] = [];
  x.insts.forEach((inst, i) => {
    for (const kind of ['global', 'table', 'memory'] as Kind[]) {
      const sp = space(inst, kind);
      for (let k = importCount(inst, kind); k < sp.length; k++) {
        const what = `instance ${i}'s ${kind} ${k}`;
        if (kind === 'global') globalContents(x, cr, sp[k] as Global)();
        else if (kind === 'table') tableContents(x, cr, sp[k] as Table, what)();
        else memoryContents(cr, sp[k] as Memory, what, true)();
      }
    }
    for (let s = 0; s < inst.elems.length; s++) {
      if (!cr.bool()) inst.elems[s] = null;
      else {
        const n = cr.index(cr.end - cr.pos, 'segment length');
        const refs: unknown[] = [];
        for (let j = 0; j < n; j++) refs.push(x.ref(cr));
        inst.elems[s] = refs;
      }
    }
    for (let s = 0; s < inst.datas.length; s++) if (!cr.bool()) inst.datas[s] = null;
  });
  const nh = cr.index(cr.end - cr.pos, 'host object count');
  for (let h = 0; h < nh; h++) {
    const inst = x.inst(cr);
    const index = cr.uint();
    const kind = (['global', 'table', 'memory'] as Kind[])[cr.index(2, 'kind')]!;
    if (index >= importCount(inst, kind)) throw cr.fail(`host ${kind} ${index} is not an import`);
    const e = space(inst, kind)[index];
    const what = `the host's ${kind} imported as ${kind} ${index}`;
    later.push(kind === 'global' ? globalContents(x, cr, e as Global) : kind === 'table' ? tableContents(x, cr, e as Table, what) : memoryContents(cr, e as Memory, what, false));
  }

  // fuel, peaks
  acc.setFuel(num('fuelAdded'), num('reserve'), num('fuel'));
  mc.needed = num('needed');

  // the stopped call
  const call = readCall(x, sec(S.SEC_CALL), store);

  // the profile
  const pr = sec(S.SEC_PROFILE);
  if (pr.bool()) {
    if (!acc.profile) throw pr.fail('a profile for a store without one');
    readProfile(x, pr, acc.profile);
  }

  for (const id of secs.keys()) {
    const r = secs.get(id)!;
    if (!r.atEnd) throw r.fail(`${r.end - r.pos} bytes left over`);
  }

  // everything read: now the host's own objects
  for (const f of later) f();
  const peaks = objOf('peaks');
  for (const k of ['memoryBytes', 'valueStackBytes', 'callDepth', 'tableElements'] as const) {
    const v = peaks[k];
    if (typeof v !== 'number') throw sr.fail(`peak ${k}`);
    store.peaks[k] = v;
  }
  if (store.memoryBytes !== num('memoryBytes'))
    throw new SnapshotError(`the restored memories hold ${store.memoryBytes} bytes, the snapshot's ${num('memoryBytes')} (a host memory of another size?)`);

  const stop = call ? (acc.resumeStopped(call) as OutOfFuel | Interrupted | HostSuspended) : null;
  if (stop !== null && !(stop instanceof OutOfFuel || stop instanceof Interrupted || stop instanceof HostSuspended)) throw stop;
  return { store, instances: x.insts.map((r) => new Instance(store, r)), stop, host };
}

function readCall(x: Reader, r: ByteReader, store: Store): StoppedCall | null {
  if (!r.bool()) return null;
  const mc = store.machine;
  const func = x.wasmFunc(r, 'the called function');
  const at = r.uint();
  const sp = r.uint();
  const profMark = r.uint();
  const raw = r.bool();
  const so = r.int();
  const startOf = so < 0 ? null : x.insts[r.pos >= 0 && so < x.insts.length ? so : r.fail('start instance')]!;
  const kind = (['fuel', 'interrupt', 'host'] as const)[r.index(2, 'stop kind')]!;
  const reason = ([undefined, 'deadline', 'aborted'] as const)[r.index(2, 'interrupt reason')];
  const nk = r.index(2, 'continuation');
  const next: Continuation = nk === 0 ? { k: 'start' } : nk === 1 ? { k: 'resume' } : { k: 'host', results: readValue(r) };
  if (kind === 'interrupt' && reason === undefined) throw r.fail('an interrupt without a reason');
  const started = r.bool();
  if (started !== (next.k !== 'start')) throw r.fail('a call not started that continues, or the reverse');
  if (started) {
    const depth = r.index(mc.maxDepth - 1, 'call depth');
    let top = 0;
    let below = 0;
    for (let d = 0; d <= depth; d++) {
      const f = x.wasmFunc(r, `frame ${d}`);
      const exact = r.bool();
      const offset = r.uint();
      const ordinal = r.uint();
      const op = r.uint();
      const fp = r.uint();
      const blkAt = r.int();
      let comp;
      try {
        comp = exact ? mc.exactTwin(mc.compile(f)) : mc.compile(f);
      } catch (e) {
        throw new SnapshotError(`frame ${d}: function ${f.index} does not translate: ${(e as Error).message}`);
      }
      const pc = S.pcOf(comp, offset, ordinal, op);
      if (pc < 0) throw r.fail(`frame ${d}: function ${f.index} has no stop point ${ordinal} at offset ${offset} (another wasmeter's translation?)`);
      const blk = blkAt < 0 ? -1 : (comp.blockPc.get(blkAt) ?? -1);
      if (blkAt >= 0 && !S.isFuelBlock(comp, blk)) throw r.fail(`frame ${d}: no fuel block at offset ${blkAt}`);
      // (a callee's frame starts inside its caller's, at the arguments)
      if (fp < below || fp % 4 !== 0) throw r.fail(`frame ${d} starts below the frame below it`);
      below = fp;
      top = Math.max(top, fp + comp.frameWords);
      if (top > mc.maxStackWords) throw r.fail(`frame ${d} is beyond the value stack's limit`);
      if (d < depth) {
        mc.fComp[d] = comp;
        mc.fPc[d] = pc;
        mc.fFp[d] = fp;
        mc.fBlk[d] = blk;
      } else mc.save(comp, pc, fp, mc.fuel, blk, depth);
    }
    if (r.bool()) {
      const f = x.func(r);
      if (!(f instanceof HostFunc)) throw r.fail('a suspended host call of a wasm function');
      const hat = r.uint();
      const tail = r.bool();
      const payload = readValue(r);
      if (kind !== 'host' && next.k !== 'host') throw r.fail('a pending host call without a host stop');
      mc.pendingHost = { f, at: hat, tail, payload };
      top = Math.max(top, hat + Math.max(f.type.results.length, f.type.params.length) * 4);
    } else if (kind === 'host') throw r.fail('a host stop without its host call');
    const words = r.uint();
    if (words < top || words > mc.maxStackWords || words % 4 !== 0) throw r.fail(`value stack of ${words} words for frames up to ${top}`);
    if (words > mc.s.length) mc.growStack(words);
    new Uint8Array(mc.buffer, 0, words * 4).set(r.raw(words * 4));
    const nr = r.index(words >> 2, 'reference count');
    for (let i = 0; i < nr; i++) mc.refs[r.index((words >> 2) - 1, 'slot')] = x.ref(r);
  } else {
    const n = func.type.params.length * 4;
    if (at + n + 4 > mc.s.length) mc.growStack(at + Math.max(n, func.type.results.length * 4) + 4);
    new Uint8Array(mc.buffer, at * 4, n * 4).set(r.raw(n * 4));
    for (let i = 0; i < func.type.params.length; i++) mc.refs[(at >> 2) + i] = x.ref(r);
  }
  if (startOf !== null && func !== startOf.funcs[startOf.module.start ?? -1]) throw r.fail('a start function call of another function');
  return { func, at, entryDepth: 0, sp, profMark, raw, startOf, stop: { kind, reason, next }, token: 0, quiet: false };
}

function readProfile(x: Reader, r: ByteReader, prof: Profile): void {
  const n = r.index(r.end - r.pos, 'profile rows');
  const rows = [];
  for (let i = 0; i < n; i++) {
    const f = x.func(r);
    rows.push({ f, calls: r.uint(), self: r.uint(), total: r.uint(), active: r.uint() });
  }
  const ns = r.index(r.end - r.pos, 'profile stack');
  const stack = [];
  for (let i = 0; i < ns; i++) stack.push({ row: r.index(n - 1, 'profile row'), start: r.uint(), child: r.uint() });
  prof.load({ rows, stack });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export { WasmeterError };
