import fs from 'node:fs';
import type { Config } from '../config/load.js';
import type { FixEntry } from '../state/log.js';
import { SafetyError } from '../util/errors.js';
import { sha256, writeFileAtomic } from '../workspace/atomic.js';
import { writeBackup } from '../workspace/backup.js';
import { containedRealPath } from '../workspace/paths.js';

/** One file of a fix put back: where its original came from, and the backup of what it held. */
export interface Restored {
  file: string;
  restoredFrom: string;
  savedCurrent: string;
}

/**
 * Put every file a fix changed back to its pre-fix bytes from the fix's backups, after keeping
 * what each holds now in a backup of its own. A fix across files is undone as one: every file is
 * checked before any is written, and refuses (SafetyError, nothing changed) when a backup is
 * missing or not the recorded original, a file is outside the roots, or, unless `force`, a file
 * changed after the fix. Returns the bug's file first (when the fix changed it), then the others.
 */
export function restoreFix(config: Pick<Config, 'roots' | 'backupDir'>, fix: FixEntry, now: number, force = false): Restored[] {
  const files = [
    ...(fix.backup !== undefined || !fix.others?.length ? [{ file: fix.file, backup: fix.backup, originalHash: fix.originalHash, fixedHash: fix.fixedHash }] : []),
    ...(fix.others ?? []),
  ];
  const plan = files.map((f) => {
    if (!f.backup || !fs.existsSync(f.backup)) throw new SafetyError(`the backup of fix ${fix.id}${files.length > 1 ? ` for ${f.file}` : ''} is missing (${f.backup ?? 'none recorded'})`);
    if (!containedRealPath(f.file, config.roots)) throw new SafetyError(`${f.file} is outside the configured roots; not written`);
    const backup = fs.readFileSync(f.backup);
    if (f.originalHash && sha256(backup) !== f.originalHash)
      throw new SafetyError(`the backup ${f.backup} does not match the original recorded for fix ${fix.id}; not restored`);
    let current: Buffer;
    try {
      current = fs.readFileSync(f.file);
    } catch {
      current = Buffer.alloc(0);
    }
    if (f.fixedHash && sha256(current) !== f.fixedHash && !force)
      throw new SafetyError(`${f.file} changed after fix ${fix.id}; use --force to restore the pre-fix version anyway`);
    return { file: f.file, from: f.backup, backup, current };
  });
  const done: Array<Restored & { current: Buffer }> = [];
  try {
    for (const p of plan) {
      const savedCurrent = writeBackup(p.file, p.current, config.backupDir, now);
      writeFileAtomic(p.file, p.backup);
      done.push({ file: p.file, restoredFrom: p.from, savedCurrent, current: p.current });
    }
  } catch (err) {
    // Half a revert is a fix that is neither: the files already put back get the fix again.
    for (const d of done) writeFileAtomic(d.file, d.current);
    throw err;
  }
  return done.map(({ file, restoredFrom, savedCurrent }) => ({ file, restoredFrom, savedCurrent }));
}
