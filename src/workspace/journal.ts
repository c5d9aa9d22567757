import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { errorMessage } from '../util/errors.js';
import { sha256, writeFileAtomic, writeJsonAtomic, TEMP_MARKER } from './atomic.js';
import { writeRefusal } from './paths.js';
import { makeProtection } from './protect.js';

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
  /** A fix across several files: the others, written and settled with the first as one. */
  also?: Array<{ file: string; originalHash: string; backup: string; candidateHash?: string }>;
}

export interface RecoveryNote {
  file: string;
  /** `refused`: the entry names a file the mechanic may not write (outside the roots, protected): not written. */
  action: 'restored' | 'kept-validated' | 'already-original' | 'left-alone' | 'refused';
  detail: string;
}

export class Journal {
  /** `refusal`: why a file may not be written, or undefined; recovery writes nothing it refuses. */
  constructor(
    readonly dir: string,
    private readonly refusal: (file: string) => string | undefined,
  ) {}

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
   * left alone, with a note. An entry is settled once: a note says what was done, and the
   * entry is gone. Only an error that may pass (the disk refusing a read or a write) keeps it
   * for the next run, with a note; recovery itself never throws.
   */
  recover(): RecoveryNote[] {
    const notes: RecoveryNote[] = [];
    for (const entry of this.pending()) {
      // Each file of the fix is settled by the same rule, in the fix's phase: until every file was
      // validated, every file that holds its candidate gets its original back.
      const files: JournalEntry[] = [entry, ...(Array.isArray(entry.also) ? entry.also.map((f) => ({ ...entry, ...f, also: undefined })) : [])];
      let keep = false;
      for (const one of files) {
        // Checked like any write: a journal entry is a file on disk that anyone could have put there.
        const refused = typeof one.file === 'string' && path.isAbsolute(one.file) ? this.refusal(one.file) : 'not an absolute path';
        if (refused) {
          notes.push({ file: String(one.file), action: 'refused', detail: `fix ${entry.id} names a file the mechanic may not write (${refused}); nothing written there` });
          continue;
        }
        let note: RecoveryNote;
        try {
          note = settle(one);
        } catch (err) {
          notes.push({ file: one.file, action: 'left-alone', detail: `fix ${entry.id} could not be settled (${errorMessage(err)}); tried again next run` });
          keep = true;
          continue;
        }
        notes.push(note);
        removeTempFiles(one.file);
      }
      // Settling again is harmless: a file already restored is found as its original.
      if (!keep) this.end(entry.id);
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
    let backup: Buffer;
    try {
      backup = fs.readFileSync(entry.backup);
    } catch (err) {
      // Gone for good: nothing can restore the original, and asking again next run changes nothing.
      if (!isGone(err)) throw err;
      return { file, action: 'left-alone', detail: `fix ${entry.id} was interrupted, but its backup ${entry.backup} is missing; the file cannot be restored and is left as it is` };
    }
    if (sha256(backup) !== entry.originalHash)
      return { file, action: 'left-alone', detail: `backup ${entry.backup} does not match the original hash; not restored` };
    writeFileAtomic(file, backup);
    return { file, action: 'restored', detail: `fix ${entry.id} was interrupted before validation; original restored from ${entry.backup}` };
  }
  return { file, action: 'left-alone', detail: `file changed by someone else since fix ${entry.id} began; left as it is` };
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
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

/** The journal of a state folder; recovery writes only where a fix may write. */
export function journalFor(config: Pick<Config, 'stateDir' | 'roots' | 'protect' | 'backupDir' | 'file'>): Journal {
  const protection = makeProtection(config);
  return new Journal(path.join(config.stateDir, 'journal'), (file) => protection(file) ?? writeRefusal(file, config.roots));
}
