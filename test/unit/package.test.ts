/**
 * What the npm package holds: the library without runtime dependencies, the
 * CLI with its dependencies bundled, a LICENSE, no benchmark bundle and no
 * source maps (`npm pack --dry-run`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Options } from 'tsup';
import { describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('the npm package', () => {
  it('has no runtime dependencies; the CLI bundles every package it imports', () => {
    expect(pkg['dependencies']).toBeUndefined();
    const cli = (tsupConfig as Options[]).find((o) => (o.entry as Record<string, string>)['cli/main'] !== undefined)!;
    const imported = readdirSync(join(ROOT, 'src/cli'))
      .flatMap((f) => [...readFileSync(join(ROOT, 'src/cli', f), 'utf8').matchAll(/^import .* from '([^.][^']*)';$/gm)])
      .map((m) => m[1]!)
      .filter((m) => !m.startsWith('node:'));
    expect(imported.length).toBeGreaterThan(0);
    expect([...(cli.noExternal as string[])].sort()).toEqual([...new Set(imported)].sort());
    for (const m of imported) expect(Object.keys(pkg['devDependencies'] as object)).toContain(m);
  });
  it('ships LICENSE (Apache-2.0), no benchmark bundle and no source maps', () => {
    expect(pkg['license']).toBe('Apache-2.0');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as [
      { files: { path: string }[] },
    ];
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('LICENSE');
    expect(paths.filter((p) => p.endsWith('.map') || p.includes('bench'))).toEqual([]);
    if (existsSync(join(ROOT, 'dist/index.js'))) {
      expect(paths).toEqual(
        expect.arrayContaining(['dist/cli.cjs', 'dist/cli/main.cjs', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/webassembly.js', 'dist/webassembly.d.ts', 'dist/register.js']),
      );
      // the CLI is its process entry and one bundle (src/cli/cache.ts)
      expect(paths.filter((p) => p.startsWith('dist/cli')).sort()).toEqual(['dist/cli.cjs', 'dist/cli/main.cjs']);
      // the spec runner's browser build is for the browser test only
      expect(paths.filter((p) => p.startsWith('dist/spec.'))).toEqual([]);
    }
  });
});
