/**
 * Imports in src/ point down: each module imports only from itself and the modules before it in
 * the README's "Layers:" line. The oracle is the import text of every source file, read here
 * without the project's own code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');

function readmeLayers(): string[] {
  const line = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').find((l) => l.startsWith('Layers: '));
  assert.ok(line, 'README.md has a "Layers: " line');
  return [...line.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `src/repair/fix.ts` → `repair`; `src/cycle.ts` → `cycle`. */
function moduleOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

/** Every relative import, static or dynamic, type-only included: a type is a dependency too. */
function importsOf(file: string, text: string): string[] {
  const found = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return found.map((spec) => path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
}

describe('layers', () => {
  const layers = readmeLayers();
  const files = sourceFiles(SRC);

  it('the README names every module of src/ once', () => {
    const modules = [...new Set(files.map(moduleOf))].sort();
    assert.deepEqual([...layers].sort(), modules);
    assert.equal(new Set(layers).size, layers.length, 'a module named twice');
  });

  /** Imports of these sources that point to a module above their own. */
  const upward = (sources: ReadonlyArray<{ file: string; text: string }>): string[] => {
    const found: string[] = [];
    for (const { file, text } of sources) {
      const from = layers.indexOf(moduleOf(file));
      for (const target of importsOf(file, text)) {
        if (!target.startsWith(SRC + path.sep)) continue;
        const to = layers.indexOf(moduleOf(target));
        if (to > from) found.push(`${path.relative(ROOT, file)} imports ${path.relative(ROOT, target)} (${moduleOf(target)} is above ${moduleOf(file)})`);
      }
    }
    return found;
  };

  it('every import in src/ stays in its module or points to a module before it', () => {
    assert.deepEqual(upward(files.map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }))), []);
  });

  it('an upward import, type-only or dynamic, is found (the check can fail)', () => {
    const file = path.join(SRC, 'engine', 'x.ts');
    assert.equal(upward([{ file, text: "import type { Bug } from '../discover/types.js';" }]).length, 1);
    assert.equal(upward([{ file, text: "const m = await import('../repair/fix.js');" }]).length, 1);
    assert.deepEqual(upward([{ file, text: "import { compileVerdict } from '../analysis/compile.js';\nimport { WorkerPool } from './pool.js';" }]), []);
  });
});
