/** The process: args_*, environ_*, proc_exit, proc_raise, and the socket calls (there are no sockets). */
import { WasmeterError } from '../../core/errors.js';
import { denied } from './backend.js';
import { Errno as E } from './constants.js';
import type { WasiContext, WasiFns } from './context.js';
import { u32, utf8, type GuestMem } from './memory.js';

/** The guest called proc_exit(code). Thrown through the interpreter; Wasi.start turns it into `{ exitCode }`. */
export class WasiExit extends WasmeterError {
  override name = 'WasiExit';
  constructor(readonly code: number) {
    super(`exit with code ${code}`);
  }
}

/** `*_sizes_get` and `*_get` for a list of strings (argv, the environment). */
function strings(list: readonly string[]) {
  return {
    sizes: (m: () => GuestMem, countPtr: number, sizePtr: number): number => {
      const mem = m();
      mem.setU32(u32(countPtr), list.length);
      mem.setU32(u32(sizePtr), list.reduce((n, s) => n + utf8.encode(s).length + 1, 0));
      return E.SUCCESS;
    },
    get: (m: () => GuestMem, ptrs: number, buf: number): number => {
      const mem = m();
      let p = u32(ptrs);
      let b = u32(buf);
      const enc = list.map((s) => utf8.encode(s));
      mem.check(p, enc.length * 4);
      mem.check(b, enc.reduce((n, s) => n + s.length + 1, 0));
      for (const s of enc) {
        mem.setU32(p, b);
        p += 4;
        mem.u8.set(s, b);
        mem.u8[b + s.length] = 0;
        b += s.length + 1;
      }
      return E.SUCCESS;
    },
  };
}

export function procFunctions(cx: WasiContext, argv: readonly string[], environ: readonly string[]): WasiFns {
  const args = strings(argv);
  const env = strings(environ);
  const sockCheck = (fd: unknown): number => {
    cx.get(fd);
    cx.deny(E.NOTSOCK, 'sockets are not available');
    return E.NOTSOCK;
  };
  return {
    args_get: args.get,
    args_sizes_get: args.sizes,
    environ_get: env.get,
    environ_sizes_get: env.sizes,
    proc_exit: (_m, code: number) => {
      throw new WasiExit(u32(code));
    },
    proc_raise: (_m, _sig: number) => {
      throw denied(E.NOSYS, 'signals are not supported');
    },
    sock_accept: (_m, fd: number) => sockCheck(fd),
    sock_recv: (_m, fd: number) => sockCheck(fd),
    sock_send: (_m, fd: number) => sockCheck(fd),
    sock_shutdown: (_m, fd: number) => sockCheck(fd),
  };
}
