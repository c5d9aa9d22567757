import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Repairer = typeof import('../../src/repair/deterministic/index.js');

/** The newest modification time of a .ts file under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The deterministic repairer as it ships (dist/, tsc's output; the CLI's bundle is the same code
 * through esbuild), not the sources under tsx: tsx's esbuild keeps function names, wrapping each
 * closure as it is made in a call that names it, which no shipped build does (measured side by
 * side, bench/profile-repair.ts's median 8-9% slower from src/). A dist/ missing or older than
 * src/ is refused: it would time other code than the sources.
 */
export async function shippedRepairer(): Promise<Repairer> {
  const entry = path.resolve('dist', 'repair', 'deterministic', 'index.js');
  if (!fs.existsSync(entry)) throw new Error('dist/ is missing: npm run build first');
  if (newestSource(path.resolve('src')) > fs.statSync(entry).mtimeMs) throw new Error('dist/ is older than src/: npm run build first');
  return (await import(pathToFileURL(entry).href)) as Repairer;
}
