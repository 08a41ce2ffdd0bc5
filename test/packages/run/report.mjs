// Shared by the scripts here: runs `work` once (the time since `t0` includes loading the package and instantiating
// its wasm) and prints { result, ms }; with BENCH_STEADY=n (bench/packages.ts) it then runs `work` n more times on
// the same instance and adds steadyMs, the median of those calls.
export async function report(t0, work) {
  const result = await work();
  const ms = performance.now() - t0;
  const n = Number(process.env.BENCH_STEADY ?? 0);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const again = await work();
    times.push(performance.now() - t);
    if (JSON.stringify(again) !== JSON.stringify(result)) throw new Error('a steady-state call returned a different result');
  }
  times.sort((a, b) => a - b);
  const steadyMs = n > 0 ? times[(n - 1) >> 1] : undefined;
  console.log(JSON.stringify({ result, ms, steadyMs }));
}
