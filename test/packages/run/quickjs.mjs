// quickjs-emscripten (emscripten, the release-sync wasm variant): evaluates JavaScript inside QuickJS.
import { report } from './report.mjs';

const t = performance.now();
const { getQuickJS } = await import('quickjs-emscripten');
const QuickJS = await getQuickJS();
const code = 'function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } JSON.stringify({ fib: fib(20), s: [3, 1, 2].sort().join(","), re: "a1b22c333".replace(/\\d+/g, (m) => m.length) })';
await report(t, () => {
  const vm = QuickJS.newContext();
  const h = vm.unwrapResult(vm.evalCode(code));
  const out = vm.getString(h);
  h.dispose();
  vm.dispose();
  return out;
});
