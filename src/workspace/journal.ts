import fs from 'node:fs';
import path from 'node:path';
import { sha256, writeFileAtomic, writeJsonAtomic, TEMP_MARKER } from './atomic.js';

/**
 * A fix in flight. Written before the file is touched and removed when the fix is settled, so
 * that after a crash the file can be put back to its original or left as a validated fix.
 */
export interface JournalEntry {
  id: string;
  file: string;
  originalHash: string;
  backup: string;
  /** Hash of the candidate being written; set before the write. */
  candidateHash?: string;
  /** `validated` once every validator passed: the candidate may stay after a crash. */
  phase: 'writing' | 'validated' | 'reverting';
  startedAt: string;
}

export interface RecoveryNote {
  file: string;
  action: 'restored' | 'kept-validated' | 'already-original' | 'left-alone';
  detail: string;
}

export class Journal {
  constructor(readonly dir: string) {}

  private pathOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  begin(entry: JournalEntry): void {
    writeJsonAtomic(this.pathOf(entry.id), entry);
  }

  update(entry: JournalEntry): void {
    writeJsonAtomic(this.pathOf(entry.id), entry);
  }

  end(id: string): void {
    fs.rmSync(this.pathOf(id), { force: true });
  }

  pending(): JournalEntry[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: JournalEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as JournalEntry);
      } catch {
        // A journal entry is written atomically; an unreadable one was never complete, and
        // the file it would name was not yet touched.
        fs.rmSync(path.join(this.dir, name), { force: true });
      }
    }
    return out;
  }

  /**
   * Settle every unfinished fix: the file ends as its original bytes (from the backup) or as a
   * candidate that passed validation. Anything else found there is someone else's edit and is
   * left alone, with a note.
   */
  recover(): RecoveryNote[] {
    const notes: RecoveryNote[] = [];
    for (const entry of this.pending()) {
      notes.push(settle(entry));
      removeTempFiles(entry.file);
      this.end(entry.id);
    }
    return notes;
  }
}

function settle(entry: JournalEntry): RecoveryNote {
  const file = entry.file;
  let current: Buffer | undefined;
  try {
    current = fs.readFileSync(file);
  } catch {
    current = undefined;
  }
  const currentHash = current ? sha256(current) : undefined;
  if (currentHash === entry.originalHash)
    return { file, action: 'already-original', detail: `fix ${entry.id} was interrupted before the file changed` };
  if (currentHash !== undefined && currentHash === entry.candidateHash && entry.phase === 'validated')
    return { file, action: 'kept-validated', detail: `fix ${entry.id} had passed validation; kept` };
  if (currentHash === undefined || currentHash === entry.candidateHash) {
    const backup = fs.readFileSync(entry.backup);
    if (sha256(backup) !== entry.originalHash)
      return { file, action: 'left-alone', detail: `backup ${entry.backup} does not match the original hash; not restored` };
    writeFileAtomic(file, backup);
    return { file, action: 'restored', detail: `fix ${entry.id} was interrupted before validation; original restored from ${entry.backup}` };
  }
  return { file, action: 'left-alone', detail: `file changed by someone else since fix ${entry.id} began; left as it is` };
}

function removeTempFiles(file: string): void {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}${TEMP_MARKER}`;
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) fs.rmSync(path.join(dir, n), { force: true });
}

/** The journal of a state folder. */
export function journalFor(config: { stateDir: string }): Journal {
  return new Journal(path.join(config.stateDir, 'journal'));
}
