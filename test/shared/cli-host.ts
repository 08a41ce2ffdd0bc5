/**
 * Many `wasmeter` command lines through one long-lived process (cli-host.mjs: the CLI bundle evaluated afresh for
 * each, with the run's own environment, working directory, stdin, stdout, stderr and exit code) instead of a node
 * process each: about 0.1-0.3 s of CPU saved per command line (Node's start, and V8 compiling the bundle and the JS
 * tier's code again; test/unit/cli.test.ts alone 20.5 -> 10.3 s). Synchronous, as spawnSync is: a worker thread talks to the process while this thread waits for the answer.
 * Tests that must see the process itself (its real stdio, its start, its code cache) spawn the CLI.
 */
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** The worker thread: forwards requests to the host process and its answers back, waking the waiting thread. */
const BRIDGE = `
const { workerData } = require('node:worker_threads');
const { fork } = require('node:child_process');
const { port, flag, host, bundle } = workerData;
// (fds 0-2 are pipes, as spawnSync's are: the WASI layer asks whether they are terminals, and a C program's stdio
// buffers its output by the answer; what the host process itself writes there is a message for the test's log)
const child = fork(host, [bundle], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
child.stdout.pipe(process.stderr);
child.stderr.pipe(process.stderr);
const answer = (m) => {
  port.postMessage(m);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
child.on('message', answer);
child.on('exit', (code, signal) => answer({ exited: code ?? signal }));
// (a failed send or spawn: the waiting thread hears of it instead of this thread dying of an unhandled 'error')
child.on('error', (e) => answer({ exited: String(e) }));
port.on('message', (m) => {
  if (m !== 'close') child.send(m);
  else if (child.connected) child.disconnect();
  else answer({ exited: 'closed' });
});
`;

export class CliHost {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private dead: unknown = null;

  /** `cli` is the CLI's process entry (dist/cli.cjs or a build of it); its bundle is cli/main.cjs beside it. */
  constructor(cli: string) {
    const { port1, port2 } = new MessageChannel();
    const bundle = join(cli, '..', 'cli', 'main.cjs');
    this.worker = new Worker(BRIDGE, { eval: true, workerData: { port: port2, flag: this.flag, host: join(__dirname, 'cli-host.mjs'), bundle }, transferList: [port2] });
    // (an error of the bridge thread fails the next run instead of the test process)
    this.worker.on('error', (e) => {
      this.dead ??= e;
    });
    this.port = port1;
  }

  /** Runs `wasmeter ARGS` with `input` on stdin, in `cwd`, with exactly the environment `env`. */
  run(args: string[], input: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): CliResult {
    if (this.dead !== null) throw new Error(`the CLI host exited (${String(this.dead)})`);
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ args, input, cwd, env });
    if (Atomics.wait(this.flag, 0, 0, timeoutMs) === 'timed-out') throw new Error(`wasmeter ${args.join(' ')}: no answer in ${timeoutMs} ms`);
    const m = receiveMessageOnPort(this.port)!.message as CliResult | { exited: unknown };
    if ('exited' in m) {
      this.dead = m.exited;
      throw new Error(`the CLI host exited (${String(m.exited)}) running wasmeter ${args.join(' ')}`);
    }
    return m;
  }

  /**
   * Ends the host process (it exits when its IPC channel closes) and waits for its exit before ending the bridge
   * thread, so that the thread is never terminated while it still holds a live child process and its pipes.
   */
  async close(): Promise<void> {
    if (this.dead === null) {
      Atomics.store(this.flag, 0, 0);
      this.port.postMessage('close');
      Atomics.wait(this.flag, 0, 0, 10_000);
      this.dead = 'closed';
    }
    await this.worker.terminate();
  }
}
