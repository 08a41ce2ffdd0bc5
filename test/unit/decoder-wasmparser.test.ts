/** Agreement with @webassemblyjs/wasm-parser on MVP modules built with the encoder. */
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/core/bytes.js';
import { emptyModule, type Module } from '../../src/core/module.js';
import { CompKind, F32, F64, FUNCREF, I32, I64, type FuncType } from '../../src/core/types.js';
import { decodeModule } from '../../src/decoder/index.js';
import { encodeModule, writeValType } from '../../src/encoder/index.js';

interface WpNode { type: string; [k: string]: unknown }
const require = createRequire(import.meta.url);
const wp = require('@webassemblyjs/wasm-parser') as { decode(b: Uint8Array, opts: object): { body: { fields: WpNode[] }[] } };

const NUM = [I32, I64, F32, F64];
const NAME: Record<number, string> = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64' };
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);

const mvpArb = fc
  .record({
    sigs: fc.array(fc.record({ params: fc.array(fc.constantFrom(...NUM), { maxLength: 4 }), results: fc.array(fc.constantFrom(...NUM), { maxLength: 1 }) }), { minLength: 1, maxLength: 4 }),
    importFuncs: fc.array(fc.tuple(name, name, fc.nat()), { maxLength: 3 }),
    funcs: fc.array(fc.record({ sig: fc.nat(), locals: fc.array(fc.record({ count: fc.integer({ min: 1, max: 5 }), type: fc.constantFrom(...NUM) }), { maxLength: 3 }), nops: fc.integer({ min: 0, max: 50 }) }), { maxLength: 5 }),
    memory: fc.boolean(),
    exports: fc.uniqueArray(name, { maxLength: 4 }),
  })
  .map((g) => {
    const m = emptyModule();
    g.sigs.forEach((s, i) => m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: s.params, results: s.results }, recStart: i, recSize: 1 }));
    for (const [mod, nm, t] of g.importFuncs) m.imports.push({ module: mod, name: nm, desc: { kind: 'func', typeIndex: t % g.sigs.length } });
    for (const f of g.funcs) {
      const ti = f.sig % g.sigs.length;
      const sig = m.types[ti]!.comp as FuncType;
      m.funcs.push(ti);
      const w = new Writer();
      for (let i = 0; i < f.nops; i++) w.u8(0x01);
      w.u8(0x02).u8(0x40).u8(0x0b); // block end
      for (const r of sig.results) {
        if (r === I32) w.u8(0x41).s32(7);
        else if (r === I64) w.u8(0x42).s64(7n);
        else if (r === F32) w.u8(0x43).bits32(0);
        else w.u8(0x44).bits64(0, 0);
      }
      w.u8(0x0b);
      m.codes.push({ locals: f.locals, body: w.finish(), offset: -1 });
    }
    if (g.memory) m.memories.push({ addr: 'i32', min: 1, max: 3, shared: false, pageSizeLog2: 16 });
    const nf = m.imports.length + m.funcs.length;
    g.exports.forEach((e, i) => {
      if (nf > 0) m.exports.push({ name: e, kind: 'func', index: i % nf });
    });
    m.tables.push({ type: { elem: FUNCREF, addr: 'i32', min: 0, max: null }, init: null });
    return m;
  });

function codeEntrySize(m: Module, i: number): number {
  const c = m.codes[i]!;
  const w = new Writer();
  w.u32(c.locals.length);
  for (const l of c.locals) {
    w.u32(l.count);
    writeValType(w, l.type);
  }
  return w.length + c.body.length;
}

describe('agreement with @webassemblyjs/wasm-parser', () => {
  it('types, imports, exports, function count, code sizes', () => {
    fc.assert(
      fc.property(mvpArb, (src) => {
        const bytes = encodeModule(src);
        expect(WebAssembly.validate(bytes)).toBe(true);
        const m = decodeModule(bytes);
        const fields = wp.decode(bytes, { ignoreCustomNameSection: true }).body[0]!.fields;
        const types = fields.filter((f) => f.type === 'TypeInstruction').map((f) => {
          const sig = f.functype as { params: { valtype: string }[]; results: string[] };
          return [sig.params.map((p) => p.valtype), sig.results];
        });
        expect(m.types.map((t) => { const c = t.comp as FuncType; return [c.params.map((p) => NAME[p]), c.results.map((r) => NAME[r])]; })).toEqual(types);
        const imports = fields.filter((f) => f.type === 'ModuleImport').map((f) => [f.module, f.name]);
        expect(m.imports.map((i) => [i.module, i.name])).toEqual(imports);
        const exports = fields.filter((f) => f.type === 'ModuleExport').map((f) => [f.name, (f.descr as { id: { value: number } }).id.value]);
        expect(m.exports.map((e) => [e.name, e.index])).toEqual(exports);
        const funcs = fields.filter((f) => f.type === 'Func');
        expect(m.codes.length).toBe(funcs.length);
        expect(m.codes.map((_, i) => codeEntrySize(m, i))).toEqual(funcs.map((f) => (f.metadata as { bodySize: number }).bodySize));
        expect(m.memories.length).toBe(fields.filter((f) => f.type === 'Memory').length);
      }),
      { numRuns: 200 },
    );
  });
});
