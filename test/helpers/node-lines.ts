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
  if (works(bin, major)) return { bin };
  // Test files load in parallel and may each ask: every one installs into a folder of its own
  // and renames it into place, so none ever sees another's half-made install.
  const own = `${dir}.${process.pid}`;
  fs.rmSync(own, { recursive: true, force: true });
  fs.mkdirSync(own, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', own, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], {
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
  });
  if (r.status === 0) {
    // A folder left by an older, unfinished install is set aside; one another file just put there is kept.
    if (fs.existsSync(dir) && !works(bin, major)) fs.renameSync(dir, `${dir}.broken.${process.pid}`);
    try {
      fs.renameSync(own, dir);
    } catch {
      // another file's install is already in place
    }
  }
  fs.rmSync(own, { recursive: true, force: true });
  if (works(bin, major)) return { bin };
  return { missing: `npm install node@${major} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}` };
}

export const node24 = (): { bin: string } | { missing: string } => nodeLine(24);

function works(bin: string, major: number): boolean {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith(`v${major}.`);
}
