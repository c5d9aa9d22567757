import path from 'node:path';
import { minimalEnv, runProcess } from '../util/proc.js';

/**
 * The file as git's HEAD has it, when the file is tracked: the last version someone committed.
 * Undefined outside a work tree, for an untracked file, or without git. Argv only, no shell.
 */
export async function committedVersion(file: string): Promise<string | undefined> {
  const r = await runProcess('git', ['-C', path.dirname(file), 'show', `HEAD:./${path.basename(file)}`], {
    timeoutMs: 5_000,
    maxOutputBytes: 8 * 1024 * 1024,
    env: minimalEnv(),
  });
  return r.code === 0 && !r.timedOut ? r.stdout : undefined;
}
