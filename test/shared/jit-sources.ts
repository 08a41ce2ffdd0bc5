/** The JS tier's generated sources: what `jsEval.compile` sees while `run` runs (tests of the generated code). */
import { jsEval } from '../../src/jit/codegen.js';

export function captureSources<T>(run: () => T): { srcs: string[]; value: T } {
  const srcs: string[] = [];
  const compile = jsEval.compile;
  jsEval.compile = (src) => {
    srcs.push(src);
    return compile(src);
  };
  try {
    return { srcs, value: run() };
  } finally {
    jsEval.compile = compile;
  }
}
