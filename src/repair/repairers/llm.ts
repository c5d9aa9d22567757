import path from 'node:path';
import type { Config } from '../../config/load.js';
import { cleanAnswer } from '../../llm/answer.js';
import { getProvider } from '../../llm/registry.js';
import { errorMessage } from '../../util/errors.js';
import { checkForLostCode } from '../loss-guard.js';
import type { Repairer } from '../types.js';

export interface PromptInputs {
  file: string;
  error: string;
  code: string;
}

/** Fill `{{file}}`, `{{error}}` and `{{code}}` in a prompt template. */
export function renderPrompt(template: string, inputs: PromptInputs): string {
  return template.replace(/\{\{\s*(file|error|code)\s*\}\}/g, (_, key: keyof PromptInputs) => inputs[key]);
}

const MAX_ERROR_CHARS = 2000;

/**
 * Ask the configured model for the whole fixed file, with the seed's prompt. The file is sent
 * whole or not at all: a file over the prompt budget is not cut (the seed's 6,000-character cut
 * is how it lost code).
 */
export function llmRepairer(config: Pick<Config, 'llm' | 'roots'>): Repairer {
  return {
    name: 'llm',
    description: `the model ${config.llm.model} via ${config.llm.provider}`,
    handles: ['syntax', 'runtime'],
    async repair({ bug, original, file, format, signal }) {
      const strategy = `llm:${config.llm.provider}:${config.llm.model}`;
      const provider = getProvider(config.llm);
      if (!provider) return { ok: false, strategy, reason: 'no model configured (llm.provider is "none")' };
      if (original.length > config.llm.maxPromptChars)
        return {
          ok: false,
          strategy,
          reason: `file is ${original.length} characters, over llm.maxPromptChars (${config.llm.maxPromptChars}); not sent whole`,
        };
      const root = config.roots.find((r) => file.startsWith(r + path.sep));
      const prompt = renderPrompt(config.llm.promptTemplate, {
        file: root ? path.relative(root, file) : path.basename(file),
        error: bug.detail.slice(0, MAX_ERROR_CHARS),
        code: original,
      });
      let answer: string;
      try {
        const a = await provider.generate({ prompt }, config.llm, signal);
        answer = cleanAnswer(a.text);
      } catch (err) {
        return { ok: false, strategy, reason: `model call failed: ${errorMessage(err)}` };
      }
      // The seed's own floor: anything this short is not a file.
      if (answer.length < 50) return { ok: false, strategy, reason: `empty or near-empty answer (${answer.length} characters)` };
      const lost = checkForLostCode(original, answer, format);
      if (lost) return { ok: false, strategy, reason: `answer rejected: ${lost}` };
      // Keep the file's own line endings and final newline: the model's whitespace habits are not a fix.
      return { ok: true, strategy, text: matchLineEndings(original, answer), note: `whole file from ${config.llm.model}` };
    },
  };
}

function matchLineEndings(original: string, answer: string): string {
  let text = answer.replace(/\r\n/g, '\n');
  if (original.includes('\r\n')) text = text.replace(/\n/g, '\r\n');
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  if (original.endsWith(eol) && !text.endsWith(eol)) text += eol;
  return text;
}
