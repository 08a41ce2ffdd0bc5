/**
 * A long-lived process that runs many `wasmeter` command lines, one after the other, each as the CLI process would
 * (test/shared/cli-host.ts starts it, one per test file): it evaluates the CLI bundle (argv[2], dist/cli/main.cjs)
 * afresh for every command line, so that no module state of one run is left for the next, and calls its main() with
 * the command line. Per run: process.env, the working directory and process.exitCode are the run's; the bundle's
 * writes to stdout and stderr (process.stdout/stderr and fs.writeSync on fds 1 and 2, where an inherited WASI stdio
 * writes) and its reads of stdin (fs.readSync on fd 0) go to the run's buffers; process.exit ends the run with its
 * code. The process's own fds 0-2 are pipes (cli-host.ts), as a process spawned by spawnSync has them: what the
 * WASI layer reports about them (a terminal or not) is what it reports there. What this saves over a node process per run is Node's start and V8's compiling the bundle and the code the
 * JS tier generates again (it keeps them between runs). Requests and results are IPC messages:
 * { args, env, cwd, input } -> { code, out, err }.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

const bundle = process.argv[2];
const script = new Script(fs.readFileSync(bundle, 'latin1'), { filename: bundle });
const req = createRequire(bundle);
const nodeFs = req('node:fs');

/** Thrown by the run's process.exit: the run ends there with `code`. */
class Exit {
  constructor(code) {
    this.code = code;
  }
}

const bytesOf = (data, offset, length) => {
  if (typeof data === 'string') return Buffer.from(data, typeof offset === 'string' ? offset : 'utf8');
  const u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const off = typeof offset === 'number' ? offset : 0;
  return Buffer.from(u8.subarray(off, typeof length === 'number' ? off + length : u8.length));
};

async function runOne({ args, env, cwd, input }) {
  const out = [];
  const err = [];
  let stdin = Buffer.from(input ?? '', 'utf8');
  const sink = (fd) => (fd === 1 ? out : fd === 2 ? err : null);
  const saved = {
    writeSync: nodeFs.writeSync,
    readSync: nodeFs.readSync,
    outWrite: process.stdout.write,
    errWrite: process.stderr.write,
    exit: process.exit,
    cwd: process.cwd(),
    env: { ...process.env },
    argv: process.argv,
  };
  nodeFs.writeSync = function (fd, data, offset, length, position) {
    const to = sink(fd);
    if (to === null) return saved.writeSync.call(this, fd, data, offset, length, position);
    const b = bytesOf(data, offset, length);
    to.push(b);
    return b.length;
  };
  nodeFs.readSync = function (fd, buffer, offset, length, position) {
    if (fd !== 0) return saved.readSync.call(this, fd, buffer, offset, length, position);
    // (readSync(fd, buffer, { offset, length }) and readSync(fd, buffer, offset, length, position))
    const o = typeof offset === 'object' && offset !== null ? offset : { offset, length };
    const at = o.offset ?? 0;
    const n = Math.min(stdin.length, o.length ?? buffer.byteLength - at);
    new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).set(stdin.subarray(0, n), at);
    stdin = stdin.subarray(n);
    return n;
  };
  const writer = (to) =>
    function (chunk, encoding, cb) {
      to.push(bytesOf(chunk, encoding));
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  process.stdout.write = writer(out);
  process.stderr.write = writer(err);
  process.exit = (code) => {
    throw new Exit(code ?? process.exitCode ?? 0);
  };
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, env);
  process.chdir(cwd);
  process.exitCode = undefined;
  const argv = [process.execPath, bundle, ...args];
  process.argv = argv;
  let code;
  try {
    const module = { exports: {} };
    script.runInThisContext()(module.exports, req, module, bundle, dirname(bundle));
    await module.exports.main(argv);
    code = process.exitCode ?? 0;
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else {
      // as Node reports an uncaught error: its stack on stderr, exit code 1
      err.push(Buffer.from(`${e instanceof Error ? e.stack : String(e)}\n`));
      code = 1;
    }
  } finally {
    nodeFs.writeSync = saved.writeSync;
    nodeFs.readSync = saved.readSync;
    process.stdout.write = saved.outWrite;
    process.stderr.write = saved.errWrite;
    process.exit = saved.exit;
    process.exitCode = undefined;
    process.argv = saved.argv;
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved.env);
    process.chdir(saved.cwd);
  }
  return { code: Number(code), out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') };
}

// one run at a time, in the order they were asked for
let queue = Promise.resolve();
process.on('message', (m) => {
  queue = queue.then(async () => process.send(await runOne(m)));
});
process.on('disconnect', () => process.exit(0));
