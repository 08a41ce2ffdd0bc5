/**
 * A host↔guest message channel for long-lived, stateful guests.
 *
 * Host → guest: `send(msg)` copies the message into a buffer from the guest's
 * `alloc(size) -> ptr`, calls its `on_message(ptr, len)`, then frees the
 * buffer with `free(ptr, len)` when the guest exports it.
 * Guest → host: the guest calls the imported `env.host_send(ptr, len)`; the
 * bytes (or, in JSON mode, the parsed JSON) go to `onMessage` and into the
 * list `send` returns. State lives in the instance between sends.
 */
import { CompKind, I32 } from '../../core/types.js';
import type { Caller, Store } from '../../runtime/store.js';
import type { Instance } from '../../runtime/instance.js';
import type { Instance as RawInstance } from '../../runtime/objects/instance.js';
import type { Linker } from '../linker.js';
import { GuestAbiError } from './errors.js';
import { GuestCalls, type AbiTarget } from './guest.js';
import { allocAndWrite, encodeJson, freeAll, parseGuestJson } from './json.js';
import { decodeUtf8, encodeUtf8, readBytes, requireMemory } from './memory.js';
import { Sandbox } from './sandbox.js';

export type ChannelMode = 'bytes' | 'json';

export interface ChannelOptions<M extends ChannelMode = 'bytes'> {
  /** 'bytes' (default): messages are Uint8Array; 'json': values, JSON-encoded as UTF-8. */
  mode?: M;
  /** Called for each message the guest sends, as it sends it. */
  onMessage?: (message: M extends 'json' ? unknown : Uint8Array) => void;
}

/** Channels by the raw instance they serve (for the shared host_send import). */
const channels = new WeakMap<RawInstance, (bytes: Uint8Array) => void>();

/**
 * Defines `module.host_send(ptr: i32, len: i32)` in a linker: it delivers the
 * guest's message to the GuestChannel attached to the calling instance.
 * (A Sandbox provides host_send itself when the guest imports it.)
 */
export function defineChannelImports(linker: Linker, store: Store, module = 'env'): Linker {
  const call = 'host_send';
  return linker.define(
    module,
    call,
    store.func(
      { kind: CompKind.Func, params: [I32, I32], results: [] },
      (caller: Caller, ptr: number, len: number) => {
        const bytes = readBytes(requireMemory(caller.memory(0), call), ptr, len, call);
        const raw = caller.instance?.raw;
        const deliver = raw ? channels.get(raw) : undefined;
        if (!deliver) throw new GuestAbiError(`${call}: no GuestChannel is attached to the calling instance`, call);
        deliver(bytes);
      },
      `${module}.${call}`,
    ),
  );
}

/**
 * (Named GuestChannel rather than MessageChannel so as not to shadow the
 * MessageChannel global of Node and browsers.)
 */
export class GuestChannel<M extends ChannelMode = 'bytes'> {
  readonly mode: ChannelMode;
  private readonly calls: GuestCalls;
  private readonly target: AbiTarget;
  private readonly onMessage: ((m: any) => void) | undefined;
  /** Messages received during the current send. */
  private inbox: unknown[] = [];
  /** Every message received, in order (also those outside a send). */
  readonly received: (M extends 'json' ? unknown : Uint8Array)[] = [];

  constructor(target: AbiTarget, options: ChannelOptions<M> = {}) {
    this.target = target;
    this.mode = options.mode ?? 'bytes';
    this.onMessage = options.onMessage;
    this.calls = new GuestCalls(target, 'GuestChannel.send');
    this.calls.requireExport('alloc', ['i32'], ['i32']);
    this.calls.requireExport('on_message', ['i32', 'i32'], []);
    if (this.calls.has('free')) this.calls.requireExport('free', ['i32', 'i32'], []);
    const deliver = (bytes: Uint8Array): void => this.deliver(bytes);
    if (target instanceof Sandbox) target.onSend = deliver;
    else channels.set((target as Instance).raw, deliver);
  }

  private deliver(bytes: Uint8Array): void {
    const msg = this.mode === 'json' ? parseGuestJson(decodeUtf8(bytes), 'host_send') : bytes;
    this.inbox.push(msg);
    (this.received as unknown[]).push(msg);
    this.onMessage?.(msg);
  }

  /**
   * Sends one message (bytes mode: Uint8Array or string, sent as UTF-8; JSON
   * mode: any JSON value) and returns the messages the guest sent back while
   * handling it. Errors as for callJson; invalid JSON from the guest in JSON
   * mode is InvalidJson.
   */
  send(message: M extends 'json' ? unknown : Uint8Array | string): (M extends 'json' ? unknown : Uint8Array)[] {
    const g = this.calls;
    let bytes: Uint8Array;
    if (this.mode === 'json') bytes = encodeJson(message, 'GuestChannel.send');
    else if (message instanceof Uint8Array) bytes = message;
    else if (typeof message === 'string') bytes = encodeUtf8(message);
    else throw new TypeError('GuestChannel.send: a bytes-mode message is a Uint8Array or a string');
    this.inbox = [];
    return allocAndWrite(g, 'message', bytes, (ptr) =>
      g.step('on_message', [ptr, bytes.length], () =>
        freeAll(g, [[ptr, bytes.length]], () => {
          const out = this.inbox;
          this.inbox = [];
          return out as (M extends 'json' ? unknown : Uint8Array)[];
        }),
      ),
    );
  }

  /** Stops delivering host_send messages to this channel. */
  close(): void {
    const t = this.target;
    if (t instanceof Sandbox) t.onSend = null;
    else channels.delete(t.raw);
  }
}
