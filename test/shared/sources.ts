import { jsEval } from '../../src/jit/codegen.js';

/** The sources the JS tier compiles (jsEval.compile) while `run` runs. */
export function sourcesDuring(run: () => void): string[] {
  const srcs: string[] = [];
  const compile = jsEval.compile;
  jsEval.compile = (src) => {
    srcs.push(src);
    return compile(src);
  };
  try {
    run();
  } finally {
    jsEval.compile = compile;
  }
  return srcs;
}
