/** The JS tier's pre-pass for loop re-entry (OSR): which frames of a function hold loops. */
import type { Instr } from '../decoder/instr.js';
import type { CodeSink, FuncValidator } from '../validate/func.js';
import { EXN_CONTROL, no } from './gen-types.js';

/**
 * Pre-pass for loop re-entry: numbers the frames entered in reachable code
 * (as JsGen does) and finds which contain loops, and which loops lie in the
 * then-arm of each `if`.
 */
export class LoopScan implements CodeSink {
  private ids = 0;
  private deadDepth = 0;
  private readonly stack: { id: number; kind: string; dead: boolean; inElse: boolean }[] = [{ id: -1, kind: 'func', dead: false, inElse: false }];
  /** Frame id -> a loop is this frame or inside it. */
  readonly hasLoop: boolean[] = [];
  /** Frame id -> a loop is strictly inside it. */
  readonly inner: boolean[] = [];
  /** If id -> the loops in its then-arm. */
  readonly thenLoops = new Map<number, number[]>();
  /** Frame id -> the loops it is or holds. */
  readonly loops: number[][] = [];
  any = false;

  instr(ins: Instr, v: FuncValidator): void {
    const name = ins.def.name;
    // (functions that handle exceptions stay interpreted: JsGen declines them; stop before their frames confuse the scan)
    if (EXN_CONTROL.has(name)) no(name);
    const top = this.stack[this.stack.length - 1]!;
    if (v.unreachable || this.deadDepth > 0) {
      if (name === 'block' || name === 'loop' || name === 'if') {
        this.stack.push({ id: -1, kind: 'block', dead: true, inElse: false });
        this.deadDepth++;
      } else if (name === 'else') {
        if (!top.dead) top.inElse = true;
      } else if (name === 'end') {
        this.stack.pop();
        if (top.dead) this.deadDepth--;
      }
      return;
    }
    if (name === 'block' || name === 'loop' || name === 'if') {
      const id = this.ids++;
      this.hasLoop[id] = false;
      this.inner[id] = false;
      this.loops[id] = [];
      if (name === 'loop') {
        this.any = true;
        this.hasLoop[id] = true;
        this.loops[id]!.push(id);
        for (const a of this.stack) {
          if (a.id < 0) continue;
          this.hasLoop[a.id] = true;
          this.inner[a.id] = true;
          this.loops[a.id]!.push(id);
          if (a.kind === 'if' && !a.inElse) this.thenLoops.get(a.id)!.push(id);
        }
      }
      if (name === 'if') this.thenLoops.set(id, []);
      this.stack.push({ id, kind: name, dead: false, inElse: false });
    } else if (name === 'else') top.inElse = true;
    else if (name === 'end') this.stack.pop();
  }
}
