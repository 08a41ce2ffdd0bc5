/**
 * Calling a guest's ABI exports from the host, for callJson and GuestChannel:
 * works on a plain Instance (errors become SandboxErrors, except the core
 * OutOfFuel, which stays resumable for the whole ABI operation) or on a
 * Sandbox (its budget, memory limit and timeout apply).
 */
import { OutOfFuel } from '../../core/errors.js';
import { funcTypeText, sameFuncType } from '../../core/types.js';
import { HostFunc, WasmFunc } from '../../runtime/objects/func.js';
import { type Memory } from '../../runtime/objects/memory.js';
import type { Instance } from '../../runtime/instance.js';
import { ExecutionFailed, GuestAbiError } from './errors.js';
import { requireMemory } from './memory.js';
import { Sandbox, funcType, toSandboxError, type ValTypeName } from './sandbox.js';

/** What callJson and GuestChannel work on. */
export type AbiTarget = Instance | Sandbox;

export class GuestCalls {
  readonly instance: Instance;
  private readonly sandbox: Sandbox | null;

  constructor(
    target: AbiTarget,
    /** Names the ABI operation in messages ("callJson", "GuestChannel.send"). */
    readonly op: string,
    /** For a Sandbox: run every call under this deadline (performance.now() ms, and when its period began) instead of a timeout per call. */
    private readonly within?: { deadline: number; origin: number },
  ) {
    this.sandbox = target instanceof Sandbox ? target : null;
    this.instance = target instanceof Sandbox ? target.instance : target;
  }

  /** The guest's memory 0. */
  memory(): Memory {
    try {
      return requireMemory(this.instance.raw.memories[0], this.op);
    } catch (e) {
      throw toSandboxError(e, this.op);
    }
  }

  /** Fails unless the guest exports `name` with exactly this type. */
  requireExport(name: string, params: ValTypeName[], results: ValTypeName[]): void {
    const f = this.instance.getExport(name);
    const want = funcType(params, results);
    if (!(f instanceof WasmFunc || f instanceof HostFunc))
      throw abiError(`${this.op}: the guest does not export a function '${name}' ${funcTypeText(want)}`, this.op);
    if (!sameFuncType(f.type, want))
      throw abiError(`${this.op}: the guest's export '${name}' has type ${funcTypeText(f.type)}, expected ${funcTypeText(want)}`, this.op);
  }

  has(name: string): boolean {
    const f = this.instance.getExport(name);
    return f instanceof WasmFunc || f instanceof HostFunc;
  }

  /**
   * Calls export `name`, then continues with `k`. On a plain instance, an
   * OutOfFuel is rethrown as a new OutOfFuel whose resume() finishes this call
   * and everything `k` does, returning [k's result].
   */
  step<T>(name: string, args: unknown[], k: (results: unknown[]) => T): T {
    return this.continueWith(() => this.invoke(name, args), name, k);
  }

  private invoke(name: string, args: unknown[]): unknown[] {
    if (this.sandbox) return this.within ? this.sandbox.callWithin(name, args, this.within.deadline, this.within.origin) : this.sandbox.call(name, ...args);
    return this.instance.call(name, ...args);
  }

  private continueWith<T>(run: () => unknown[], name: string, k: (results: unknown[]) => T): T {
    let r: unknown[];
    try {
      r = run();
    } catch (e) {
      if (e instanceof OutOfFuel) {
        const inner = e;
        throw new OutOfFuel(inner.consumed, inner.remaining, inner.needed, () => [this.continueWith(() => inner.resume(), name, k)]);
      }
      throw toSandboxError(e, `${this.op}: ${name}`);
    }
    return k(r);
  }
}

function abiError(message: string, call: string): ExecutionFailed {
  return new ExecutionFailed(message, new GuestAbiError(message, call));
}

/** Wraps a GuestAbiError thrown by a memory helper as ExecutionFailed. */
export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GuestAbiError) throw new ExecutionFailed(e.message, e);
    throw e;
  }
}
