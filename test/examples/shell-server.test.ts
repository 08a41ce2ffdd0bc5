/**
 * examples/shell-server: a server on a temporary Unix socket, real clients over the socket.
 * Shared state across connections, the fuel budget (spin), traps (crash), the memory limit,
 * pipelined input and EOF; and the "shell" imports' bounds checks with a WAT guest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Linker, Module, Store, Trap } from '../../src/index.js';
import { SharedState, ShellServer, defineShellImports, startShellServer } from '../../examples/shell-server/server.js';

const WAIT_MS = 60_000;
const PROMPT = '> ';

/** A client that collects what the server sends and waits for prompts. */
class Client {
  private buf = '';
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  /** What arrived and has not been taken yet. */
  get pending(): string {
    return this.buf;
  }

  /** Connects and returns the client with the greeting (everything up to the first prompt). */
  static async connect(path: string): Promise<{ client: Client; greeting: string }> {
    const client = await Client.open(path);
    return { client, greeting: await client.untilPrompt() };
  }

  /** Connects without waiting for anything. */
  static async open(path: string): Promise<Client> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new Client(socket);
  }

  /** Waits until `done(buffer)` holds (or the connection closed), then takes the buffer. */
  async until(done: (buf: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    while (!done(this.buf) && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received so far: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    const out = this.buf;
    this.buf = '';
    return out;
  }

  /** The output up to the next prompt (without it). */
  async untilPrompt(): Promise<string> {
    const out = await this.until((b) => b.endsWith(PROMPT), 'a prompt');
    if (!out.endsWith(PROMPT)) throw new Error(`connection closed; received ${JSON.stringify(out)}`);
    return out.slice(0, -PROMPT.length);
  }

  /** Sends one command and returns its output. */
  async run(command: string): Promise<string> {
    this.socket.write(`${command}\n`);
    return this.untilPrompt();
  }

  /** Everything until the server closes the connection. */
  async untilClosed(): Promise<string> {
    return this.until(() => false, 'the connection to close');
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('examples/shell-server', () => {
  let dir: string;
  let server: ShellServer;
  const clients: Client[] = [];
  const logs: string[] = [];

  async function client(): Promise<Client> {
    const { client: c, greeting } = await Client.connect(server.socketPath);
    expect(greeting).toBe('wasmeter shell: type help\n');
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wasmeter-shell-'));
    server = await startShellServer({
      socketPath: join(dir, 'shell.sock'),
      fuelPerCommand: 5_000_000,
      maxMemoryBytes: 1024 * 1024,
      log: (line) => logs.push(line),
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shares the sum and the key/value map between connections', async () => {
    const a = await client();
    const b = await client();
    expect(await a.run('add 5')).toBe('added 5; sum = 5\n');
    expect(await b.run('add 7')).toBe('added 7; sum = 12\n');
    expect(await a.run('sum')).toBe('sum = 12\n');
    expect(await b.run('sum')).toBe('sum = 12\n');

    expect(await a.run('set greeting hello, world')).toBe('ok\n');
    expect(await b.run('get greeting')).toBe('greeting = hello, world\n');
    expect(await b.run('set greeting bye')).toBe('ok\n');
    expect(await a.run('get greeting')).toBe('greeting = bye\n');
    expect(await a.run('get missing')).toBe('missing is not set\n');
    expect(server.state.sum).toBe(12n);
    expect(server.state.get('greeting')).toBe('bye');

    // a value longer than the guest's first buffer: get is called again with a larger one
    const long = 'x'.repeat(900);
    expect(await a.run(`set long ${long}`)).toBe('ok\n');
    expect(await b.run('get long')).toBe(`long = ${long}\n`);
    expect(await a.run(`set ${'k'.repeat(65)} v`)).toBe('set: bad key (1 to 64 bytes)\n');

    expect(await a.run('help')).toMatch(/^commands:\n {2}add N/);
    expect(await a.run('frobnicate')).toBe("unknown command 'frobnicate'; try help\n");
    expect(await a.run('add five')).toBe('usage: add N\n');
    expect(await a.run('fuel')).toMatch(/^fuel left for this command: \d+\n$/);
    a.close();
    b.close();
  });

  it('aborts a command that runs out of fuel; the connection and the other clients go on', async () => {
    const a = await client();
    const b = await client();
    expect(await a.run('add 1')).toMatch(/^added 1; sum = /);
    a.socket.write('spin\n');
    // b is served while a spins (the guests take turns in time slices)
    expect(await b.run('add 2')).toMatch(/^added 2; sum = /);
    expect(await b.run('get greeting')).toBe('greeting = bye\n');
    expect(await a.untilPrompt()).toBe('out of fuel after 5000000 units; command aborted\n');
    // a keeps its connection, with a fresh guest, and the shared state is intact
    const sum = server.state.sum;
    expect(await a.run('sum')).toBe(`sum = ${sum}\n`);
    expect(await a.run('spin')).toBe('out of fuel after 5000000 units; command aborted\n');
    expect(await a.run('add 0')).toBe(`added 0; sum = ${sum}\n`);
    expect(logs.filter((l) => /out of fuel after 5000000 units/.test(l))).toHaveLength(2);
    a.close();
    b.close();
  });

  it('gives every command the same budget, whatever the previous ones used', async () => {
    const a = await client();
    await a.run('fuel'); // the first command after the greeting takes a slightly different path through libc
    const first = await a.run('fuel');
    for (let i = 0; i < 5; i++) await a.run('alloc 64');
    expect(await a.run('fuel')).toBe(first);
    a.close();
  });

  it('reports a trap to its client, closes that connection and keeps serving', async () => {
    const a = await client();
    const b = await client();
    a.socket.write('crash\n');
    expect(await a.untilClosed()).toBe('guest trapped: unreachable; connection closed\n');
    expect(await b.run('get greeting')).toBe('greeting = bye\n');
    const c = await client();
    expect(await c.run('sum')).toBe(`sum = ${server.state.sum}\n`);
    c.close();
    b.close();
  });

  it('limits each guest’s memory', async () => {
    const a = await client();
    expect(await a.run('alloc 512')).toMatch(/^allocated 512 KiB; linear memory is \d+ KiB\n$/);
    expect(await a.run('alloc 2048')).toBe('alloc: cannot allocate 2048 KiB (memory limit)\n');
    expect(await a.run('alloc 100')).toMatch(/^allocated 100 KiB/);
    a.close();
  });

  it('takes pipelined commands, split lines, quit and EOF', async () => {
    const a = await client();
    // several commands in one write, one command over several writes
    a.socket.write('set p 1\nget p\nset p 2\n');
    expect(await a.untilPrompt()).toBe('ok\n');
    expect(await a.untilPrompt()).toBe('p = 1\n');
    expect(await a.untilPrompt()).toBe('ok\n');
    a.socket.write('ge');
    await new Promise((r) => setTimeout(r, 20));
    a.socket.write('t p\n');
    expect(await a.untilPrompt()).toBe('p = 2\n');
    a.socket.write('quit\n');
    expect(await a.untilClosed()).toBe('bye\n');

    // EOF ends the guest's input: it sees the last line, then exits
    const b = await client();
    b.socket.end('get p');
    expect(await b.untilClosed()).toBe('p = 2\n> ');
  });

  it('time-slices the guests: a long command does not hold up the other connections', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'wasmeter-shell-'));
    // a budget large enough that spinning through it takes far longer than a few time slices
    const s = await startShellServer({ socketPath: join(dir2, 's.sock'), module: server.module, fuelPerCommand: 300_000_000, sliceMs: 5 });
    try {
      const { client: a } = await Client.connect(s.socketPath);
      const { client: b } = await Client.connect(s.socketPath);
      a.socket.write('spin\n');
      for (let i = 1; i <= 5; i++) expect(await b.run(`add ${i}`)).toMatch(/^added \d+; sum = \d+\n$/);
      expect(a.pending).toBe(''); // still spinning
      expect(await a.untilPrompt()).toBe('out of fuel after 300000000 units; command aborted\n');
      a.close();
      b.close();
    } finally {
      await s.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('closes the connection when the budget cannot even start the guest', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'wasmeter-shell-'));
    const s = await startShellServer({ socketPath: join(dir2, 's.sock'), module: server.module, fuelPerCommand: 1000 });
    try {
      const a = await Client.open(s.socketPath);
      expect(await a.untilClosed()).toBe('out of fuel after 1000 units while starting the shell; connection closed\n');
    } finally {
      await s.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('closes connections and removes the socket on close', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'wasmeter-shell-'));
    try {
      const s = await startShellServer({ socketPath: join(dir2, 's.sock'), module: server.module });
      const { client: c } = await Client.connect(s.socketPath);
      c.socket.write('spin\n'); // a guest mid-command is abandoned
      await new Promise((r) => setTimeout(r, 20));
      await s.close();
      await c.untilClosed();
      expect(c.closed).toBe(true);
      expect(s.connections).toBe(0);
      await expect(Client.connect(s.socketPath)).rejects.toThrow();
      // a stale socket file does not stop a new server
      const again = await startShellServer({ socketPath: s.socketPath, module: server.module });
      await again.close();
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});

describe('the "shell" imports', () => {
  const guest = Module.fromWat(`(module
    (import "shell" "set" (func $set (param i32 i32 i32 i32) (result i32)))
    (import "shell" "get" (func $get (param i32 i32 i32 i32) (result i32)))
    (import "shell" "add" (func $add (param i64) (result i64)))
    (memory (export "memory") 1)
    (data (i32.const 0) "key" "value" "\\ff")
    (func (export "set") (param i32 i32 i32 i32) (result i32)
      (call $set (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
    (func (export "get") (param i32 i32 i32 i32) (result i32)
      (call $get (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
    (func (export "add") (param i64) (result i64) (call $add (local.get 0))))`);

  function setup(state = new SharedState()) {
    const store = new Store({ fuel: 1_000_000 });
    const instance = defineShellImports(new Linker(), store, state).instantiate(store, guest);
    return { state, store, instance, mem: instance.memory()! };
  }

  it('passes strings through linear memory', () => {
    const { state, instance, mem } = setup();
    expect(instance.call('set', 0, 3, 3, 5)).toEqual([0]);
    expect(state.get('key')).toBe('value');
    expect(instance.call('get', 0, 3, 100, 2)).toEqual([5]); // truncated to the buffer: full length returned
    expect(new TextDecoder().decode(mem.u8.subarray(100, 105))).toBe('va\0\0\0');
    expect(instance.call('get', 0, 3, 100, 64)).toEqual([5]);
    expect(new TextDecoder().decode(mem.u8.subarray(100, 105))).toBe('value');
    expect(instance.call('get', 3, 5, 100, 64)).toEqual([-1]); // no such key
    expect(instance.call('set', 8, 1, 0, 0)).toEqual([-1]); // not UTF-8
    expect(instance.call('set', 0, 0, 0, 0)).toEqual([-1]); // empty
    expect(instance.call('set', 0, 3, 0, 5000)).toEqual([-2]);
    expect(instance.call('add', 2n ** 63n - 1n)).toEqual([2n ** 63n - 1n]);
    expect(instance.call('add', 1n)).toEqual([-(2n ** 63n)]); // wraps like the guest's long long
  });

  it('traps on a range outside the guest memory, before touching anything', () => {
    const { state, instance } = setup();
    const expectTrap = (f: () => unknown, message: RegExp): void => {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Trap);
      expect((error as Trap).message).toMatch(message);
    };
    expectTrap(() => instance.call('set', 65530, 10, 0, 1), /^shell\.set key \(ptr=65530, len=10\): range \[65530, 65540\) is outside the guest memory of 65536 bytes$/);
    expectTrap(() => instance.call('set', 0, 3, -1, 2), /^shell\.set value \(ptr=4294967295, len=2\)/);
    expectTrap(() => instance.call('get', 0, 3, 65535, 2), /^shell\.get buffer/);
    expectTrap(() => instance.call('get', 0, -1, 0, 0), /read as unsigned 4294967295/);
    expect(state.values.size).toBe(0);
  });

  it('enforces the number of keys', () => {
    const { state, instance } = setup(new SharedState({ maxKeys: 1 }));
    expect(instance.call('set', 0, 3, 3, 5)).toEqual([0]);
    expect(instance.call('set', 0, 3, 3, 2)).toEqual([0]); // replacing is fine
    expect(instance.call('set', 0, 2, 3, 2)).toEqual([-3]);
    expect(state.get('key')).toBe('va');
  });
});
