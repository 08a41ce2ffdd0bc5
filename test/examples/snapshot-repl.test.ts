import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Repl } from '../../examples/snapshot-repl/repl.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmeter-repl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('snapshot-repl: state across messages, saved and restored in a new REPL', () => {
  const a = new Repl();
  expect(['add 5', 'mul 3', 'push 4', 'push 6', 'sum', 'get'].map((l) => a.handle(l))).toEqual(['5', '15', '1', '2', '10', '15']);
  const file = join(dir, 's.snap');
  expect(a.handle(`!!snapshot ${file}`)).toBe(`snapshot written to ${file}`);
  expect(a.handle('add 100')).toBe('115');
  // another REPL (as another process would) picks the state up where the snapshot left it
  const b = new Repl();
  expect(b.handle(`!!restore ${file}`)).toMatch(/^restored from .* \(fuel consumed so far: \d+\)$/);
  expect(['get', 'push 10', 'sum'].map((l) => b.handle(l))).toEqual(['15', '3', '20']);
  expect(a.handle(`!!restore ${file}`)).toMatch(/^restored/);
  expect(a.handle('get')).toBe('15');
  expect(a.handle('!!restore /nonexistent')).toMatch(/^cannot restore/);
  expect(a.handle('frobnicate')).toMatch(/^unknown message/);
});
