import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

/** `2026-11-24T18-10-12-345Z`: sortable, and safe in a file name everywhere. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

/**
 * Keep a copy of `bytes` (the file's content before a change) under `backupDir`, mirroring the
 * file's absolute path, with a timestamp: `<backupDir>/srv/app/worker.js.<stamp>.bak`.
 */
export function writeBackup(file: string, bytes: Uint8Array, backupDir: string, now: number): string {
  const mirrored = path.join(backupDir, path.resolve(file).replace(/^[a-zA-Z]:/, '').replace(/^[/\\]+/, ''));
  fs.mkdirSync(path.dirname(mirrored), { recursive: true, mode: 0o700 });
  let target = `${mirrored}.${stamp(now)}.bak`;
  for (let n = 2; fs.existsSync(target); n++) target = `${mirrored}.${stamp(now)}-${n}.bak`;
  writeFileAtomic(target, bytes, { mode: 0o600 });
  return target;
}
