/**
 * Runs every ```ts example of docs/api.md and README.md against the source
 * (`'wasmeter'` is rewritten to the absolute path of src/index.ts). Each
 * example is written to a temporary .ts file and imported, so vitest
 * transpiles it like any test module; an example passes when importing it
 * does not throw. Examples check their own results with node:assert.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = join(root, 'src/index.ts');

interface Example {
  doc: string;
  line: number;
  heading: string;
  code: string;
}

/** The ```ts fenced blocks of a markdown file, with the line and the heading they appear under. */
export function extractExamples(doc: string, text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^#{1,6} /.test(l)) heading = l.replace(/^#+ /, '');
    if (l.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: unterminated code block`);
    out.push({ doc, line: i + 1, heading, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

/** Points the example's imports of 'wasmeter' at the source entry point (a file URL to run, a path to type-check). */
function toSource(code: string, target = pathToFileURL(entry).href): string {
  return code.replace(/from\s+(['"])wasmeter\1/g, `from ${JSON.stringify(target)}`);
}

const examples = ['docs/api.md', 'README.md'].flatMap((doc) => extractExamples(doc, readFileSync(join(root, doc), 'utf8')));
const dir = mkdtempSync(join(tmpdir(), 'wasmeter-api-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('documentation examples', () => {
  it('finds the examples', () => {
    const api = examples.filter((e) => e.doc === 'docs/api.md');
    expect(api.length).toBeGreaterThanOrEqual(12);
    // every section of docs/api.md has a runnable example
    const sections = readFileSync(join(root, 'docs/api.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3));
    expect(new Set(api.map((e) => e.heading))).toEqual(new Set(sections));
    expect(examples.some((e) => e.doc === 'README.md')).toBe(true);
  });

  it('rewrites only the package imports', () => {
    const code = toSource(`import { Module } from 'wasmeter';\nimport assert from 'node:assert/strict';\nconst s = "from 'wasmeter'";`);
    expect(code).toContain(pathToFileURL(entry).href);
    expect(code).toContain(`from 'node:assert/strict'`);
    expect(extractExamples('x.md', '# A\n```ts\nfoo();\n```\n```sh\nls\n```\n## B\n```ts\nbar();\n```\n')).toEqual([
      { doc: 'x.md', line: 2, heading: 'A', code: 'foo();' },
      { doc: 'x.md', line: 9, heading: 'B', code: 'bar();' },
    ]);
  });

  it('type-check against the source (with the project\'s compiler options)', () => {
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), (f) => ts.sys.readFile(f));
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const files = examples.map((ex, i) => {
      const file = join(dir, `check-${i}.ts`);
      writeFileSync(file, `${toSource(ex.code, entry.replace(/\.ts$/, '.js'))}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, { ...options, noEmit: true, typeRoots: [join(root, 'node_modules/@types')] });
    // the examples' own diagnostics (and the program's global ones): checking them checks what they use of the source,
    // and the source itself is `tsc --noEmit`'s (npm test runs it), which checking every file of the program here repeated
    const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
    for (const f of files) {
      const sf = program.getSourceFile(f)!;
      diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
    }
    const errors = diagnostics.map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return text;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const k = files.indexOf(d.file.fileName);
      const where = k >= 0 ? `${examples[k]!.doc}:${examples[k]!.line + 1 + line}` : `${d.file.fileName}:${line + 1}`;
      return `${where}: ${text}`;
    });
    expect(errors).toEqual([]);
  });

  for (const [i, ex] of examples.entries()) {
    it(`${ex.doc}:${ex.line} (${ex.heading}) runs`, async () => {
      // examples are self-checking: they import from the package and assert their results
      expect(ex.code).toMatch(/from ['"]wasmeter['"]/);
      expect(ex.code).toMatch(/from ['"]node:assert(\/strict)?['"]/);
      expect(ex.code).toMatch(/\bassert(\.\w+)?\(/);
      const file = join(dir, `example-${i}.ts`);
      writeFileSync(file, `${toSource(ex.code)}\nexport const __ran = true;\n`);
      const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { __ran?: boolean };
      expect(mod.__ran).toBe(true);
    });
  }
});
