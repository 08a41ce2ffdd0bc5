/**
 * Time and chance: the WASI clocks (virtual, a step per read; fuel, fuel consumed × ns; or the
 * host's), and the calls that use them: clock_*, poll_oneoff, sched_yield, random_get.
 */
import { FsError } from './backend.js';
import { Clockid, Errno, Errno as E, Eventtype, Rights, SIZE, SUBSCRIPTION_CLOCK_ABSTIME } from './constants.js';
import { DirFd, FileFd, StdioFd, type WasiContext, type WasiFns } from './context.js';
import { u32 } from './memory.js';
import { nonNegativeOption, oneOf, type WasiOptions } from './options.js';
import type { Xoshiro128 } from './random.js';

const DEFAULT_START = 1_704_067_200_000_000_000n; // 2024-01-01T00:00:00Z

/** Whether `id` names one of the four clocks (realtime, monotonic, process and thread CPU time). */
export function isClockId(id: number): boolean {
  return id >= 0 && id <= Clockid.THREAD_CPUTIME_ID;
}

/** Blocks the thread for `ms` milliseconds; false where it cannot block (a browser's main thread). */
export function blockFor(ms: number): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return true;
  } catch {
    return false;
  }
}

export class WasiClock {
  /** Virtual time elapsed (ns): reads in virtual mode, sleeps in both virtual modes. */
  private elapsed = 0n;
  /** The store whose fuel the fuel clock reads (set when the functions are linked). */
  store: { readonly fuelConsumed: number } | null = null;
  readonly mode: 'virtual' | 'fuel' | 'host';
  private readonly start0: bigint;
  private readonly step: bigint;
  private readonly nsPerFuel: bigint;
  /** The clock `options.clock` and `options.inheritClock` describe; TypeError/RangeError for a bad option. */
  constructor(options: Pick<WasiOptions, 'clock' | 'inheritClock'>) {
    const c = options.clock ?? {};
    this.mode = options.inheritClock ? 'host' : oneOf('clock.mode', c.mode ?? 'virtual', ['virtual', 'fuel', 'host']);
    let start: unknown = c.start ?? DEFAULT_START;
    if (start instanceof Date) {
      const ms = start.getTime();
      if (Number.isNaN(ms)) throw new RangeError('clock.start is an invalid Date');
      start = BigInt(ms) * 1_000_000n;
    }
    this.start0 = nonNegativeOption('clock.start', start);
    this.step = nonNegativeOption('clock.step', c.step ?? 1_000_000n);
    this.nsPerFuel = nonNegativeOption('clock.nsPerFuel', c.nsPerFuel ?? 1n);
  }

  /** What clock_res_get reports for every clock. */
  get resolution(): bigint {
    return this.mode === 'host' ? 1000n : this.mode === 'fuel' ? this.nsPerFuel : this.step;
  }

  /** Current time of a clock in ns; `advance` steps the virtual clock (one clock read). */
  now(id: number, advance: boolean): bigint {
    if (!isClockId(id)) throw new FsError(Errno.INVAL);
    let t: bigint;
    if (this.mode === 'host') {
      const perf = globalThis.performance;
      if (id === Clockid.REALTIME) return BigInt(Math.round((perf.timeOrigin + perf.now()) * 1e6));
      return BigInt(Math.round(perf.now() * 1e6));
    }
    if (this.mode === 'fuel') t = BigInt(this.store?.fuelConsumed ?? 0) * this.nsPerFuel + this.elapsed;
    else {
      t = this.elapsed;
      if (advance) this.elapsed += this.step;
    }
    return id === Clockid.REALTIME ? this.start0 + t : t;
  }
  /** Realtime without a step: file timestamps. */
  realNow(): bigint {
    return this.now(Clockid.REALTIME, false);
  }
  sleep(ns: bigint): void {
    if (ns <= 0n) return;
    if (this.mode !== 'host') {
      this.elapsed += ns;
      return;
    }
    const ms = Number(ns) / 1e6;
    if (blockFor(ms)) return;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // browsers' main thread cannot block
    }
  }
}

/** clock_res_get, clock_time_get, poll_oneoff, sched_yield and random_get (`rng` null: the host's randomness). */
export function clockFunctions(cx: WasiContext, rng: Xoshiro128 | null): WasiFns {
  const clock = cx.clock;
  return {
    clock_res_get: (m, id: number, ptr: number) => {
      const mem = m();
      mem.check(u32(ptr), 8);
      if (!isClockId(id)) return E.INVAL;
      mem.setU64(u32(ptr), clock.resolution);
      return E.SUCCESS;
    },
    clock_time_get: (m, id: number, _precision: bigint, ptr: number) => {
      const mem = m();
      mem.check(u32(ptr), 8);
      mem.setU64(u32(ptr), clock.now(id, true));
      return E.SUCCESS;
    },

    poll_oneoff: (m, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) => {
      const mem = m();
      const n = u32(nsubs);
      const ip = u32(inPtr);
      const op = u32(outPtr);
      mem.check(u32(neventsPtr), 4);
      if (n === 0) return E.INVAL;
      mem.check(ip, n * SIZE.subscription);
      mem.check(op, n * SIZE.event);
      const v = mem.view;
      interface Ev {
        userdata: bigint;
        error: number;
        type: number;
        nbytes: bigint;
        flags: number;
      }
      const ready: Ev[] = [];
      const clocks: { userdata: bigint; wait: bigint }[] = [];
      for (let i = 0; i < n; i++) {
        const s = ip + i * SIZE.subscription;
        const userdata = v.getBigUint64(s, true);
        const tag = v.getUint8(s + 8);
        if (tag === Eventtype.CLOCK) {
          const id = v.getUint32(s + 16, true);
          const timeout = v.getBigUint64(s + 24, true);
          const flags = v.getUint16(s + 40, true);
          if (!isClockId(id)) {
            ready.push({ userdata, error: E.INVAL, type: tag, nbytes: 0n, flags: 0 });
            continue;
          }
          const wait = flags & SUBSCRIPTION_CLOCK_ABSTIME ? timeout - clock.now(id, false) : timeout;
          clocks.push({ userdata, wait });
        } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
          const fd = v.getUint32(s + 16, true);
          const f = cx.fds[fd];
          let error: number = E.SUCCESS;
          let nbytes = 0n;
          let flags = 0;
          if (!f) error = E.BADF;
          else if ((f.rightsBase & Rights.POLL_FD_READWRITE) === 0n) error = E.NOTCAPABLE;
          else if (tag === Eventtype.FD_READ) {
            if (f instanceof FileFd) {
              const size = f.handle.stat().size;
              nbytes = size > BigInt(f.pos) ? size - BigInt(f.pos) : 0n;
            } else if (f instanceof StdioFd && f.stream === 0) {
              const p = cx.stdio.pollStdin();
              nbytes = p.nbytes;
              if (p.hangup) flags = 1; // hangup: the buffer is exhausted
            } else if (f instanceof DirFd) error = E.BADF;
          } else if (f instanceof DirFd) error = E.BADF;
          ready.push({ userdata, error, type: tag, nbytes, flags });
        } else return E.INVAL;
      }
      if (ready.length === 0 && clocks.length > 0) {
        let min = clocks[0]!.wait;
        for (const c of clocks) if (c.wait < min) min = c.wait;
        clock.sleep(min);
        for (const c of clocks) if (c.wait <= min) ready.push({ userdata: c.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
      } else {
        for (const c of clocks) if (c.wait <= 0n) ready.push({ userdata: c.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
      }
      mem.u8.fill(0, op, op + ready.length * SIZE.event);
      ready.forEach((e, i) => {
        const at = op + i * SIZE.event;
        v.setBigUint64(at, e.userdata, true);
        v.setUint16(at + 8, e.error, true);
        v.setUint8(at + 10, e.type);
        v.setBigUint64(at + 16, e.nbytes, true);
        v.setUint16(at + 24, e.flags, true);
      });
      mem.setU32(u32(neventsPtr), ready.length);
      return E.SUCCESS;
    },

    sched_yield: () => E.SUCCESS,
    random_get: (m, buf: number, len: number) => {
      const dst = m().bytes(u32(buf), u32(len));
      if (rng) rng.fill(dst);
      else for (let i = 0; i < dst.length; i += 65536) globalThis.crypto.getRandomValues(dst.subarray(i, i + 65536));
      return E.SUCCESS;
    },
  };
}
