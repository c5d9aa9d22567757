/**
 * Another node version to check verdict parity against: node 24 from the npm package `node@24`
 * (its binary comes from the npm registry, like any dependency), installed once into the ignored
 * `.cache/node24`. Returns the binary, or why there is none (no registry: the caller skips).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli.ts';

const DIR = path.join(repoRoot, '.cache', 'node24');
const BIN = path.join(DIR, 'node_modules', 'node', 'bin', 'node');

export function node24(): { bin: string } | { missing: string } {
  if (!works(BIN)) {
    fs.mkdirSync(DIR, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', DIR, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'node@24'], {
      encoding: 'utf8',
      timeout: 10 * 60 * 1000,
    });
    if (r.status !== 0 || !works(BIN)) return { missing: `npm install node@24 failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}` };
  }
  return { bin: BIN };
}

function works(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /^v24\./.test(r.stdout);
}
