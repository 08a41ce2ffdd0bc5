import { describe, expect, it } from 'vitest';
import { encodeModule } from '../../src/encoder/index.js';
import { emptyModule, type Module } from '../../src/core/module.js';
import { CompKind, FUNCREF, I32, I64, refType, HeapType, concreteHeap } from '../../src/core/types.js';

const hdr = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
const e = (bytes: number[]) => ({ bytes: Uint8Array.from(bytes), offset: -1 });

export function mvpModule(): Module {
  const m = emptyModule();
  m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: [I32, I32], results: [I32] }, recStart: 0, recSize: 1 });
  m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: [], results: [] }, recStart: 1, recSize: 1 });
  m.imports.push({ module: 'env', name: 'f', desc: { kind: 'func', typeIndex: 1 } });
  m.imports.push({ module: 'env', name: 'mem', desc: { kind: 'memory', type: { addr: 'i32', min: 1, max: 2, shared: false, pageSizeLog2: 16 } } });
  m.funcs.push(0, 1);
  m.tables.push({ type: { elem: FUNCREF, addr: 'i32', min: 2, max: null }, init: null });
  m.globals.push({ type: { type: I64, mutable: true }, init: e([0x42, 0x05, 0x0b]) });
  m.exports.push({ name: 'add', kind: 'func', index: 1 }, { name: 'g', kind: 'global', index: 0 });
  m.elems.push({ mode: 'active', table: 0, offset: e([0x41, 0, 0x0b]), type: refType(HeapType.func, false), init: [e([0xd2, 1, 0x0b]), e([0xd2, 2, 0x0b])] });
  m.datas.push({ mode: 'active', memory: 0, offset: e([0x41, 8, 0x0b]), bytes: Uint8Array.from([1, 2, 3]) });
  m.codes.push({ locals: [{ count: 1, type: I32 }], body: Uint8Array.from([0x20, 0, 0x20, 1, 0x6a, 0x0b]), offset: -1 });
  m.codes.push({ locals: [], body: Uint8Array.from([0x0b]), offset: -1 });
  return m;
}

describe('encodeModule', () => {
  it('encodes the empty module as the header', () => {
    expect([...encodeModule(emptyModule())]).toEqual(hdr);
  });
  it('produces modules the host engine accepts', () => {
    const bytes = encodeModule(mvpModule());
    expect(WebAssembly.validate(bytes)).toBe(true);
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.exports(mod).map((x) => x.name)).toEqual(['add', 'g']);
  });
  it('uses the short forms and the prefixed forms of ref types', () => {
    const m = emptyModule();
    m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: [FUNCREF, refType(HeapType.any, false), refType(concreteHeap(0), true)], results: [] }, recStart: 0, recSize: 1 });
    const b = [...encodeModule(m)].slice(8);
    expect(b).toEqual([1, 9, 1, 0x60, 3, 0x70, 0x64, 0x6e, 0x63, 0x00, 0]);
  });
  it('writes rec groups, sub and sub final', () => {
    const m = emptyModule();
    m.types.push({ final: false, supers: [], comp: { kind: CompKind.Struct, fields: [] }, recStart: 0, recSize: 2 });
    m.types.push({ final: true, supers: [0], comp: { kind: CompKind.Struct, fields: [{ type: 0x78, mutable: true }] }, recStart: 0, recSize: 2 });
    m.types.push({ final: true, supers: [], comp: { kind: CompKind.Array, field: { type: I32, mutable: false } }, recStart: 2, recSize: 1 });
    const b = [...encodeModule(m)].slice(8);
    expect(b).toEqual([1, 17, 2, 0x4e, 2, 0x50, 0, 0x5f, 0, 0x4f, 1, 0, 0x5f, 1, 0x78, 1, 0x5e, 0x7f, 0]);
  });
  it('chooses elem encodings', () => {
    const m = emptyModule();
    const refFuncNN = refType(HeapType.func, false);
    m.types.push({ final: true, supers: [], comp: { kind: CompKind.Func, params: [], results: [] }, recStart: 0, recSize: 1 });
    m.funcs.push(0);
    m.codes.push({ locals: [], body: Uint8Array.from([0x0b]), offset: -1 });
    m.tables.push({ type: { elem: FUNCREF, addr: 'i32', min: 1, max: null }, init: null });
    m.elems.push({ mode: 'passive', table: 0, offset: null, type: refFuncNN, init: [e([0xd2, 0, 0x0b])] });
    m.elems.push({ mode: 'declarative', table: 0, offset: null, type: refFuncNN, init: [e([0xd2, 0, 0x0b])] });
    m.elems.push({ mode: 'active', table: 0, offset: e([0x41, 0, 0x0b]), type: FUNCREF, init: [e([0xd0, 0x70, 0x0b])] });
    m.elems.push({ mode: 'passive', table: 0, offset: null, type: FUNCREF, init: [e([0xd2, 0, 0x0b])] });
    const bytes = encodeModule(m);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const s = [...bytes];
    const i = s.indexOf(9, 8);
    expect(s.slice(i + 2, i + 3 + 4 + 4 + 8)).toEqual([4, 1, 0, 1, 0, 3, 0, 1, 0, 4, 0x41, 0, 0x0b, 1, 0xd0, 0x70, 0x0b]);
  });
});
