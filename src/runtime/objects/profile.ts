/**
 * Per-function fuel accounting (profile mode). The machine reports each
 * entry into and exit from a function with the store's fuel-consumed clock;
 * fuel is attributed to the running function (self) and to every function
 * with an activation on the call stack (total, counted once per function
 * however deeply it recurses). Off by default: the machine then skips every
 * report with one null check at calls and returns.
 */
import type { FuncInst } from './func.js';

export interface FunctionProfile {
  /** Name from the name section or the export, else `func[index]` (host functions: their import name). */
  name: string;
  /** Calls that entered the function. */
  calls: number;
  /** Fuel consumed by the function's own instructions (and host calls' surcharges for host functions). */
  self: number;
  /** Fuel consumed while the function was on the call stack, callees included. */
  total: number;
}

interface Entry extends FunctionProfile {
  /** Activations currently on the stack. */
  active: number;
}

export class Profile {
  private readonly entries = new Map<FuncInst, Entry>();
  // the stack of activations: function, clock at entry, fuel of callees so far
  private readonly fns: Entry[] = [];
  private readonly start: number[] = [];
  private readonly child: number[] = [];

  constructor(private readonly nameOf: (f: FuncInst) => string) {}

  /** Depth of the profile's own stack (the machine unwinds it to a mark after an error). */
  get depth(): number {
    return this.fns.length;
  }

  enter(f: FuncInst, clock: number): void {
    let e = this.entries.get(f);
    if (!e) {
      e = { name: this.nameOf(f), calls: 0, self: 0, total: 0, active: 0 };
      this.entries.set(f, e);
    }
    e.calls++;
    e.active++;
    this.fns.push(e);
    this.start.push(clock);
    this.child.push(0);
  }

  exit(clock: number): void {
    const e = this.fns.pop();
    if (!e) return;
    const spent = clock - this.start.pop()!;
    const inner = this.child.pop()!;
    e.self += spent - inner;
    e.active--;
    if (e.active === 0) e.total += spent;
    const n = this.child.length;
    if (n > 0) this.child[n - 1]! += spent;
  }

  /** Exits activations until `depth` remain (after a trap or error unwound them). */
  unwindTo(depth: number, clock: number): void {
    while (this.fns.length > depth) this.exit(clock);
  }

  /** Every function that was called, by total fuel, largest first. */
  report(): FunctionProfile[] {
    return [...this.entries.values()]
      .map(({ name, calls, self, total }) => ({ name, calls, self, total }))
      .sort((a, b) => b.total - a.total || b.self - a.self || a.name.localeCompare(b.name));
  }

  reset(): void {
    this.entries.clear();
  }

  /** Everything the profile holds (snapshots): its rows by function, and the activation stack as row indices. */
  state(): { rows: { f: FuncInst; calls: number; self: number; total: number; active: number }[]; stack: { row: number; start: number; child: number }[] } {
    const fs = [...this.entries.keys()];
    const es = [...this.entries.values()];
    return {
      rows: es.map((e, i) => ({ f: fs[i]!, calls: e.calls, self: e.self, total: e.total, active: e.active })),
      stack: this.fns.map((e, i) => ({ row: es.indexOf(e), start: this.start[i]!, child: this.child[i]! })),
    };
  }

  /** Replaces the profile's state with one `state()` gave (rows' `stack` indices must be in range). */
  load(st: ReturnType<Profile['state']>): void {
    this.entries.clear();
    const es: Entry[] = st.rows.map((r) => ({ name: this.nameOf(r.f), calls: r.calls, self: r.self, total: r.total, active: r.active }));
    st.rows.forEach((r, i) => this.entries.set(r.f, es[i]!));
    this.fns.length = this.start.length = this.child.length = 0;
    for (const a of st.stack) {
      this.fns.push(es[a.row]!);
      this.start.push(a.start);
      this.child.push(a.child);
    }
  }
}

/** The profile as a text table (the CLI's `--profile`). */
export function formatProfile(rows: readonly FunctionProfile[], limit = 30): string {
  const head = ['function', 'calls', 'self fuel', 'total fuel'];
  const body = rows.slice(0, limit).map((r) => [r.name, String(r.calls), String(r.self), String(r.total)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]): string =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), ...body.map(line)];
  if (rows.length > limit) out.push(`… ${rows.length - limit} more`);
  return out.join('\n');
}
