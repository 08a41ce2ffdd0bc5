/**
 * The JS tier where `new Function` is forbidden (a Content-Security-Policy without 'unsafe-eval',
 * Cloudflare Workers): the first EvalError from its compile step turns the tier off for the rest
 * of the process, and every call runs on the interpreter with the same results, fuel and peaks.
 * (test/browser checks the same under a real CSP in Chromium.)
 */
import { afterEach, describe, expect, test } from 'vitest';
import { OutOfFuel } from '../../src/core/errors.js';
import { Linker, Module, Store } from '../../src/index.js';
import { jsEval } from '../../src/jit/codegen.js';
import { jitStats } from '../../src/interp/tier.js';
import { WORKLOADS } from '../../bench/workloads.js';

const realCompile = jsEval.compile;
afterEach(() => {
  jsEval.compile = realCompile;
  jsEval.blocked = false;
});

/** Every workload called on a store of `tier`, with a budget that runs out once and a resume. */
function runAll(tier: 'js' | 'interp'): unknown[] {
  return WORKLOADS.map((w) => {
    const mod = Module.fromBinary(w.bytes());
    const full = new Store({ fuel: 1e12, tier });
    const results = new Linker().instantiate(full, mod).call(w.export, ...w.testArgs);
    const cut = new Store({ fuel: Math.floor(full.fuelConsumed / 2), tier });
    let resumed: unknown[] | null = null;
    try {
      new Linker().instantiate(cut, mod).call(w.export, ...w.testArgs);
    } catch (e) {
      if (!(e instanceof OutOfFuel)) throw e;
      cut.addFuel(full.fuelConsumed);
      resumed = e.resume();
    }
    return [w.id, results, full.fuelConsumed, { ...full.peaks }, resumed, cut.fuelConsumed, { ...cut.peaks }];
  });
}

describe('JS tier without eval', () => {
  test('compiles through jsEval.compile while it works', () => {
    let compiles = 0;
    jsEval.compile = (src) => (compiles++, realCompile(src));
    const before = jitStats.generated;
    const shared = jitStats.shared;
    runAll('js');
    expect(compiles).toBeGreaterThan(0);
    // (the second instance of each module reuses the first one's compiled source: jit-shared.test.ts)
    expect(jitStats.generated - before).toBe(compiles + jitStats.shared - shared);
    expect(jsEval.blocked).toBe(false);
  });

  test('an EvalError from compiling turns the tier off once; every call runs on the interpreter, with the same results and fuel', () => {
    const interp = runAll('interp');
    let compiles = 0;
    jsEval.compile = () => {
      compiles++;
      throw new EvalError("Evaluating a string as JavaScript violates the following Content Security Policy directive because 'unsafe-eval' is not an allowed source of script");
    };
    const before = jitStats.generated;
    expect(runAll('js')).toEqual(interp);
    expect(jsEval.blocked).toBe(true);
    expect(compiles).toBe(1);
    expect(jitStats.generated).toBe(before);
    expect(jitStats.declined.get('new Function forbidden')).toBe(1);
  });
});
