/**
 * fast-check generators of random valid-shaped Modules (structurally
 * well-formed for the binary format; not necessarily valid), for the
 * encoder/decoder round-trip property and the decoder fuzz test. They cover
 * the custom-descriptors proposal's binary forms too: exact heap types
 * (0x62), describes/descriptor clauses (0x4c/0x4d), exact function imports
 * (0x20) and its instructions (0xfb 32-38), also in constant expressions.
 */
import fc from 'fast-check';
import { Writer } from '../../src/core/bytes.js';
import type { ConstExpr, CustomSection, Module, NameSection } from '../../src/core/module.js';
import { CompKind, EXACT_HEAP, F32, F64, HEAP_CONCRETE, I16, I32, I64, I8, V128, refType, type SubType, type ValType } from '../../src/core/types.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const smallIdx = fc.oneof(fc.integer({ min: 0, max: 20 }), u32);
const concrete = fc.integer({ min: 0, max: 300 }).map((i) => HEAP_CONCRETE + i);
/** Abstract, concrete or (custom descriptors) exact concrete heap types. */
const heap = fc.oneof(fc.integer({ min: 0, max: 11 }), concrete, concrete.map((h) => h + EXACT_HEAP));
export const refTypeArb = fc.tuple(heap, fc.boolean()).map(([h, n]) => refType(h, n));
export const valTypeArb: fc.Arbitrary<ValType> = fc.oneof(fc.constantFrom(I32, I64, F32, F64, V128), refTypeArb);
const storageArb = fc.oneof(valTypeArb, fc.constantFrom(I8, I16));
const fieldArb = fc.record({ type: storageArb, mutable: fc.boolean() });
const nameArb = fc.string({ unit: fc.constantFrom('a', 'Z', '0', 'é', '€', '😀', '\u0000', '\ufeff', ' '), maxLength: 8 });

function w(f: (w: Writer) => void): Uint8Array {
  const x = new Writer();
  f(x);
  return x.finish();
}
const expr = (b: Uint8Array): ConstExpr => ({ bytes: b, offset: -1 });
/** A heap type immediate as the binary writes it: a one-byte abstract code, [0x62] s33 index. */
const heapImm = fc.oneof(
  fc.constantFrom(0x70, 0x6f, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x73, 0x72).map((b) => (x: Writer) => x.u8(b)),
  fc.tuple(fc.boolean(), smallIdx).map(([exact, i]) => (x: Writer) => {
    if (exact) x.u8(0x62);
    x.s64(BigInt(i));
  }),
);

/** One constant-expression instruction. */
const constInstr = fc.oneof(
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((v) => (x: Writer) => x.u8(0x41).s32(v)),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((v) => (x: Writer) => x.u8(0x42).s64(v)),
  fc.integer().map((v) => (x: Writer) => x.u8(0x43).bits32(v)),
  fc.tuple(fc.integer(), fc.integer()).map(([lo, hi]) => (x: Writer) => x.u8(0x44).bits64(lo, hi)),
  smallIdx.map((v) => (x: Writer) => x.u8(0x23).u32(v)),
  smallIdx.map((v) => (x: Writer) => x.u8(0xd2).u32(v)),
  fc.integer({ min: 0, max: 11 }).map((h) => (x: Writer) => x.u8(0xd0).u8([0x70, 0x6f, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x73, 0x72, 0x69, 0x74][h]!)),
  fc.constantFrom((x: Writer) => x.u8(0x6a), (x: Writer) => x.u8(0x7c), (x: Writer) => x.u8(0xfb).u32(28)),
  // struct.new_desc / struct.new_default_desc (constant in the proposal)
  fc.tuple(fc.constantFrom(32, 33), smallIdx).map(([op, t]) => (x: Writer) => x.u8(0xfb).u32(op).u32(t)),
);
export const constExprArb = fc.array(constInstr, { minLength: 0, maxLength: 4 }).map((is) => expr(w((x) => { for (const i of is) i(x); x.u8(0x0b); })));

/** Function body instructions (balanced blocks), as writer actions. */
const simple = fc.oneof(
  constInstr,
  fc.constantFrom(0x00, 0x01, 0x1a, 0x1b, 0x0f, 0x45, 0x6a, 0x92, 0xa7, 0xd1).map((op) => (x: Writer) => x.u8(op)),
  fc.tuple(fc.constantFrom(0x20, 0x21, 0x22, 0x0c, 0x0d, 0x10, 0x25, 0x26), smallIdx).map(([op, i]) => (x: Writer) => x.u8(op).u32(i)),
  fc.tuple(fc.constantFrom(0x28, 0x29, 0x36, 0x37), fc.integer({ min: 0, max: 63 }), fc.option(smallIdx, { nil: null }), fc.oneof(u32, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })))
    .map(([op, al, mem, off]) => (x: Writer) => {
      x.u8(op);
      if (mem === null) x.u32(al);
      else x.u32(al | 0x40).u32(mem);
      x.u64(off);
    }),
  fc.tuple(fc.array(smallIdx, { maxLength: 5 }), smallIdx).map(([ls, d]) => (x: Writer) => {
    x.u8(0x0e).u32(ls.length);
    for (const l of ls) x.u32(l);
    x.u32(d);
  }),
  fc.tuple(smallIdx, smallIdx).map(([a, b]) => (x: Writer) => x.u8(0x11).u32(a).u32(b)),
  fc.tuple(smallIdx, smallIdx).map(([a, b]) => (x: Writer) => x.u8(0xfb).u32(2).u32(a).u32(b)),
  fc.tuple(smallIdx, smallIdx).map(([a, b]) => (x: Writer) => x.u8(0xfc).u32(14).u32(a).u32(b)),
  // custom descriptors: ref.get_desc, ref.cast_desc_eq (and ref.test/ref.cast, 0xfb 20-23) with exact heap types,
  // br_on_cast_desc_eq(_fail) (and br_on_cast(_fail), 0xfb 24/25)
  smallIdx.map((t) => (x: Writer) => x.u8(0xfb).u32(34).u32(t)),
  fc.tuple(fc.constantFrom(20, 21, 22, 23, 35, 36), heapImm).map(([op, h]) => (x: Writer) => {
    x.u8(0xfb).u32(op);
    h(x);
  }),
  fc.tuple(fc.constantFrom(24, 25, 37, 38), fc.integer({ min: 0, max: 3 }), smallIdx, heapImm, heapImm).map(([op, flags, l, h1, h2]) => (x: Writer) => {
    x.u8(0xfb).u32(op).u8(flags).u32(l);
    h1(x);
    h2(x);
  }),
);
type Act = (x: Writer) => void;
const bodyInstrs: fc.Arbitrary<Act[]> = fc.letrec<{ seq: Act[] }>((tie) => ({
  seq: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: simple.map((a) => [a]) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom(0x02, 0x03, 0x04), fc.oneof(fc.constant(-1), fc.constantFrom(I32, F64), fc.integer({ min: 0, max: 200 })), tie('seq'), fc.option(tie('seq'), { nil: null })).map(
          ([op, bt, inner, els]) => {
            const acts: Act[] = [
              (x) => {
                x.u8(op);
                if (bt === -1) x.u8(0x40);
                else if (bt === I32 || bt === F64) x.u8(bt);
                else x.s32(bt);
              },
              ...inner,
            ];
            if (op === 0x04 && els) acts.push((x) => x.u8(0x05), ...els);
            acts.push((x) => x.u8(0x0b));
            return acts;
          },
        ),
      },
    ),
    { maxLength: 6 },
  ).map((xs) => xs.flat()),
})).seq;

const bodyArb = fc.record({
  locals: fc.array(fc.record({ count: fc.integer({ min: 0, max: 1000 }), type: valTypeArb }), { maxLength: 3 }),
  body: bodyInstrs.map((is) => w((x) => { for (const i of is) i(x); x.u8(0x0b); })),
  offset: fc.constant(-1),
});

const compArb = fc.oneof(
  fc.record({ kind: fc.constant(CompKind.Func as const), params: fc.array(valTypeArb, { maxLength: 4 }), results: fc.array(valTypeArb, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant(CompKind.Struct as const), fields: fc.array(fieldArb, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant(CompKind.Array as const), field: fieldArb }),
);
/** A describes or descriptor clause's type index, absent three times in four. */
const clauseArb = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: smallIdx });
const subArb = fc
  .record({ final: fc.boolean(), supers: fc.array(smallIdx, { maxLength: 1 }), comp: compArb, describes: clauseArb, descriptor: clauseArb })
  .map(({ describes, descriptor, ...st }) => ({ ...st, ...(describes !== null ? { describes } : {}), ...(descriptor !== null ? { descriptor } : {}) }));
const typesArb = fc.array(fc.array(subArb, { minLength: 1, maxLength: 3 }), { maxLength: 4 }).map((groups) => {
  const out: SubType[] = [];
  for (const g of groups) {
    const start = out.length;
    for (const s of g) out.push({ ...s, recStart: start, recSize: g.length });
  }
  return out;
});

const limits64 = fc.tuple(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: null }));
const limits32 = fc.tuple(u32, fc.option(u32, { nil: null }));
const tableTypeArb = fc.oneof(
  fc.tuple(refTypeArb, limits32).map(([elem, [min, max]]) => ({ elem, addr: 'i32' as const, min, max })),
  fc.tuple(refTypeArb, limits64).map(([elem, [min, max]]) => ({ elem, addr: 'i64' as const, min, max })),
);
const memTypeArb = fc.tuple(fc.boolean(), limits32, limits64, fc.boolean(), fc.oneof(fc.constant(16), fc.integer({ min: 0, max: 63 }))).map(
  ([is64, l32, l64, shared, pageSizeLog2]) => {
    const [min, max] = is64 ? l64 : l32;
    return { addr: is64 ? ('i64' as const) : ('i32' as const), min, max, shared, pageSizeLog2 };
  },
);
const globalTypeArb = fc.record({ type: valTypeArb, mutable: fc.boolean() });
const importArb = fc.record({
  module: nameArb,
  name: nameArb,
  desc: fc.oneof(
    fc.tuple(smallIdx, fc.boolean()).map(([typeIndex, exact]) => ({ kind: 'func' as const, typeIndex, ...(exact ? { exact } : {}) })),
    tableTypeArb.map((type) => ({ kind: 'table' as const, type })),
    memTypeArb.map((type) => ({ kind: 'memory' as const, type })),
    globalTypeArb.map((type) => ({ kind: 'global' as const, type })),
    smallIdx.map((typeIndex) => ({ kind: 'tag' as const, typeIndex })),
  ),
});
const elemArb = fc.oneof(
  fc.record({
    mode: fc.constantFrom('active' as const, 'passive' as const, 'declarative' as const),
    table: smallIdx,
    offset: constExprArb,
    type: refTypeArb,
    init: fc.array(constExprArb, { maxLength: 3 }),
  }),
  fc.record({
    mode: fc.constantFrom('active' as const, 'passive' as const, 'declarative' as const),
    table: smallIdx,
    offset: constExprArb,
    type: fc.constant(refType(0, false)),
    init: fc.array(smallIdx.map((i) => expr(w((x) => x.u8(0xd2).u32(i).u8(0x0b)))), { maxLength: 3 }),
  }),
).map((e) => (e.mode === 'active' ? e : { ...e, table: 0, offset: null }));
const dataArb = fc.record({
  mode: fc.constantFrom('active' as const, 'passive' as const),
  memory: smallIdx,
  offset: constExprArb,
  bytes: fc.uint8Array({ maxLength: 20 }),
}).map((d) => (d.mode === 'active' ? d : { ...d, memory: 0, offset: null }));
const namesArb: fc.Arbitrary<NameSection | null> = fc.option(
  fc.record(
    {
      module: nameArb,
      functions: fc.array(fc.tuple(smallIdx, nameArb), { maxLength: 3 }).map((xs) => new Map(xs)),
      locals: fc.array(fc.tuple(smallIdx, fc.array(fc.tuple(smallIdx, nameArb), { maxLength: 3 }).map((xs) => new Map(xs))), { maxLength: 3 }).map((xs) => new Map(xs)),
    },
    { requiredKeys: ['functions', 'locals'] },
  ),
  { nil: null },
);

const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

export const moduleArb: fc.Arbitrary<Module> = fc
  .record({
    types: typesArb,
    imports: fc.array(importArb, { maxLength: 3 }),
    codes: fc.array(bodyArb, { maxLength: 3 }),
    funcTypes: fc.array(smallIdx, { maxLength: 3 }),
    tables: fc.array(fc.record({ type: tableTypeArb, init: fc.option(constExprArb, { nil: null }) }), { maxLength: 2 }),
    memories: fc.array(memTypeArb, { maxLength: 2 }),
    tags: fc.array(smallIdx, { maxLength: 2 }),
    globals: fc.array(fc.record({ type: globalTypeArb, init: constExprArb }), { maxLength: 2 }),
    exports: fc.array(fc.record({ name: nameArb, kind: fc.constantFrom('func' as const, 'table' as const, 'memory' as const, 'global' as const, 'tag' as const), index: smallIdx }), { maxLength: 3 }),
    start: fc.option(smallIdx, { nil: null }),
    elems: fc.array(elemArb, { maxLength: 3 }),
    datas: fc.array(dataArb, { maxLength: 3 }),
    withDataCount: fc.boolean(),
    customs: fc.array(fc.record({ name: nameArb.filter((n) => n !== 'name'), bytes: fc.uint8Array({ maxLength: 10 }), slot: fc.nat() }), { maxLength: 3 }),
    names: namesArb,
  })
  .map((g) => {
    const funcs = g.codes.map((_, i) => g.funcTypes[i] ?? 0);
    const m: Module = {
      types: g.types,
      imports: g.imports,
      funcs,
      tables: g.tables,
      memories: g.memories,
      tags: g.tags,
      globals: g.globals,
      exports: g.exports,
      start: g.start,
      elems: g.elems,
      datas: g.datas,
      dataCount: g.withDataCount ? g.datas.length : null,
      codes: g.codes,
      customs: [],
      names: g.names,
    };
    // custom sections may follow only sections that are present (or come first)
    const present: number[] = [0];
    const has: Record<number, boolean> = {
      1: m.types.length > 0, 2: m.imports.length > 0, 3: m.funcs.length > 0, 4: m.tables.length > 0, 5: m.memories.length > 0,
      13: m.tags.length > 0, 6: m.globals.length > 0, 7: m.exports.length > 0, 8: m.start !== null, 9: m.elems.length > 0,
      12: m.dataCount !== null, 10: m.codes.length > 0, 11: m.datas.length > 0,
    };
    for (const id of ORDER) if (has[id]) present.push(id);
    const customs: (CustomSection & { rank: number })[] = g.customs.map((c, i) => {
      const k = c.slot % present.length;
      return { name: c.name, bytes: c.bytes, after: present[k]!, rank: k * 100 + i };
    });
    customs.sort((a, b) => a.rank - b.rank);
    m.customs = customs.map(({ name, bytes, after }) => ({ name, bytes, after }));
    return m;
  });
