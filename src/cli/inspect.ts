/**
 * `wasmeter inspect` and `wasmeter validate`: a module's sections, imports and exports; whether it is valid.
 */
import { Reader } from '../core/bytes.js';
import { ANYREF, EXNREF, EXTERNREF, FUNCREF, valTypeName, type FuncType, type GlobalType, type MemType, type TableType, type ValType } from '../core/types.js';
import type { FeatureSpec } from '../core/instructions.js';
import type { ExportInfo, ImportInfo, Module } from '../runtime/module.js';
import { UsageError, classify, describeError, loadModule, pad, padL, usage } from './common.js';
import { pc } from './colour.js';

export async function runValidate(file: string, opts: { features?: FeatureSpec }): Promise<number> {
  try {
    await loadModule(file, opts.features);
  } catch (e) {
    if (e instanceof UsageError) return usage(e, 'validate');
    process.stdout.write(`${describeError(e, file)}\n`);
    return 1;
  }
  process.stdout.write('ok\n');
  return 0;
}

// ====================================================================== inspect

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

interface SectionInfo {
  id: number;
  name: string;
  offset: number;
  size: number;
  count?: number;
  customName?: string;
}

function sections(bin: Uint8Array): SectionInfo[] {
  const r = new Reader(bin, 8);
  const out: SectionInfo[] = [];
  while (!r.atEnd()) {
    const offset = r.pos;
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    const s: SectionInfo = { id, name: SECTION_NAMES[id] ?? `unknown(${id})`, offset, size };
    const c = new Reader(bin, start, start + size);
    if (id === 0) s.customName = c.name();
    else if (id !== 8 && size > 0) s.count = c.u32();
    out.push(s);
    r.pos = start + size;
  }
  return out;
}

/** A value type as the text format abbreviates it (funcref for (ref null func), ...). */
function typeName(t: ValType): string {
  const short: Record<number, string> = { [FUNCREF]: 'funcref', [EXTERNREF]: 'externref', [ANYREF]: 'anyref', [EXNREF]: 'exnref' };
  return short[t] ?? valTypeName(t);
}

function funcTypeText(t: FuncType): string {
  const p = t.params.length ? ` (param ${t.params.map(typeName).join(' ')})` : '';
  const r = t.results.length ? ` (result ${t.results.map(typeName).join(' ')})` : '';
  return `(func${p}${r})`;
}
function limitsText(min: number, max: number | null): string {
  return max === null ? `${min}` : `${min} ${max}`;
}
function memText(m: MemType): string {
  const ps = m.pageSizeLog2 !== 16 ? ` (pagesize ${2 ** m.pageSizeLog2})` : '';
  return `(memory${m.addr === 'i64' ? ' i64' : ''} ${limitsText(m.min, m.max)}${m.shared ? ' shared' : ''}${ps})`;
}
function tableText(t: TableType): string {
  return `(table${t.addr === 'i64' ? ' i64' : ''} ${limitsText(t.min, t.max)} ${typeName(t.elem)})`;
}
function globalText(g: GlobalType): string {
  return `(global ${g.mutable ? `(mut ${typeName(g.type)})` : typeName(g.type)})`;
}

export async function runInspect(file: string, opts: { json?: boolean; features?: FeatureSpec }): Promise<number> {
  let module: Module;
  let bin: Uint8Array;
  try {
    ({ module, bin } = await loadModule(file, opts.features));
  } catch (e) {
    if (e instanceof UsageError) return usage(e, 'inspect');
    const o = classify(e);
    process.stderr.write(`${describeError(e, file)}\n`);
    return o.code;
  }
  const data = module.data;
  const text = (e: ImportInfo | ExportInfo): string => {
    switch (e.kind) {
      case 'func':
        return funcTypeText(e.type);
      case 'table':
        return tableText(e.type);
      case 'memory':
        return memText(e.type);
      case 'global':
        return globalText(e.type);
      case 'tag':
        return `(tag ${funcTypeText(e.type).replace(/^\(func ?/, '').replace(/\)$/, '')})`;
    }
  };
  const imports = module.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind as string, type: text(i) }));
  const exports = module.exports.map((e, k) => ({ name: e.name, kind: e.kind as string, index: data.exports[k]!.index, type: text(e) }));
  const secs = sections(bin);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ file, size: bin.length, sections: secs, imports, exports }, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [`${file}: ${bin.length} bytes`, '', pc.bold('sections')];
  for (const s of secs) {
    const name = s.id === 0 ? `custom "${s.customName}"` : s.name;
    const count = s.count !== undefined ? `  ${s.count} ${s.count === 1 ? 'entry' : 'entries'}` : '';
    lines.push(`  ${pad(name, 22)} ${padL(String(s.size), 9)} bytes  @0x${s.offset.toString(16)}${count}`);
  }
  lines.push('', pc.bold(`imports (${imports.length})`));
  for (const i of imports) lines.push(`  ${i.module}.${i.name}: ${i.type}`);
  lines.push('', pc.bold(`exports (${exports.length})`));
  for (const e of exports) lines.push(`  ${e.name}: ${e.type}${e.kind === 'func' ? `  [func ${e.index}]` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
