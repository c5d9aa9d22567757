import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/load.js';
import type { LlmSettings } from '../../llm/settings.js';
import { callModel, isTransient, modelContextLength } from '../../llm/call.js';
import { redactorFor } from '../../util/secrets.js';
import { getProvider } from '../../llm/registry.js';
import { CHARS_PER_TOKEN, isLlmError } from '../../llm/types.js';
import { errorMessage } from '../../util/errors.js';
import { containingRoot } from '../../workspace/paths.js';
import type { EditFormat, FormatPlan } from '../formats/types.js';
import { windowFormat } from '../formats/window.js';
import { callChainSections, type ChainFile } from '../formats/chain.js';
import { wholeFormat } from '../formats/whole.js';
import { checkForLostCode } from '../loss-guard.js';
import type { OtherFileChange, Repairer } from '../types.js';
import type { ModuleFormat } from '../../analysis/compile.js';
import { hasModuleSyntax } from '../../analysis/surface.js';

const MAX_ERROR_CHARS = 2000;
/** Of a rejected answer, this much goes back to the model with the validator's message. */
const MAX_PREVIOUS_CHARS = 4000;
/** Tokens of the window the template, the error and rounding take besides the prompt text. */
const CONTEXT_MARGIN_TOKENS = 256;
/** Below this, no prompt of either format can say enough. */
const MIN_PROMPT_CHARS = 600;
/** The most lines of the call chain shown for one frame or definition. */
const CHAIN_MAX_LINES = 40;

/**
 * A file of a runtime error's call chain as the model sees it: under a root, masked as the edited
 * file is. What was read is kept in `read`: an edit of that file is built on exactly that text.
 */
function chainFile(f: string, edited: string, original: string, roots: readonly string[], mask: (t: string) => string, read: Map<string, string>): ChainFile {
  const root = containingRoot(f, roots);
  if (!root) return undefined;
  try {
    const text = f === edited ? original : (read.get(f) ?? fs.readFileSync(f, 'utf8'));
    read.set(f, text);
    return { name: path.relative(root, f), text: mask(text) };
  } catch {
    return undefined;
  }
}

/** How a file of the chain is parsed, for the loss guard: by its extension, else by its text. */
function formatGuess(file: string, text: string): ModuleFormat {
  if (file.endsWith('.mjs')) return 'module';
  if (file.endsWith('.cjs')) return 'commonjs';
  return hasModuleSyntax(text) ? 'module' : 'commonjs';
}

/**
 * The prompt budget in characters: the configured one, the token budget, and what the model's
 * context window leaves once the answer (`numPredict`) has its room, whichever is smallest.
 */
export function promptBudget(llm: LlmSettings, contextLength: number | undefined): number {
  let budget = llm.maxPromptChars;
  if (llm.maxPromptTokens !== undefined) budget = Math.min(budget, llm.maxPromptTokens * CHARS_PER_TOKEN);
  if (contextLength !== undefined) budget = Math.min(budget, Math.max(0, contextLength - llm.numPredict - CONTEXT_MARGIN_TOKENS) * CHARS_PER_TOKEN);
  return budget;
}

/**
 * Ask the configured model for a fix, in the first edit format that can serve the file: the whole
 * file when it fits the prompt budget and the answer fits `numPredict`, else a window answered
 * with search/replace blocks. Secrets are masked on the way out and put back in the answer;
 * connection failures and 5xx are retried; an answer that loses code is rejected before anything
 * is written. Learns from a failed validation once (the ladder asks again with `feedback`).
 */
export function llmRepairer(config: Pick<Config, 'llm' | 'roots'>): Repairer {
  const llm = config.llm;
  const formats: EditFormat[] = [];
  const whole = wholeFormat(llm.promptTemplate);
  const window = windowFormat({ template: llm.windowPromptTemplate, contextLines: llm.windowLines, maxLines: llm.maxWindowLines });
  if (llm.editFormat !== 'window') formats.push(whole);
  if (llm.editFormat !== 'whole') formats.push(window);
  // The raw answer last rejected, per file, for the feedback retry.
  const previous = new Map<string, string>();

  return {
    name: 'llm',
    description: `the model ${llm.model} via ${llm.provider}`,
    handles: ['syntax', 'runtime'],
    learnsFromFeedback: llm.feedbackRetry,
    budgetMs: llm.fileBudgetMs ?? 2 * llm.timeoutMs,
    async repair({ bug, original, file, format, signal, feedback }) {
      const strategy = `llm:${llm.provider}:${llm.model}`;
      const fail = (reason: string, rejected = false) => ({ ok: false as const, strategy, reason, ...(rejected ? { rejected } : {}) });
      const provider = getProvider(llm);
      if (!provider) return fail('no model configured (llm.provider is "none")');

      const root = containingRoot(file, config.roots);
      const redactor = llm.redact ? redactorFor(file, root, llm.redactPatterns) : undefined;
      const mask = (t: string) => (redactor ? redactor.mask(t) : t);
      const chainRead = new Map<string, string>();
      const input = {
        bug,
        text: mask(original),
        displayName: root ? path.relative(root, file) : path.basename(file),
        error: mask(bug.detail.slice(0, MAX_ERROR_CHARS)),
        context: callChainSections(bug, (f) => chainFile(f, file, original, config.roots, mask, chainRead), {
          frames: llm.callChainFrames,
          maxLines: CHAIN_MAX_LINES,
        }),
      };

      const contextLength = await modelContextLength(provider, llm, signal);
      const budget = promptBudget(llm, contextLength);
      if (contextLength !== undefined && budget < MIN_PROMPT_CHARS)
        return fail(`the model's context window (${contextLength} tokens) leaves no room for a prompt once llm.numPredict (${llm.numPredict}) is reserved`);
      const why: string[] = [];
      let plan: FormatPlan | undefined;
      for (const f of formats) {
        if (f === whole && formats.length > 1) {
          // The fixed file comes back whole: it must fit in what the model may write.
          const tokens = Math.ceil(input.text.length / CHARS_PER_TOKEN);
          if (tokens > llm.numPredict) {
            why.push(`whole: the fixed file (~${tokens} tokens) would not fit llm.numPredict (${llm.numPredict})`);
            continue;
          }
        }
        const p = f.plan(input, budget);
        if ('reason' in p) why.push(`${f.name}: ${p.reason}`);
        else {
          plan = p;
          break;
        }
      }
      if (!plan) return fail(why.join('; '));

      let prompt = plan.prompt;
      const key = `${file}\0${bug.id}`;
      const last = previous.get(key);
      previous.delete(key);
      if (feedback && last !== undefined) {
        prompt +=
          `\n\nYOUR PREVIOUS ANSWER WAS REJECTED:\n${mask(feedback)}\n` +
          `PREVIOUS ANSWER:\n${mask(last.slice(0, MAX_PREVIOUS_CHARS))}\n` +
          `Answer again in the same form, fixing that.`;
      }

      let raw: string;
      let attempts: number;
      let via = '';
      try {
        const r = await callModel(provider, { prompt, ...(contextLength !== undefined ? { contextLength } : {}) }, llm, signal ? { signal } : {});
        raw = r.answer.text;
        attempts = r.attempts;
        // Say where the fix came from when the first choice was down (a pool, llm.baseUrl a list).
        if (r.failedOver.length) via = ` at ${r.server} (${r.failedOver.join(', ')} down)`;
      } catch (err) {
        return { ...fail(`model call failed: ${errorMessage(err)}`), ...(isOutage(err) ? { outage: true } : {}) };
      }
      previous.set(key, raw);
      // A daemon meets many files: remember only the latest few answers.
      if (previous.size > 64) previous.delete(previous.keys().next().value!);
      const applied = plan.apply(raw);
      if (!applied.ok) return fail(`loss-guard: answer rejected (${plan.format}): ${applied.reason}`, true);
      const text = redactor ? redactor.unmask(applied.text) : applied.text;
      const lost = checkForLostCode(original, text, format);
      if (lost) return fail(`loss-guard: answer rejected (${plan.format}): ${lost}`, true);
      // The other files of the chain it edits: each held to the same guard.
      const others: OtherFileChange[] = [];
      for (const o of applied.others ?? []) {
        const before = chainRead.get(o.file);
        if (before === undefined) return fail(`loss-guard: answer rejected (${plan.format}): ${o.file} was not read`, true);
        const after = redactor ? redactor.unmask(o.text) : o.text;
        const lostThere = checkForLostCode(before, after, formatGuess(o.file, before));
        if (lostThere) return fail(`loss-guard: answer rejected (${plan.format}): ${path.relative(root ?? path.dirname(file), o.file)}: ${lostThere}`, true);
        others.push({ file: o.file, before, text: after });
      }
      const tries = attempts > 1 ? ` after ${attempts} tries` : '';
      const note = `${applied.note} from ${llm.model}${via}${tries}${feedback ? ', asked again with the validation error' : ''}`;
      return { ok: true, strategy, text, note, ...(others.length ? { others } : {}) };
    },
  };
}

/** The server, not the file, is at fault: no connection, a 5xx or 429 after the retries, no answer in time. */
function isOutage(err: unknown): boolean {
  return isTransient(err) || isLlmError(err, 'timeout') || isLlmError(err, 'aborted');
}
