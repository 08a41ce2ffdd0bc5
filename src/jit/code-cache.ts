/**
 * The JS tier's persistent cache (issue 16): the source of each generated function and the recipe of its environment
 * (rebind.ts), stored by a key that names everything the source depends on, so that a later process makes the
 * function from the cache instead of running LoopScan and JsGen again (V8 still compiles the source; the module is
 * still decoded and validated); and each function's fast translation (Machine.compile) under the same key with `t`
 * (encodeTranslation), so that the translator does not run either. The store is the embedder's (`StoreOptions.codeCache`: two synchronous
 * methods, so a Map the page preloads serves in a browser; `fileCodeCache` in src/host/code-cache-file.ts is the
 * file-backed one for Node, and `wasmeter run` uses it).
 *
 * The key (cacheKey) is a SHA-256 over: this format and the build of wasmeter (BUILD_ID: a new build never reads an
 * old entry), the module's bytes (their own SHA-256, made once per module, and only when a cache is configured), the
 * machine's facts (rebind.ts machineFacts: the call-depth limit, the GC array limit, the cost table; and whether fuel
 * is counted), the instance's (rebind.ts instanceKey), the canonical type ids of the module's types (process-wide
 * registries number them in the order modules come), and every setting the generator reads (outlining, cold.ts'
 * profile and static cold rule); then the function index, and `w` with the state the version is made from
 * (codegen.ts versionKind: to be split, the body split, the profile's phase), so a split version (outline.ts) and a
 * profiling one (cold.ts, phase 0) are cached too; never one generated with its own bounds checks after a trap
 * (BodyShare.trapped) or made from a profile's hits: those are generated as before, in every process.
 *
 * An entry is checked before anything of it runs: its header (this format, its parts' lengths and a checksum of the
 * rest, a SHA-256 where the cache hashes natively: corruption, not authenticity), its key (the one asked for), its
 * structure (rebind.ts recipeIn), and the translation it was generated from (length, frame size and hash of the
 * code, as rebind checks). Anything that does
 * not match is a miss, and the function is generated as without a cache: the cache never changes what a run does.
 * The cache is trusted as wasmtime's is: an entry is JavaScript the process runs, so whoever can write the cache can
 * run code in the process.
 */
import type { Machine } from '../interp/machine.js';
import type { Translation } from '../interp/compiled.js';
import { SIMD_EXEC, loadSimd, simdLoaded } from '../interp/simd-exec.js';
import { WasmFunc } from '../runtime/objects/func.js';
import { GcArray, GcStruct, GcType, copyElems, gcTypeById } from '../runtime/objects/gc.js';
import type { Instance } from '../runtime/objects/instance.js';
import type { CodeCache } from '../core/code-cache.js';
import { hex, sha256 } from '../core/sha256.js';
import type { ValidatedModule } from '../validate/module.js';
import { coldElision, profile } from './cold.js';
import { outlining } from './outline.js';
import { instanceKey, machineFacts, machineKey } from './rebind.js';

export type { CodeCache } from '../core/code-cache.js';

/**
 * Over the process: entries found and used (`hits`), looked up and not found or not usable (`misses`: absent,
 * corrupt, stale, another translation), given to the cache (`stores`), and generated functions that cannot be
 * cached (`uncachable`: a split, trapped or profiled version, or an environment value with no name across processes).
 */
export const codeCacheStats = { hits: 0, misses: 0, stores: 0, uncachable: 0 };

/**
 * The translations (Machine.compile's, src/interp) in the same cache (`KEY-fNt`): found and used (`hits`), not found
 * or not usable (`misses`), given to the cache (`stores`).
 */
export const translationCacheStats = { hits: 0, misses: 0, stores: 0 };

/** The entry format: changed whenever what an entry holds or means changes. */
export const CACHE_FORMAT = 'wasmeter-jit 4';

declare const __WASMETER_BUILD__: string | undefined;
/**
 * The build of wasmeter: the SHA-256 of src/ that tsup.config.ts defines in the bundles; without it (from source, as
 * the tests run), a hash of the generator's own text (codegen.ts sourceBuildId). Tests change it to see old entries
 * missed.
 */
export const codeCacheBuild = {
  id: typeof __WASMETER_BUILD__ === 'string' ? __WASMETER_BUILD__ : '',
  /** the build id from source (codegen.ts sourceBuildId, set when the generator loads), made at the first use of `id` */
  source: null as (() => string) | null,
};

/** The build's id (codeCacheBuild), or null: none known (from source, without the generator loaded). */
export function buildId(): string | null {
  if (codeCacheBuild.id === '' && codeCacheBuild.source !== null) codeCacheBuild.id = codeCacheBuild.source();
  return codeCacheBuild.id === '' ? null : codeCacheBuild.id;
}

const moduleBytes = new WeakMap<ValidatedModule, () => Uint8Array>();
const moduleHashes = new WeakMap<ValidatedModule, string>();

/** How the bytes of a module are found (Store.instantiate, when a cache is configured): hashed at its first lookup. */
export function cacheModule(vm: ValidatedModule, bytes: () => Uint8Array): void {
  if (!moduleBytes.has(vm)) moduleBytes.set(vm, bytes);
}

/**
 * Modules compiled with a cache (ModuleOptions.codeCache, runtime/module.ts fromBinary): bodies not validated because
 * the cache held the module's "validated" record (`skipped`), records given to the cache (`recorded`).
 */
export const validationCacheStats = { skipped: 0, recorded: 0 };

/**
 * Module `bytes`' "validated" record in `cache`, under validation options `opts` (their JSON): its key, the value a
 * record holds, and the module's SHA-256 (hashed here once: cacheKey takes it, `knownHash`); null when the build is
 * not known. The key names this format, the build (a new build validates every module again), the options and the
 * module's bytes.
 */
export function validatedRecord(cache: CodeCache, bytes: Uint8Array, opts: string): { key: string; value: string; sha: string } | null {
  const build = buildId();
  if (build === null) return null;
  const sha = sha256Hex(cache, bytes);
  const key = `${sha256Hex(cache, utf8.encode([CACHE_FORMAT, 'validated', build, sha, opts].join('\n')))}-v`;
  return { key, value: `${CACHE_FORMAT} validated ${sha} ${bytes.length}`, sha };
}

/** Module `vm`'s bytes hash to `sha` (validatedRecord made it): cacheKey does not hash them again. */
export function knownHash(vm: ValidatedModule, sha: string): void {
  moduleHashes.set(vm, sha);
}

function sha256Hex(cache: CodeCache, bytes: Uint8Array): string {
  if (cache.hash !== undefined) {
    const h = cache.hash(bytes);
    if (typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) return h;
    throw new TypeError('codeCache.hash must return a SHA-256 in lowercase hex');
  }
  return hex(sha256(bytes));
}

/** (JSON.stringify's replacer: Infinity as itself, not null) */
const finite = (_: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

const contexts = new WeakMap<Instance, Map<string, string>>();
const utf8 = new TextEncoder();

/**
 * The key of function `index`'s whole version for `inst` in `mc`, or null when the module's bytes are not known
 * (a module not instantiated through a Store with the cache).
 */
export function cacheKey(cache: CodeCache, mc: Machine, inst: Instance, index: number, kind = 'w'): string | null {
  const mk = machineKey(mc);
  let byMachine = contexts.get(inst);
  let ctx = byMachine?.get(mk);
  if (ctx === undefined) {
    const vm = inst.vm;
    let mh = moduleHashes.get(vm);
    if (mh === undefined) {
      const bytes = moduleBytes.get(vm);
      if (bytes === undefined) return null;
      moduleHashes.set(vm, (mh = sha256Hex(cache, bytes())));
    }
    const text = [
      CACHE_FORMAT,
      codeCacheBuild.id,
      mh,
      mc.counting ? 'counting' : 'not counting',
      machineFacts(mc),
      instanceKey(inst),
      Array.prototype.join.call(vm.canon, ','),
      JSON.stringify(outlining, finite),
      JSON.stringify(profile, finite),
      coldElision.static ? 'cold' : '',
    ].join('\n');
    ctx = sha256Hex(cache, utf8.encode(text));
    if (byMachine === undefined) contexts.set(inst, (byMachine = new Map()));
    byMachine.set(mk, ctx);
  }
  return `${ctx}-f${index}${kind}`;
}

/** What an entry holds (besides its key). */
export interface CacheEntry {
  /** the source (codegen.ts factory) */
  src: string;
  /** the recipe (rebind.ts recipeOut) */
  recipe: unknown[];
  codeLen: number;
  codeHash: number;
  frameWords: number;
  /** the re-entry points: pc and fuel, pairs */
  osr: number[];
  withHandlers: boolean;
  /** the warm-up's length in characters (codegen.ts warmUp), 0: none */
  warm: number;
  /** the callees generated ahead (codegen.ts loopCallees) */
  calls: number[];
  /** a split version (outline.ts): the body is marked split, as generating it does */
  split: boolean;
  /**
   * a profiling version (cold.ts profile, phase 0): the characters it wrote from each block start (Profile.chars, by
   * pc), which generating it records in the body's new profile; null: not one
   */
  chars: number[] | null;
}

/** Two 32-bit lanes over the text's UTF-16 units (FNV-1a and a multiply-rotate), as 16 hex digits. */
export function textSum(s: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 0x2545f491 | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul((b ^ c) + i, 0x9e3779b1);
    b = (b << 13) | (b >>> 19);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * An entry's checksum: `s` and the SHA-256 of its UTF-8 when the cache hashes natively (CodeCache.hash: Node's, a
 * few milliseconds for quickjs' 4 MB of source, where textSum took 57 ms of a warm first run), else `t` and textSum.
 * A reader checks the kind the entry names (`s` without a native hash: the pure-JS SHA-256).
 */
function entrySum(text: string, kind: 's' | 't', cache: CodeCache | undefined): string {
  if (kind === 't') return `t${textSum(text)}`;
  const bytes = utf8.encode(text);
  return `s${cache?.hash !== undefined ? sha256Hex(cache, bytes) : hex(sha256(bytes))}`;
}

/**
 * An entry as the cache holds it: a header line (format, checksum of the rest, the lengths of its two parts), then
 * the JSON of everything but the source (`meta`, with the key), then the source as it is (no JSON escaping to write
 * or parse: it is most of the entry).
 */
export function sealEntry(meta: string, src: string, cache?: CodeCache): string {
  const body = meta + src;
  return `${CACHE_FORMAT} ${entrySum(body, cache?.hash !== undefined ? 's' : 't', cache)} ${meta.length} ${src.length}\n${body}`;
}

export function encodeEntry(key: string, e: CacheEntry, cache?: CodeCache): string {
  const { src, ...meta } = e;
  return sealEntry(JSON.stringify({ key, ...meta }), src, cache);
}

const isInt = (x: unknown): x is number => typeof x === 'number' && (x | 0) === x;
const isInts = (x: unknown): x is number[] => Array.isArray(x) && x.every(isInt);

/** What sealEntry sealed in `s` (its checksum checked), as the JSON of its meta part with `key`, or null: not so. */
function unsealEntry(s: unknown, key: string, cache?: CodeCache): { j: Record<string, unknown>; src: string; sum: string } | null {
  if (typeof s !== 'string') return null;
  const nl = s.indexOf('\n');
  if (nl < 0 || nl > 200) return null;
  const head = s.slice(0, nl).split(' ');
  if (head.length !== 5 || `${head[0]} ${head[1]}` !== CACHE_FORMAT) return null;
  const sum = head[2]!;
  const metaLen = Number(head[3]);
  const srcLen = Number(head[4]);
  const body = s.slice(nl + 1);
  if (!isInt(metaLen) || !isInt(srcLen) || metaLen < 0 || srcLen < 0 || metaLen + srcLen !== body.length) return null;
  // (not again where the cache checks its own integrity: CodeCache.intact)
  if ((sum[0] !== 's' && sum[0] !== 't') || (cache?.intact !== true && entrySum(body, sum[0], cache) !== sum)) return null;
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body.slice(0, metaLen)) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (j === null || typeof j !== 'object' || j['key'] !== key) return null;
  return { j, src: body.slice(metaLen), sum };
}

/**
 * The entry `s` holds for `key` (and its checksum, `sum`), or null when it is not one (another format, damaged,
 * another key, malformed).
 */
export function decodeEntry(s: unknown, key: string, cache?: CodeCache): (CacheEntry & { sum: string }) | null {
  const u = unsealEntry(s, key, cache);
  if (u === null) return null;
  const { j, src, sum } = u;
  const { recipe, codeLen, codeHash, frameWords, osr, withHandlers, warm, calls, split, chars } = j;
  if (!Array.isArray(recipe) || !isInt(codeLen) || !isInt(codeHash) || !isInt(frameWords)) return null;
  if (!isInts(osr) || osr.length % 2 !== 0 || typeof withHandlers !== 'boolean' || !isInt(warm) || warm < 0 || !isInts(calls)) return null;
  if (typeof split !== 'boolean' || (chars !== null && (!isInts(chars) || chars.length !== codeLen))) return null;
  return { src, recipe, codeLen, codeHash, frameWords, osr, withHandlers, warm, calls, split, chars, sum };
}

let named: Map<unknown, string> | null = null;
let byName: Map<string, unknown> | null = null;
/** Whether `named` holds the SIMD executors (loaded at a process's first vector instruction, maybe after it was made). */
let namedSimd = false;

/** The runtime's values an environment holds by name: classes, helpers and the SIMD executors (by instruction id). */
function names(): Map<unknown, string> {
  if (named === null || (!namedSimd && simdLoaded())) {
    namedSimd = simdLoaded();
    named = new Map<unknown, string>([
      [WasmFunc, 'WasmFunc'],
      [GcArray, 'GcArray'],
      [GcStruct, 'GcStruct'],
      [copyElems, 'copyElems'],
    ]);
    for (let i = 0; i < SIMD_EXEC.length; i++) if (SIMD_EXEC[i]) named.set(SIMD_EXEC[i], `x${i}`);
    byName = new Map([...named].map(([v, n]) => [n, v]));
  }
  return named;
}

/**
 * What a body shares across its versions that an environment may hold (codegen.ts BodyShare): the loop-head count
 * (outline.ts), and a profiling version's profile (cold.ts: its hits array and its count).
 */
export interface BodyConsts {
  hot: unknown;
  prof: { hits: unknown; left: unknown } | null;
}

/**
 * The name of an environment's shared value (rebind.ts K.Const) for `inst`, or null when it has none across
 * processes: the body's shared values (`sh`), the function's float constants, the runtime's values, type descriptors.
 */
export function constName(v: unknown, inst: Instance, sh: BodyConsts): string | null {
  if (v === sh.hot) return 'H';
  if (sh.prof !== null && v === sh.prof.hits) return 'P';
  if (sh.prof !== null && v === sh.prof.left) return 'L';
  if (v instanceof Float64Array) return `F${Array.from(new Int32Array(v.buffer, v.byteOffset, v.length * 2)).join(',')}`;
  const reg = inst.vm.registry;
  if (v === reg) return 'R';
  if (v instanceof GcType) return gcTypeById(reg, v.id) === v ? `T${v.id}` : null;
  if (typeof v !== 'function') return null;
  const n = names().get(v);
  if (n !== undefined) return n;
  // a struct type's class (gen-refs.ts gcConst): of one of the module's types
  for (const id of inst.vm.canon) {
    let t: GcType;
    try {
      t = gcTypeById(reg, id);
    } catch {
      continue;
    }
    if (t.make === v) return `M${id}`;
  }
  return null;
}

/** The value constName named `n`; throws for a name that is none (a profile's, `P` or `L`, without a profile). */
export function constValue(n: string, inst: Instance, sh: BodyConsts): unknown {
  names();
  const c = n.charAt(0);
  const id = (): number => {
    const s = n.slice(1);
    if (!/^\d+$/.test(s)) throw new TypeError('not a type id');
    // (a type of the module: its canonical ids are in the key)
    const x = Number(s);
    if (!inst.vm.canon.includes(x)) throw new TypeError('not a type of the module');
    return x;
  };
  if (n === 'H') return sh.hot;
  if (n === 'P' || n === 'L') {
    if (sh.prof === null) throw new TypeError('no profile');
    return n === 'P' ? sh.prof.hits : sh.prof.left;
  }
  if (n === 'R') return inst.vm.registry;
  if (c === 'F') {
    const w = n.slice(1).split(',').map(Number);
    if (w.length % 2 !== 0 || !w.every((x) => (x | 0) === x)) throw new TypeError('not float constants');
    return new Float64Array(Int32Array.from(w).buffer);
  }
  if (c === 'T') return gcTypeById(inst.vm.registry, id());
  if (c === 'M') {
    const t = gcTypeById(inst.vm.registry, id());
    if (!t.isStruct) throw new TypeError('not a struct type');
    return t.make;
  }
  const v = byName!.get(n);
  if (v === undefined) throw new TypeError(`no runtime value ${n}`);
  return v;
}

/** encodeWords' digits: a continuing one (`0`..`O`, 5 bits each, least significant first), a last one (`P`..`o`). */
const MORE = 0x30;
const LAST = 0x50;

/**
 * Int32 words as text a cache holds as it is (ASCII: one byte each in UTF-8) and that decodes without a parser: each
 * word zigzagged (small negatives small) and written 5 bits a character, least significant first, its last
 * character from another range. A code word is mostly 1-2 characters, against JSON's digits and comma.
 */
export function encodeWords(...arrays: ArrayLike<number>[]): string {
  const out: string[] = [];
  const chunk: number[] = [];
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      let z = x >= 0 ? 2 * x : -2 * x - 1;
      while (z >= 32) {
        chunk.push(MORE + (z % 32));
        z = Math.floor(z / 32);
      }
      chunk.push(LAST + z);
      if (chunk.length >= 8192) out.push(String.fromCharCode(...chunk.splice(0)));
    }
  }
  out.push(String.fromCharCode(...chunk));
  return out.join('');
}

/** The `n` words encodeWords wrote in `s` from `at` on, and where they end; null when `s` does not hold `n` such words. */
export function decodeWords(s: string, at: number, n: number): { words: Int32Array; end: number } | null {
  const words = new Int32Array(n);
  let i = at;
  for (let k = 0; k < n; k++) {
    let z = 0;
    let mul = 1;
    for (;;) {
      const c = s.charCodeAt(i++);
      if (c >= MORE && c < LAST && mul < 2 ** 30) {
        z += (c - MORE) * mul;
        mul *= 32;
      } else if (c >= LAST && c < LAST + 32) {
        z += (c - LAST) * mul;
        break;
      } else return null; // (another character, the text's end (NaN), or a word past 35 bits)
    }
    if (z > 0xffffffff) return null;
    words[k] = z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }
  return { words, end: i };
}

/**
 * A function's fast translation (Machine.compile) as a cache entry under `key`: its code and original offsets as the
 * source part (encodeWords: the code's words, then one original offset per code word), its layout, block starts and
 * handlers as the meta part. Made right after the translation, before the JS tier marks re-entry points in its code.
 */
export function encodeTranslation(key: string, t: Translation, cache?: CodeCache): string {
  const meta = JSON.stringify({
    key,
    words: t.code.length,
    offsets: t.origAt.length,
    frameWords: t.frameWords,
    exnSlots: t.exnSlots,
    tmpl: Array.from(t.tmpl),
    refLocals: Array.from(t.refLocals),
    blockPc: [...t.blockPc].flat(),
    handlers: t.handlers === null ? null : Array.from(t.handlers),
    // (the vector executors, filled by the translator at a function's first vector instruction, were by then: a
    // translation taken from the cache fills them as its translation would have)
    simd: simdLoaded(),
  });
  return sealEntry(meta, encodeWords(t.code, t.origAt), cache);
}

/**
 * The translation of `f` that `s` holds for `key`, or null when it is not one for `f` (damaged, another key, or not
 * of `f`'s shape: the frame below its locals, templates, reference locals among its locals, block starts and
 * inside its code, an original offset per code word).
 */
export function decodeTranslation(s: unknown, key: string, f: WasmFunc, cache?: CodeCache): Translation | null {
  const u = unsealEntry(s, key, cache);
  if (u === null) return null;
  const { frameWords, exnSlots, tmpl, refLocals, blockPc, handlers, simd, words, offsets } = u.j;
  if (!isInt(words) || !isInt(offsets) || words < 0 || offsets < 0) return null;
  const c = decodeWords(u.src, 0, words);
  const o = c !== null ? decodeWords(u.src, c.end, offsets) : null;
  if (o === null || o.end !== u.src.length) return null;
  const code = c!.words;
  const origAt = o.words;
  if (!isInt(frameWords) || !isInt(exnSlots) || exnSlots < 0 || !isInts(tmpl) || !isInts(refLocals) || !isInts(blockPc) || blockPc.length % 2 !== 0) return null;
  if ((handlers !== null && !isInts(handlers)) || typeof simd !== 'boolean') return null;
  let locals = f.type.params.length;
  for (const g of f.body.locals) locals += g.count;
  const paramWords = f.type.params.length * 4;
  if (code.length === 0 || origAt.length !== code.length || tmpl.length < locals * 4 - paramWords || frameWords < paramWords + tmpl.length) return null;
  if (!refLocals.every((i) => i >= f.type.params.length && i < locals)) return null;
  // (a loop: every's callback per word was 8 ms of tiktoken's warm run, profiled)
  for (let i = 0; i < origAt.length; i++) if (origAt[i]! < -1) return null;
  const pcs = new Map<number, number>();
  for (let i = 0; i < blockPc.length; i += 2) {
    if (blockPc[i]! < 0 || blockPc[i + 1]! < 0 || blockPc[i + 1]! >= code.length) return null;
    pcs.set(blockPc[i]!, blockPc[i + 1]!);
  }
  if (simd) loadSimd();
  return {
    code,
    frameWords,
    tmpl: Int32Array.from(tmpl),
    refLocals: Int32Array.from(refLocals),
    blockPc: pcs,
    origAt,
    handlers: handlers === null ? null : Int32Array.from(handlers as number[]),
    exnSlots,
  };
}
