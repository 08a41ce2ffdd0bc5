/**
 * The one instruction table. Every stage reads it: the text parser (names,
 * immediate syntax), the encoder and the decoder (opcode bytes, immediate
 * layout), the validator (stack signatures of the simple instructions,
 * natural alignment), and the fuel cost table (families, default costs).
 *
 * Rows are written as a compact text table (parsed once at load):
 *
 *   name  opcode  immediate[/bytes]  [signature]
 *
 * - opcode: `6a` for a one-byte opcode, `fc:0` for prefix 0xFC with the
 *   sub-opcode as a (decimal) u32.
 * - immediate: one of the Imm kinds below; memory accesses carry their
 *   access size in bytes (`memarg/4`), which is also the natural alignment.
 * - signature: `ii:i` = [i32 i32] -> [i32], letters i I f F v for
 *   i32 i64 f32 f64 v128. Absent where the validator types the instruction
 *   itself (control, variables, references, aggregates, ...).
 * - `## family feature` lines start a group: the family names the fuel cost
 *   group, the feature names the proposal (for proposal switches).
 */
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, V128, type ValType } from './types.js';

export type Imm =
  | 'none'
  | 'blocktype' // block, loop, if, try
  | 'label' // br, br_if, br_on_null, br_on_non_null, rethrow, delegate
  | 'br_table' // vec(label) label
  | 'func' // call, return_call, ref.func
  | 'call_indirect' // typeidx tableidx (text: [table] typeuse)
  | 'type' // typeidx
  | 'local'
  | 'global'
  | 'table'
  | 'memory' // memidx (memory.size / grow / fill)
  | 'memarg' // align(+flag 0x40: memidx follows) [memidx] offset
  | 'memarg_lane' // memarg, lane u8
  | 'i32'
  | 'i64'
  | 'f32'
  | 'f64'
  | 'v128'
  | 'shuffle' // 16 lane bytes
  | 'lane' // u8
  | 'select_t' // vec(valtype)
  | 'heaptype' // ref.null
  | 'cast' // ref.test / ref.cast: heaptype (nullability in the opcode)
  | 'br_on_cast' // flags u8, label, heaptype, heaptype
  | 'type_field' // typeidx fieldidx
  | 'type_u32' // typeidx u32 (array.new_fixed)
  | 'type_data' // typeidx dataidx
  | 'type_elem' // typeidx elemidx
  | 'type_type' // typeidx typeidx (array.copy)
  | 'data_mem' // dataidx memidx (memory.init; text: [mem] data)
  | 'data' // data.drop
  | 'mem_mem' // memidx memidx (memory.copy)
  | 'elem_table' // elemidx tableidx (table.init; text: [table] elem)
  | 'elem' // elem.drop
  | 'table_table' // tableidx tableidx (table.copy)
  | 'tag' // throw, catch
  | 'try_table' // blocktype vec(catch)
  | 'zero'; // a single 0x00 byte (atomic.fence)

export type Family =
  | 'control'
  | 'parametric'
  | 'variable'
  | 'table'
  | 'memory'
  | 'const'
  | 'numeric'
  | 'conversion'
  | 'reference'
  | 'aggregate'
  | 'exception'
  | 'vector'
  | 'atomic'
  | 'bulk';

export type Feature =
  | 'mvp'
  | 'sign-ext'
  | 'sat-conv'
  | 'multi-value'
  | 'bulk-memory'
  | 'reference-types'
  | 'simd'
  | 'relaxed-simd'
  | 'tail-call'
  | 'function-references'
  | 'gc'
  | 'exceptions'
  | 'legacy-exceptions'
  | 'threads'
  | 'memory64'
  | 'multi-memory'
  | 'extended-const'
  | 'wide-arithmetic'
  | 'custom-descriptors';

/**
 * Proposal names a module can be checked against: the instruction features
 * plus module-level ones (custom page sizes has no instructions).
 */
export type FeatureName = Feature | 'custom-page-sizes';

/** Every feature name, in a stable order (all are enabled by default). */
export const FEATURES: readonly FeatureName[] = [
  'mvp', 'sign-ext', 'sat-conv', 'multi-value', 'bulk-memory', 'reference-types', 'simd', 'relaxed-simd',
  'tail-call', 'function-references', 'gc', 'exceptions', 'legacy-exceptions', 'threads', 'memory64',
  'multi-memory', 'extended-const', 'wide-arithmetic', 'custom-page-sizes', 'custom-descriptors',
];

/** Per-feature switches: a feature is on unless set to false. */
export type Features = Partial<Record<FeatureName, boolean>>;

/** A WebAssembly standard a module can be held to exactly (binary format, validation, text format). */
export type Profile = '1.0' | '2.0' | '3.0';

/** The proposals each standard contains (Wasm 1.0 is the MVP; 2.0 and 3.0 list the proposals they merged). */
export const PROFILES: Readonly<Record<Profile, readonly FeatureName[]>> = {
  '1.0': ['mvp'],
  '2.0': ['mvp', 'sign-ext', 'sat-conv', 'multi-value', 'bulk-memory', 'reference-types', 'simd'],
  '3.0': [
    'mvp', 'sign-ext', 'sat-conv', 'multi-value', 'bulk-memory', 'reference-types', 'simd', 'relaxed-simd', 'tail-call',
    'function-references', 'gc', 'exceptions', 'memory64', 'multi-memory', 'extended-const',
  ],
};

/**
 * What `features` options take: a profile ('2.0': exactly that standard), per-proposal switches (everything on
 * unless set to false; the binary and text formats stay Wasm 3.0's), or both (`{ profile: '2.0', simd: false }`:
 * the profile with some of its proposals turned off; `{ profile: '1.0', threads: true }`: the profile with a
 * proposal of ADDABLE added to it, its formats and rules on top of the profile's).
 */
export type FeatureSpec = Profile | (Features & { profile?: Profile });

const PROFILE_SETS: Record<Profile, ReadonlySet<FeatureName>> = {
  '1.0': new Set(PROFILES['1.0']),
  '2.0': new Set(PROFILES['2.0']),
  '3.0': new Set(PROFILES['3.0']),
};

/** Whether standard `p` contains feature `f`. */
export function profileHas(p: Profile, f: FeatureName): boolean {
  return PROFILE_SETS[p].has(f);
}

/**
 * The proposals a switch set to true may add to each profile. Threads is defined on top of Wasm 1.0 (its
 * scripts hold 1.0's rules: one memory, one table, 32-bit limits) and changes only memory limits (the shared
 * flag) and adds the 0xfe instructions, so it fits every standard's formats. Other proposals build on features
 * the older formats lack (typed references, the 3.0 limits encoding) and stay out.
 */
export const ADDABLE: Readonly<Record<Profile, readonly FeatureName[]>> = {
  '1.0': ['threads'],
  '2.0': ['threads'],
  '3.0': ['threads'],
};

/**
 * Whether the binary and text formats a features option reads contain feature `f`: with no profile every
 * feature's (switches off do not change the formats); with a profile its own proposals' and those of ADDABLE
 * that a switch set to true adds.
 */
export function formatHas(spec: FeatureSpec | null | undefined, f: FeatureName): boolean {
  const p = profileOf(spec ?? undefined);
  return p === null || profileHas(p, f) || addedOf(spec).includes(f);
}

/** The proposals of ADDABLE a features option adds to its profile (switched on), or none without a profile. */
export function addedOf(spec: FeatureSpec | null | undefined): readonly FeatureName[] {
  if (typeof spec !== 'object' || spec === null || spec.profile === undefined) return [];
  const p = spec.profile;
  return ADDABLE[p]?.filter((f) => spec[f] === true && !profileHas(p, f)) ?? [];
}

/** The profile a features option names, or null. */
export function profileOf(f: FeatureSpec | undefined): Profile | null {
  if (f === undefined) return null;
  if (typeof f === 'string') return f;
  return f.profile ?? null;
}

/**
 * The binary and text format version a features option holds a module to: 1 or 2 for the Wasm 1.0 / 2.0
 * profiles, else 3 (Wasm 3.0's formats, also with no profile).
 */
export function formatOf(f: FeatureSpec | undefined): 1 | 2 | 3 {
  const p = profileOf(f);
  return p === '1.0' ? 1 : p === '2.0' ? 2 : 3;
}

/**
 * Whether type `t` exists in the Wasm `version` (1 or 2) format: 1.0 has the number types (and funcref as a table's
 * element type, `value` false), 2.0 also v128, funcref and externref. Every type exists in 3.0.
 */
export function typeInFormat(t: ValType, version: number, value: boolean): boolean {
  if (version >= 3 || (t >= F64 && t <= I32)) return true;
  if (version === 2) return t === V128 || t === FUNCREF || t === EXTERNREF;
  return !value && t === FUNCREF;
}

export interface InstrDef {
  /** Position in INSTRS; stable for a given table, used by dispatch tables. */
  id: number;
  /** Text-format name. Not unique: `select` (0x1b/0x1c), `ref.test`, `ref.cast`, `ref.cast_desc_eq` have two encodings. */
  name: string;
  /** 0 for one-byte opcodes, else 0xfb / 0xfc / 0xfd / 0xfe. */
  prefix: number;
  /** The opcode byte, or the sub-opcode after the prefix. */
  code: number;
  imm: Imm;
  /** Bytes accessed by a memory instruction (natural alignment = log2 of it); 0 otherwise. */
  bytes: number;
  /** Fixed operand types, or null when the validator types the instruction itself. */
  params: ValType[] | null;
  results: ValType[] | null;
  family: Family;
  feature: Feature;
  /** Default fuel cost (1 for every instruction; the FuelCosts table overrides it). */
  cost: number;
}

const TABLE = `
## control mvp
unreachable 00 none
nop 01 none
block 02 blocktype
loop 03 blocktype
if 04 blocktype
else 05 none
end 0b none
br 0c label
br_if 0d label
br_table 0e br_table
return 0f none
call 10 func
call_indirect 11 call_indirect
## control tail-call
return_call 12 func
return_call_indirect 13 call_indirect
## control function-references
call_ref 14 type
return_call_ref 15 type
br_on_null d5 label
br_on_non_null d6 label
## exception legacy-exceptions
try 06 blocktype
catch 07 tag
rethrow 09 label
delegate 18 label
catch_all 19 none
## exception exceptions
throw 08 tag
throw_ref 0a none
try_table 1f try_table
## parametric mvp
drop 1a none
select 1b none
## parametric reference-types
select 1c select_t
## variable mvp
local.get 20 local
local.set 21 local
local.tee 22 local
global.get 23 global
global.set 24 global
## table reference-types
table.get 25 table
table.set 26 table
## memory mvp
i32.load 28 memarg/4 i:i
i64.load 29 memarg/8 i:I
f32.load 2a memarg/4 i:f
f64.load 2b memarg/8 i:F
i32.load8_s 2c memarg/1 i:i
i32.load8_u 2d memarg/1 i:i
i32.load16_s 2e memarg/2 i:i
i32.load16_u 2f memarg/2 i:i
i64.load8_s 30 memarg/1 i:I
i64.load8_u 31 memarg/1 i:I
i64.load16_s 32 memarg/2 i:I
i64.load16_u 33 memarg/2 i:I
i64.load32_s 34 memarg/4 i:I
i64.load32_u 35 memarg/4 i:I
i32.store 36 memarg/4 ii:
i64.store 37 memarg/8 iI:
f32.store 38 memarg/4 if:
f64.store 39 memarg/8 iF:
i32.store8 3a memarg/1 ii:
i32.store16 3b memarg/2 ii:
i64.store8 3c memarg/1 iI:
i64.store16 3d memarg/2 iI:
i64.store32 3e memarg/4 iI:
memory.size 3f memory
memory.grow 40 memory
## const mvp
i32.const 41 i32 :i
i64.const 42 i64 :I
f32.const 43 f32 :f
f64.const 44 f64 :F
## numeric mvp
i32.eqz 45 none i:i
i32.eq 46 none ii:i
i32.ne 47 none ii:i
i32.lt_s 48 none ii:i
i32.lt_u 49 none ii:i
i32.gt_s 4a none ii:i
i32.gt_u 4b none ii:i
i32.le_s 4c none ii:i
i32.le_u 4d none ii:i
i32.ge_s 4e none ii:i
i32.ge_u 4f none ii:i
i64.eqz 50 none I:i
i64.eq 51 none II:i
i64.ne 52 none II:i
i64.lt_s 53 none II:i
i64.lt_u 54 none II:i
i64.gt_s 55 none II:i
i64.gt_u 56 none II:i
i64.le_s 57 none II:i
i64.le_u 58 none II:i
i64.ge_s 59 none II:i
i64.ge_u 5a none II:i
f32.eq 5b none ff:i
f32.ne 5c none ff:i
f32.lt 5d none ff:i
f32.gt 5e none ff:i
f32.le 5f none ff:i
f32.ge 60 none ff:i
f64.eq 61 none FF:i
f64.ne 62 none FF:i
f64.lt 63 none FF:i
f64.gt 64 none FF:i
f64.le 65 none FF:i
f64.ge 66 none FF:i
i32.clz 67 none i:i
i32.ctz 68 none i:i
i32.popcnt 69 none i:i
i32.add 6a none ii:i
i32.sub 6b none ii:i
i32.mul 6c none ii:i
i32.div_s 6d none ii:i
i32.div_u 6e none ii:i
i32.rem_s 6f none ii:i
i32.rem_u 70 none ii:i
i32.and 71 none ii:i
i32.or 72 none ii:i
i32.xor 73 none ii:i
i32.shl 74 none ii:i
i32.shr_s 75 none ii:i
i32.shr_u 76 none ii:i
i32.rotl 77 none ii:i
i32.rotr 78 none ii:i
i64.clz 79 none I:I
i64.ctz 7a none I:I
i64.popcnt 7b none I:I
i64.add 7c none II:I
i64.sub 7d none II:I
i64.mul 7e none II:I
i64.div_s 7f none II:I
i64.div_u 80 none II:I
i64.rem_s 81 none II:I
i64.rem_u 82 none II:I
i64.and 83 none II:I
i64.or 84 none II:I
i64.xor 85 none II:I
i64.shl 86 none II:I
i64.shr_s 87 none II:I
i64.shr_u 88 none II:I
i64.rotl 89 none II:I
i64.rotr 8a none II:I
f32.abs 8b none f:f
f32.neg 8c none f:f
f32.ceil 8d none f:f
f32.floor 8e none f:f
f32.trunc 8f none f:f
f32.nearest 90 none f:f
f32.sqrt 91 none f:f
f32.add 92 none ff:f
f32.sub 93 none ff:f
f32.mul 94 none ff:f
f32.div 95 none ff:f
f32.min 96 none ff:f
f32.max 97 none ff:f
f32.copysign 98 none ff:f
f64.abs 99 none F:F
f64.neg 9a none F:F
f64.ceil 9b none F:F
f64.floor 9c none F:F
f64.trunc 9d none F:F
f64.nearest 9e none F:F
f64.sqrt 9f none F:F
f64.add a0 none FF:F
f64.sub a1 none FF:F
f64.mul a2 none FF:F
f64.div a3 none FF:F
f64.min a4 none FF:F
f64.max a5 none FF:F
f64.copysign a6 none FF:F
## conversion mvp
i32.wrap_i64 a7 none I:i
i32.trunc_f32_s a8 none f:i
i32.trunc_f32_u a9 none f:i
i32.trunc_f64_s aa none F:i
i32.trunc_f64_u ab none F:i
i64.extend_i32_s ac none i:I
i64.extend_i32_u ad none i:I
i64.trunc_f32_s ae none f:I
i64.trunc_f32_u af none f:I
i64.trunc_f64_s b0 none F:I
i64.trunc_f64_u b1 none F:I
f32.convert_i32_s b2 none i:f
f32.convert_i32_u b3 none i:f
f32.convert_i64_s b4 none I:f
f32.convert_i64_u b5 none I:f
f32.demote_f64 b6 none F:f
f64.convert_i32_s b7 none i:F
f64.convert_i32_u b8 none i:F
f64.convert_i64_s b9 none I:F
f64.convert_i64_u ba none I:F
f64.promote_f32 bb none f:F
i32.reinterpret_f32 bc none f:i
i64.reinterpret_f64 bd none F:I
f32.reinterpret_i32 be none i:f
f64.reinterpret_i64 bf none I:F
## numeric sign-ext
i32.extend8_s c0 none i:i
i32.extend16_s c1 none i:i
i64.extend8_s c2 none I:I
i64.extend16_s c3 none I:I
i64.extend32_s c4 none I:I
## reference reference-types
ref.null d0 heaptype
ref.is_null d1 none
ref.func d2 func
## reference gc
ref.eq d3 none
## reference function-references
ref.as_non_null d4 none
## conversion sat-conv
i32.trunc_sat_f32_s fc:0 none f:i
i32.trunc_sat_f32_u fc:1 none f:i
i32.trunc_sat_f64_s fc:2 none F:i
i32.trunc_sat_f64_u fc:3 none F:i
i64.trunc_sat_f32_s fc:4 none f:I
i64.trunc_sat_f32_u fc:5 none f:I
i64.trunc_sat_f64_s fc:6 none F:I
i64.trunc_sat_f64_u fc:7 none F:I
## bulk bulk-memory
memory.init fc:8 data_mem
data.drop fc:9 data
memory.copy fc:10 mem_mem
memory.fill fc:11 memory
table.init fc:12 elem_table
elem.drop fc:13 elem
table.copy fc:14 table_table
## table reference-types
table.grow fc:15 table
table.size fc:16 table
table.fill fc:17 table
## numeric wide-arithmetic
i64.add128 fc:19 none IIII:II
i64.sub128 fc:20 none IIII:II
i64.mul_wide_s fc:21 none II:II
i64.mul_wide_u fc:22 none II:II
## aggregate gc
struct.new fb:0 type
struct.new_default fb:1 type
struct.get fb:2 type_field
struct.get_s fb:3 type_field
struct.get_u fb:4 type_field
struct.set fb:5 type_field
array.new fb:6 type
array.new_default fb:7 type
array.new_fixed fb:8 type_u32
array.new_data fb:9 type_data
array.new_elem fb:10 type_elem
array.get fb:11 type
array.get_s fb:12 type
array.get_u fb:13 type
array.set fb:14 type
array.len fb:15 none
array.fill fb:16 type
array.copy fb:17 type_type
array.init_data fb:18 type_data
array.init_elem fb:19 type_elem
ref.test fb:20 cast
ref.test fb:21 cast
ref.cast fb:22 cast
ref.cast fb:23 cast
br_on_cast fb:24 br_on_cast
br_on_cast_fail fb:25 br_on_cast
any.convert_extern fb:26 none
extern.convert_any fb:27 none
ref.i31 fb:28 none
i31.get_s fb:29 none
i31.get_u fb:30 none
`;

const LETTER: Record<string, ValType> = { i: I32, I: I64, f: F32, F: F64, v: V128 };

function parseSig(s: string): [ValType[], ValType[]] {
  const params: ValType[] = [];
  const results: ValType[] = [];
  let out = params;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ':' && out === params) {
      out = results;
      continue;
    }
    const t = LETTER[c];
    if (t === undefined) throw new Error(`instruction table: bad type letter ${c}`);
    out.push(t);
  }
  return [params, results];
}

/** Extra rows appended by other modules of the table (SIMD, atomics) before freezing. */
export const EXTRA_TABLES: string[] = [];

// (indexing, not destructuring: this runs once per process, at start-up, in V8's interpreter, where destructuring
// an array steps an iterator; the CLI's start-up measures it, BENCHMARKS.md)
/** @internal The rows of `texts` parsed (exported for test/unit/instructions.test.ts). */
export function build(texts: string[]): InstrDef[] {
  const out: InstrDef[] = [];
  for (const text of texts) {
    let family: Family = 'control';
    let feature: Feature = 'mvp';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      // (a row's fields are separated by one space: a string separator is split natively, a regular expression is not;
      // an empty field, two spaces, is a bad row)
      const f = line.split(' ');
      if (f[0] === '##') {
        family = f[1] as Family;
        feature = f[2] as Feature;
        continue;
      }
      const name = f[0]!;
      const op = f[1];
      const immSpec = f[2];
      const sig = f[3];
      if (!name || !op || !immSpec || sig === '' || f.length > 4) throw new Error(`instruction table: bad row '${line}'`);
      const colon = op.indexOf(':');
      const prefix = colon < 0 ? 0 : parseInt(op.slice(0, colon), 16);
      const code = colon < 0 ? parseInt(op, 16) : parseInt(op.slice(colon + 1), 10);
      const slash = immSpec.indexOf('/');
      const sigs = sig === undefined ? null : parseSig(sig);
      out.push({
        id: out.length,
        name,
        prefix,
        code,
        imm: (slash < 0 ? immSpec : immSpec.slice(0, slash)) as Imm,
        bytes: slash < 0 ? 0 : Number(immSpec.slice(slash + 1)),
        params: sigs === null ? null : sigs[0],
        results: sigs === null ? null : sigs[1],
        family,
        feature,
        cost: 1,
      });
    }
  }
  return out;
}

import { SIMD_TABLE } from './instructions-simd.js';
import { ATOMIC_TABLE } from './instructions-atomic.js';

/**
 * The custom-descriptors proposal (phase 3): allocation with a descriptor, reading it, and casts that compare it.
 * Appended after the other tables so the ids of the rows before stay as they were.
 */
const DESCRIPTOR_TABLE = `
## aggregate custom-descriptors
struct.new_desc fb:32 type
struct.new_default_desc fb:33 type
ref.get_desc fb:34 type
ref.cast_desc_eq fb:35 cast
ref.cast_desc_eq fb:36 cast
br_on_cast_desc_eq fb:37 br_on_cast
br_on_cast_desc_eq_fail fb:38 br_on_cast
`;

/** Every instruction, in table order. */
export const INSTRS: readonly InstrDef[] = build([TABLE, SIMD_TABLE, ATOMIC_TABLE, DESCRIPTOR_TABLE, ...EXTRA_TABLES]);

/** One-byte opcodes, indexed by byte. */
export const SINGLE: (InstrDef | undefined)[] = new Array(256).fill(undefined);
/** Prefixed opcodes: PREFIXED[prefix][subopcode]. */
export const PREFIXED: Record<number, (InstrDef | undefined)[]> = { 0xfb: [], 0xfc: [], 0xfd: [], 0xfe: [] };
/** Text name -> encodings (most names have one). */
export const BY_NAME = new Map<string, InstrDef[]>();

for (const d of INSTRS) {
  if (d.prefix === 0) {
    if (SINGLE[d.code]) throw new Error(`instruction table: duplicate opcode ${d.code.toString(16)}`);
    SINGLE[d.code] = d;
  } else {
    const t = PREFIXED[d.prefix];
    if (!t) throw new Error(`instruction table: unknown prefix ${d.prefix}`);
    if (t[d.code]) throw new Error(`instruction table: duplicate opcode ${d.prefix.toString(16)}:${d.code}`);
    t[d.code] = d;
  }
  const list = BY_NAME.get(d.name);
  if (list) list.push(d);
  else BY_NAME.set(d.name, [d]);
}

/** The definition for an opcode, or undefined when the opcode is unknown. */
export function lookup(prefix: number, code: number): InstrDef | undefined {
  return prefix === 0 ? SINGLE[code] : PREFIXED[prefix]?.[code];
}

/** The (first) definition with this text name. Throws for an unknown name: use BY_NAME to probe. */
export function byName(name: string): InstrDef {
  const d = BY_NAME.get(name)?.[0];
  if (!d) throw new Error(`unknown instruction ${name}`);
  return d;
}

/** Opcode bytes of an instruction: [code] or [prefix, ...uleb(code)]. */
export function opcodeBytes(d: InstrDef): number[] {
  if (d.prefix === 0) return [d.code];
  const out = [d.prefix];
  let v = d.code;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}
