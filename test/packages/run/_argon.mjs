const { argon2id } = await import('hash-wasm');
const { cpuUsage } = process;
const out = []; const tr = [];
for (let i = 0; i < 12; i++) {
  const t = cpuUsage();
  await argon2id({ password: 'wasmeter', salt: 'saltsaltsaltsalt', parallelism: 1, iterations: 2, memorySize: 512, hashLength: 32, outputType: 'hex' });
  const d = cpuUsage(t);
  tr.push(Math.round((globalThis.__tr ?? 0) - (tr.reduce((a, b) => a + b, 0)))); out.push(Math.round((d.user + d.system) / 1000));
}
console.log(out.join(' '), '| tr', tr.join(' '), globalThis.__tr ? `translate ms ${globalThis.__tr.toFixed(1)} n ${globalThis.__trn}` : '');
