/**
 * Other node versions to check against: node 22 and 24 from the npm packages `node@22`/`node@24`
 * (their binaries come from the npm registry, like any dependency), each installed once into
 * the ignored `.cache/node<major>`. Returns the binary, or why there is none (no registry: the
 * caller skips, and fails in CI).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli.ts';

export function nodeLine(major: 22 | 24): { bin: string } | { missing: string } {
  const dir = path.join(repoRoot, '.cache', `node${major}`);
  const bin = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!works(bin, major)) {
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], {
      encoding: 'utf8',
      timeout: 10 * 60 * 1000,
    });
    if (r.status !== 0 || !works(bin, major)) return { missing: `npm install node@${major} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}` };
  }
  return { bin };
}

export const node24 = (): { bin: string } | { missing: string } => nodeLine(24);

function works(bin: string, major: number): boolean {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith(`v${major}.`);
}
