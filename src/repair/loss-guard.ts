import { diffNames, surfaceOf } from '../analysis/surface.js';
import type { ModuleFormat } from '../analysis/compile.js';

/** Comments and phrases with which models stand in for code they left out. */
const PLACEHOLDERS: RegExp[] = [
  /^\s*(\/\/|\/\*|\*)\s*\.\.\.\s*(\*\/)?\s*$/m,
  /^\s*\.\.\.\s*$/m,
  /\b(rest|remainder) of (the )?(code|file|function|implementation)\b/i,
  /\b(existing|previous|original|other) code\b.*\b(unchanged|here|omitted|remains)\b/i,
  /\b(unchanged|omitted) for brevity\b/i,
  /\.\.\. ?\(?(unchanged|same as before|omitted)\)?/i,
];

/**
 * Reject an answer that loses code before anything is written: placeholders the original did not
 * have, exports or top-level declarations that vanished, or a file much shorter than the one sent.
 */
export function checkForLostCode(original: string, answer: string, format: ModuleFormat): string | undefined {
  if (answer.trim().length === 0) return 'empty answer';
  for (const p of PLACEHOLDERS) {
    const m = p.exec(answer);
    if (m && !p.test(original)) return `answer contains a placeholder instead of code: "${m[0].trim().slice(0, 60)}"`;
  }
  const lines = (t: string) => t.split('\n').filter((l) => l.trim()).length;
  const before = lines(original);
  const after = lines(answer);
  const allowed = Math.max(3, Math.ceil(before * 0.05));
  if (after < before - allowed) return `answer has ${after} non-blank lines where the file had ${before}: code would be lost`;
  if (answer.length < original.length * 0.9 - 200)
    return `answer is ${answer.length} characters where the file had ${original.length}: code would be lost`;
  try {
    const was = surfaceOf(original, format === 'module', true);
    const now = surfaceOf(answer, format === 'module', true);
    const exports = diffNames(was.exports, now.exports).lost;
    if (exports.length) return `answer drops exports: ${exports.slice(0, 8).join(', ')}`;
    const { lost } = diffNames(was.topLevel, now.topLevel);
    if (lost.length) return `answer drops top-level declarations: ${lost.slice(0, 8).join(', ')}`;
  } catch {
    /* the syntax validator reports unparsable answers */
  }
  return undefined;
}
