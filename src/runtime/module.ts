/** The embedding API's Module: a decoded and validated module, with its imports' and exports' types. */
import { LinkError, WasmeterError } from '../core/errors.js';
import type { Module as ModuleData } from '../core/module.js';
import { CompKind, type FuncType, type GlobalType, type MemType, type TableType } from '../core/types.js';
import { decodeModule, type DecodeOptions } from '../decoder/decode.js';
import type { encodeModule } from '../encoder/encode.js';
import type { watToBinary } from '../text/wat.js';
import { validateModule, type ValidateOptions, type ValidatedModule } from '../validate/module.js';
import { type FuncInst } from './objects/func.js';
import { knownHash, validatedRecord, validationCacheStats, type CodeCache } from '../jit/code-cache.js';


/** Options of Module.fromBinary / Module.fromWat: the validator's, plus the decoder's custom page size switch. */
export interface ModuleOptions extends ValidateOptions {
  /**
   * Accept the custom-page-sizes limits flag while decoding (default: true
   * unless `features['custom-page-sizes']` is false); false makes the flag
   * malformed, as in the core spec.
   */
  customPageSizes?: boolean;
  /**
   * The JS tier's persistent cache (StoreOptions.codeCache; fromBinary only): a module this build fully validated
   * under the same options, in this process or an earlier one, has a "validated" record in it (code-cache.ts
   * validatedRecord), and its function bodies are not validated again (nor scanned by the decoder); the rest of the
   * module is decoded and validated as always. Trusted as the cache is: whoever can write it can make an invalid
   * body pass. A module that fails gets no record, so its errors are always the validator's.
   */
  codeCache?: CodeCache;
}

/** The type of an import or export, by kind (a tag's type is the function type of its payload). */
export type ExternType = FuncType | TableType | MemType | GlobalType;
export type ExternInfo =
  | { kind: 'func'; type: FuncType }
  | { kind: 'table'; type: TableType }
  | { kind: 'memory'; type: MemType }
  | { kind: 'global'; type: GlobalType }
  | { kind: 'tag'; type: FuncType };
export type ImportInfo = { module: string; name: string } & ExternInfo;
export type ExportInfo = { name: string } & ExternInfo;

/** An exported function as a JS function: no result → undefined, one → the value, several → an array. */
export type ExportedFunction = ((...args: unknown[]) => unknown) & { readonly type: FuncType; readonly func: FuncInst };

/**
 * The text format and the encoder, which `Module.fromWat` and `module.bytes` (of a `fromData` module) need:
 * installed by src/runtime/text.ts, which the package entry imports (as snapshots are, runtime/snapshot.ts),
 * so that a program that only runs binary modules (`wasmeter run` on a .wasm file) loads neither.
 */
export interface TextCodec {
  watToBinary: typeof watToBinary;
  encodeModule: typeof encodeModule;
}
let textCodec: TextCodec | null = null;

export function installText(c: TextCodec): void {
  textCodec = c;
}

function text(): TextCodec {
  if (textCodec === null) throw new WasmeterError("the text format and the encoder need the package entry: import from 'wasmeter' (or src/index.ts)");
  return textCodec;
}

/** A decoded and validated module, ready to instantiate any number of times. */
export class Module {
  private constructor(
    readonly data: ModuleData,
    readonly validated: ValidatedModule,
    private binary: Uint8Array | null = null,
    /** The options it was validated with (a snapshot restores it with the same). */
    readonly options: ModuleOptions = {},
  ) {}

  /** The module's binary: the bytes it was made from (fromData: the encoded module). Snapshots hash it. */
  get bytes(): Uint8Array {
    return (this.binary ??= text().encodeModule(this.data));
  }

  /** Decodes and validates a binary module (throws DecodeError / ValidationError). */
  static fromBinary(bytes: Uint8Array, opts?: ModuleOptions): Module {
    const cache = opts?.codeCache;
    if (cache === undefined) return Module.decode(bytes, opts);
    const { codeCache: _cache, ...options } = opts!;
    // (a record's key names the options that decide validity: the registry only numbers the types)
    const { registry: _registry, ...named } = options;
    let record: ReturnType<typeof validatedRecord> = null;
    try {
      record = options.bodies !== false ? validatedRecord(cache, bytes, JSON.stringify(named)) : null;
    } catch {
      // (a cache that cannot hash: validated as without one)
    }
    let found: unknown;
    try {
      found = record !== null ? cache.get(record.key) : undefined;
    } catch {
      // (an unreadable record is none)
    }
    if (record !== null && found === record.value) {
      try {
        const data = decodeModule(bytes, { features: options.features, customPageSizes: options.customPageSizes, scanBodies: false });
        const m = new Module(data, validateModule(data, { ...options, bodies: false }), bytes, options);
        knownHash(m.validated, record.sha);
        validationCacheStats.skipped++;
        return m;
      } catch {
        // (the rest of the module did not pass: validated whole below, which reports it)
      }
    }
    const m = Module.decode(bytes, options);
    if (record !== null) {
      knownHash(m.validated, record.sha);
      try {
        cache.set(record.key, record.value);
        validationCacheStats.recorded++;
      } catch {
        // (a record not made: validated again next time)
      }
    }
    return m;
  }

  /** fromBinary without a cache: decoded and validated whole. */
  private static decode(bytes: Uint8Array, options?: ModuleOptions): Module {
    const dopts: DecodeOptions = options === undefined ? {} : { features: options.features, customPageSizes: options.customPageSizes };
    if (options?.bodies !== false) {
      // Fast path: the validator reads every instruction of every body with the decoder's instruction reader, so
      // the decoder's own scan of the bodies (for malformed instructions, and for the instructions that need a
      // data count section) would only read them twice. Any error sends the module down the ordinary path below,
      // which reports exactly what it always did (a malformed body before an invalid one, DecodeError before
      // ValidationError).
      try {
        const data = decodeModule(bytes, { ...dopts, scanBodies: false });
        return new Module(data, validateModule(data, { ...options, requireDataCount: true }), bytes, options);
      } catch {
        // the ordinary path decides
      }
    }
    const data = decodeModule(bytes, dopts);
    return new Module(data, validateModule(data, options), bytes, options);
  }
  /**
   * Parses a module in the text format, encodes it and decodes + validates the
   * binary, like fromBinary (throws TextError / DecodeError / ValidationError).
   */
  static fromWat(source: string | Uint8Array, options?: ModuleOptions): Module {
    return Module.fromBinary(text().watToBinary(source, '<wat>', options?.features ?? null), options);
  }
  /** Validates an already decoded module. */
  static fromData(data: ModuleData, options?: ValidateOptions): Module {
    return new Module(data, validateModule(data, options), null, options);
  }

  /** What the module imports, with full types (a tag's type is its function type). */
  get imports(): ImportInfo[] {
    return this.data.imports.map((i) => {
      const d = i.desc;
      const type = d.kind === 'func' || d.kind === 'tag' ? funcTypeOf(this.data, d.typeIndex) : d.type;
      return { module: i.module, name: i.name, kind: d.kind, type } as ImportInfo;
    });
  }
  /** What the module exports, with full types. */
  get exports(): ExportInfo[] {
    const vm = this.validated;
    return this.data.exports.map((e) => {
      let type: ExternType;
      switch (e.kind) {
        case 'func':
          type = funcTypeOf(this.data, vm.funcTypes[e.index]!);
          break;
        case 'table':
          type = vm.tables[e.index]!.type;
          break;
        case 'memory':
          type = vm.memories[e.index]!;
          break;
        case 'global':
          type = vm.globals[e.index]!;
          break;
        default:
          type = funcTypeOf(this.data, vm.tagTypes[e.index]!);
      }
      return { name: e.name, kind: e.kind, type } as ExportInfo;
    });
  }
}

export function funcTypeOf(data: ModuleData, typeIndex: number): FuncType {
  const c = data.types[typeIndex]!.comp;
  if (c.kind !== CompKind.Func) throw new LinkError(`type ${typeIndex} is not a function type`);
  return c;
}

