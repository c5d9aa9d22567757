import fs from 'node:fs';
import type { Config } from '../config/load.js';
import type { FixEntry } from '../state/log.js';
import { SafetyError } from '../util/errors.js';
import { sha256, writeFileAtomic } from '../workspace/atomic.js';
import { writeBackup } from '../workspace/backup.js';
import { containedRealPath } from '../workspace/paths.js';

/**
 * Put a fixed file back to its pre-fix bytes from the fix's backup, after keeping what it holds
 * now in a backup of its own. Refuses (SafetyError, nothing changed) when the backup is missing or
 * not the recorded original, the file is outside the roots, or, unless `force`, the file changed
 * after the fix. Returns the backup restored from, and the backup of what the file held.
 */
export function restoreOriginal(config: Pick<Config, 'roots' | 'backupDir'>, fix: FixEntry, now: number, force = false): { restoredFrom: string; savedCurrent: string } {
  if (!fix.backup || !fs.existsSync(fix.backup)) throw new SafetyError(`the backup of fix ${fix.id} is missing (${fix.backup ?? 'none recorded'})`);
  if (!containedRealPath(fix.file, config.roots)) throw new SafetyError(`${fix.file} is outside the configured roots; not written`);
  const backup = fs.readFileSync(fix.backup);
  if (fix.originalHash && sha256(backup) !== fix.originalHash)
    throw new SafetyError(`the backup ${fix.backup} does not match the original recorded for fix ${fix.id}; not restored`);
  let current: Buffer;
  try {
    current = fs.readFileSync(fix.file);
  } catch {
    current = Buffer.alloc(0);
  }
  if (fix.fixedHash && sha256(current) !== fix.fixedHash && !force)
    throw new SafetyError(`${fix.file} changed after fix ${fix.id}; use --force to restore the pre-fix version anyway`);
  const savedCurrent = writeBackup(fix.file, current, config.backupDir, now);
  writeFileAtomic(fix.file, backup);
  return { restoredFrom: fix.backup, savedCurrent };
}
