import { withChain } from './chain.js';
import { cleanAnswer } from '../../llm/answer.js';
import type { EditFormat } from './types.js';

/** Fill `{{name}}` placeholders; unknown names are left as they are. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (m, key: string) => values[key] ?? m);
}

/**
 * The seed's format: the whole file in, the whole fixed file back. Only for a file whose prompt
 * fits the budget; the file is never cut (the seed's 6,000-character cut is how it lost code).
 */
export function wholeFormat(promptTemplate: string): EditFormat {
  return {
    name: 'whole',
    plan(input, budgetChars) {
      const context = input.context ?? [];
      let prompt = '';
      for (let k = context.length; k >= 0; k--) {
        prompt = fillTemplate(promptTemplate, { file: input.displayName, error: withChain(input.error, context, k), code: input.text });
        if (prompt.length <= budgetChars) break;
      }
      if (prompt.length > budgetChars)
        return { reason: `the whole-file prompt is ${prompt.length} characters, over the prompt budget (${budgetChars}); not sent whole` };
      const lines = input.text.split('\n').length;
      return {
        format: 'whole',
        prompt,
        shown: { start: 1, end: lines },
        apply(answer) {
          const text = cleanAnswer(answer);
          // The seed's own floor: anything this short is not a file.
          if (text.length < 50) return { ok: false, reason: `empty or near-empty answer (${text.length} characters)` };
          return { ok: true, text: matchLineEndings(input.text, text), note: 'whole file' };
        },
      };
    },
  };
}

/** Keep the file's own line endings and final newline: the model's whitespace habits are not a fix. */
export function matchLineEndings(original: string, answer: string): string {
  let text = answer.replace(/\r\n/g, '\n');
  if (original.includes('\r\n')) text = text.replace(/\n/g, '\r\n');
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  if (original.endsWith(eol) && !text.endsWith(eol)) text += eol;
  return text;
}
