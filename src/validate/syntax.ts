import { isJavaScript, type Validator } from './types.js';

/** The fix must parse, by the same verdict as `node --check`. */
export const syntaxValidator: Validator = {
  name: 'syntax',
  description: 'the file parses (node --check verdict)',
  stage: 'memory',
  appliesTo: ({ file }) => isJavaScript(file),
  async validate({ after, file, checker }) {
    const v = await checker.checkText(after, file);
    if (v.ok) return { ok: true };
    return { ok: false, reason: `does not parse: ${v.errorType}: ${v.message}${v.line ? ` at ${v.line}:${v.column}` : ''}` };
  },
};
