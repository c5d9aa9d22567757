/**
 * What the localiser reads of the project: files by path (memoised for one discovery) and call
 * sites counted over the listed source files, read only when asked and within a budget.
 */
import fs from 'node:fs';
import type { CodeAccess } from './localise.js';
import { countCallSites } from './localise.js';

/** Call sites are counted over at most this many files and characters (a larger tree counts a part). */
const MAX_FILES = 5000;
const MAX_TOTAL_CHARS = 64 * 1024 * 1024;

export function projectCode(listFiles: () => readonly string[]): CodeAccess {
  const texts = new Map<string, string | undefined>();
  const calls = new Map<string, number>();
  const read = (file: string) => {
    if (!texts.has(file)) {
      let t: string | undefined;
      try {
        t = fs.readFileSync(file, 'utf8');
      } catch {
        t = undefined;
      }
      texts.set(file, t);
    }
    return texts.get(file);
  };
  let all: string[] | undefined;
  const everything = () => {
    if (all) return all;
    all = [];
    let total = 0;
    for (const f of listFiles().slice(0, MAX_FILES)) {
      const t = read(f);
      if (t === undefined) continue;
      total += t.length;
      if (total > MAX_TOTAL_CHARS) break;
      all.push(t);
    }
    return all;
  };
  return {
    read,
    callSites(name) {
      let n = calls.get(name);
      if (n === undefined) {
        n = countCallSites(everything(), name);
        calls.set(name, n);
      }
      return n;
    },
  };
}
