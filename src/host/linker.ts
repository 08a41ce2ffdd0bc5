/**
 * The linker: a namespace of externs by (module, name) that resolves a
 * module's imports, with typed LinkErrors naming module, field and types.
 */
import { LinkError } from '../core/errors.js';
import type { FuncType } from '../core/types.js';
import { externKind, type Extern } from '../runtime/objects/instance.js';
import type { HostFn } from '../runtime/objects/func.js';
import type { Instance } from '../runtime/instance.js';
import type { Module } from '../runtime/module.js';
import type { Store } from '../runtime/store.js';

export class Linker {
  private readonly defs = new Map<string, Extern>();

  private key(module: string, name: string): string {
    return `${module}\u0000${name}`;
  }

  /** Defines an extern (function, memory, table, global, tag) under module.name. */
  define(module: string, name: string, value: Extern): this {
    if (externKind(value) === null) throw new LinkError(`${module}.${name}: not a WebAssembly extern`);
    this.defs.set(this.key(module, name), value);
    return this;
  }

  /** Defines a host function with its type. */
  defineFunc(store: Store, module: string, name: string, type: FuncType, fn: HostFn): this {
    return this.define(module, name, store.func(type, fn, `${module}.${name}`));
  }

  /** Defines every export of an instance under the module name (the script's `register`). */
  defineInstance(module: string, instance: Instance): this {
    for (const [name, e] of instance.raw.exports) this.define(module, name, e);
    return this;
  }

  get(module: string, name: string): Extern | undefined {
    return this.defs.get(this.key(module, name));
  }

  /** Resolves the module's imports and instantiates it in the store. */
  instantiate(store: Store, module: Module): Instance {
    const imports = module.data.imports.map((imp) => {
      const e = this.get(imp.module, imp.name);
      if (e === undefined) throw new LinkError(`unknown import ${imp.module}.${imp.name} (${imp.desc.kind})`);
      return e;
    });
    return store.instantiate(module, imports);
  }
}
