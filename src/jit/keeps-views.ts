/**
 * Which functions of a module cannot change the memory views of their caller (issue 16): after a call of generated
 * code the caller reloads its views (`if (V !== M.view) V = M.view;`, codegen.ts build) because the callee may have grown
 * a memory. A defined function none of whose instructions grows a memory (`memory.grow`) or calls something the
 * module does not know (an imported function: the host, or another instance's code; `call_indirect`, `call_ref` and
 * their tail-call forms: any table entry or reference), and which calls (`call`, `return_call`) only functions of
 * the same kind, runs only the module's own code and never grows a memory: the views its caller holds stay valid
 * through the call. (A stop or an exception leaves the caller's frame: it returns a negative status and exits, or
 * the exception passes through, before the views are read again.)
 *
 * One pass per module, on the first question (each body read once with the decoder's `readInstr`), then the
 * fact of being unsafe spread backwards along the direct calls (a worklist, linear, cycles included). The answer
 * depends on the module alone, so it is the same for all of its instances (rebind.ts shares the source).
 */
import { Reader } from '../core/bytes.js';
import { Instr, readInstr } from '../decoder/instr.js';
import type { ValidatedModule } from '../validate/module.js';

/** Per defined function: 1 when a call of it keeps the caller's memory views valid. */
const keeps = new WeakMap<ValidatedModule, Uint8Array>();

/** Whether a call of function index `fi` of `vm` (defined or imported) leaves every memory's view as it was. */
export function keepsViews(vm: ValidatedModule, fi: number): boolean {
  const ni = vm.numImportedFuncs;
  if (fi < ni) return false;
  let k = keeps.get(vm);
  if (k === undefined) keeps.set(vm, (k = scan(vm)));
  return k[fi - ni] === 1;
}

function scan(vm: ValidatedModule): Uint8Array {
  const ni = vm.numImportedFuncs;
  const codes = vm.module.codes;
  const n = codes.length;
  const unsafe = new Uint8Array(n);
  // the direct calls as reversed edges: callers[cstart[g] .. cstart[g + 1]) call g (counted first, then filled)
  const from: number[] = [];
  const to: number[] = [];
  const ins = new Instr();
  for (let f = 0; f < n; f++) unsafe[f] = unsafeBody(codes[f]!.body, f, ni, ins, from, to);
  const cstart = new Int32Array(n + 1);
  for (let e = 0; e < to.length; e++) cstart[to[e]! + 1]!++;
  for (let g = 0; g < n; g++) cstart[g + 1]! += cstart[g]!;
  const fill = cstart.slice(0, n);
  const callers = new Int32Array(to.length);
  for (let e = 0; e < to.length; e++) callers[fill[to[e]!]!++] = from[e]!;
  const work: number[] = [];
  for (let f = 0; f < n; f++) if (unsafe[f] === 1) work.push(f);
  while (work.length > 0) {
    const g = work.pop()!;
    for (let e = cstart[g]!; e < cstart[g + 1]!; e++) {
      const c = callers[e]!;
      if (unsafe[c] === 0) {
        unsafe[c] = 1;
        work.push(c);
      }
    }
  }
  const k = new Uint8Array(n);
  for (let f = 0; f < n; f++) k[f] = unsafe[f]! ^ 1;
  return k;
}

/**
 * 1 when body `f` grows a memory or calls what the module does not know; its direct calls of defined functions are
 * added to `from`/`to` (up to such an instruction). (One function per body: a scan of a large module is a loop that V8
 * compiled on-stack when it was one function, and its code was thrown away at the first instruction after the loop,
 * or at the first unsafe body: once to three times per first run.)
 */
function unsafeBody(body: Uint8Array, f: number, ni: number, ins: Instr, from: number[], to: number[]): number {
  const r = new Reader(body, 0, body.length, 0);
  while (r.pos < r.end) {
    readInstr(r, ins);
    const name = ins.def.name;
    if (name === 'call' || name === 'return_call') {
      if (ins.a < ni) return 1;
      from.push(f);
      to.push(ins.a - ni);
    } else if (name === 'memory.grow' || name === 'call_indirect' || name === 'call_ref' || name === 'return_call_indirect' || name === 'return_call_ref') return 1;
  }
  return 0;
}
