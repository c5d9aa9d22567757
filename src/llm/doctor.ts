import type { LlmSettings } from './settings.js';
import { errorMessage } from '../util/errors.js';
import { cleanAnswer } from './answer.js';
import { sameModel, showContextLength } from './ollama.js';
import { baseUrlOf, baseUrlsOf, getProvider } from './registry.js';
import { markAnswered, markDown, serverDown } from './servers.js';
import { isLlmError, type LlmAnswer, type LlmProvider, type ModelInfo } from './types.js';

export interface DoctorStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  /** Every step ok. */
  ok: boolean;
  provider: LlmSettings['provider'];
  baseUrl: string | undefined;
  model: string;
  steps: DoctorStep[];
  /** True when the model answers empty unless `think: false` is sent; undefined when not known. */
  thinkFalseNeeded?: boolean;
  /** The model's context window in tokens, when the server reports it. */
  contextLength?: number;
}

/** The seed's Step 1 prompt. */
export const DOCTOR_PROMPT = 'Return only: console.log("hello")';
/** The seed's Step 1 `num_predict`. */
export const DOCTOR_NUM_PREDICT = 50;

const SHOW_CHARS = 80;

/**
 * The seed's Step 1 as a check list: the server is reachable, the model is there, it answers a
 * tiny prompt with `think: false`, and whether it still answers without it (a thinking model
 * answers empty: then `think: false` is needed). Never throws: every failure is a step.
 */
export async function checkModelServer(settings: LlmSettings, signal?: AbortSignal): Promise<DoctorReport> {
  const report: DoctorReport = { ok: false, provider: settings.provider, baseUrl: baseUrlOf(settings), model: settings.model, steps: [] };
  const step = (name: string, ok: boolean, detail: string) => {
    report.steps.push({ name, ok, detail });
    return ok;
  };
  const finish = () => {
    report.ok = report.steps.length > 0 && report.steps.every((s) => s.ok);
    return report;
  };
  const provider = getProvider(settings);
  if (!provider) {
    step('provider', true, 'llm.provider is "none": no model is called');
    return finish();
  }

  // 1. Reachable: the model list answers.
  let models: ModelInfo[];
  try {
    models = await provider.listModels(settings, signal);
  } catch (err) {
    if (report.baseUrl !== undefined) {
      if (serverDown(err)) markDown(settings, report.baseUrl, err);
      else markAnswered(settings, report.baseUrl, { prefer: false });
    }
    step('reachable', false, `${provider.name} server at ${report.baseUrl}: ${errorMessage(err)}`);
    return finish();
  }
  if (report.baseUrl !== undefined) markAnswered(settings, report.baseUrl, { prefer: false });
  step('reachable', true, `${provider.name} server at ${report.baseUrl}, ${models.length} model${models.length === 1 ? '' : 's'}`);

  // 2. The configured model is there (`name` and `name:latest` are the same model).
  const found = models.find((m) => m.name === settings.model || sameModel(m.name, settings.model));
  if (!found) {
    const list = models.length ? models.slice(0, 10).map((m) => m.name).join(', ') + (models.length > 10 ? ', …' : '') : 'none';
    const hint = provider.name === 'ollama' ? ` (ollama pull ${settings.model})` : '';
    step('model present', false, `${settings.model} is not on the server${hint}; it has: ${list}`);
    return finish();
  }
  let contextLength = found.contextLength;
  if (contextLength === undefined && provider.name === 'ollama') {
    try {
      contextLength = await showContextLength(settings, found.name, signal);
    } catch {
      // Informative only.
    }
  }
  if (contextLength !== undefined) report.contextLength = contextLength;
  step('model present', true, `${found.name}${contextLength !== undefined ? `, context ${contextLength} tokens` : ''}`);

  // 3. A tiny generation with think: false answers something.
  const tiny: LlmSettings = { ...settings, numPredict: DOCTOR_NUM_PREDICT, think: false };
  const withFalse = await tryGenerate(provider, { prompt: DOCTOR_PROMPT }, tiny, signal);
  const answered = step(
    'answers',
    withFalse.ok,
    withFalse.ok ? `answered in ${withFalse.answer.durationMs} ms with think: false: ${show(withFalse.answer)}` : withFalse.reason,
  );

  // 4. Is think: false needed? Ask as the mechanic otherwise would: think omitted, or think: true
  //    when that is what the config sends.
  if (provider.name !== 'ollama') {
    step('think', true, `not applicable: the ${provider.name} protocol has no think field`);
    return finish();
  }
  const omit = settings.think === false;
  const how = omit ? 'without think' : 'with think: true (llm.think)';
  const other = await tryGenerate(provider, omit ? { prompt: DOCTOR_PROMPT, omitThink: true } : { prompt: DOCTOR_PROMPT }, { ...tiny, think: settings.think }, signal);
  if (other.ok) {
    report.thinkFalseNeeded = false;
    step('think', true, `answers ${how} too, so think: false is not needed: ${show(other.answer)}`);
  } else if (other.empty && answered) {
    report.thinkFalseNeeded = true;
    step(
      'think',
      settings.think === false,
      settings.think === false
        ? `answers empty ${how}${other.thinkingChars ? ` (${other.thinkingChars} characters of thinking)` : ''}: think: false is needed, and llm.think is false`
        : `answers empty ${how}${other.thinkingChars ? ` (${other.thinkingChars} characters of thinking)` : ''}: set llm.think to false`,
    );
  } else {
    // Could not tell (a server that refuses think for a non-thinking model, a timeout, …).
    step('think', settings.think === false, `could not tell whether think: false is needed: ${other.reason}`);
  }
  return finish();
}

/** `checkModelServer` for each configured server (`llm.baseUrl` may be a list), at the same time, in configured order. */
export function checkModelServers(settings: LlmSettings, signal?: AbortSignal): Promise<DoctorReport[]> {
  const urls = baseUrlsOf(settings);
  if (urls.length <= 1) return Promise.all([checkModelServer(settings, signal)]);
  return Promise.all(urls.map((url) => checkModelServer({ ...settings, baseUrl: url }, signal)));
}

type Attempt =
  | { ok: true; answer: LlmAnswer }
  | { ok: false; reason: string; empty: boolean; thinkingChars: number };

async function tryGenerate(
  provider: LlmProvider,
  req: Parameters<LlmProvider['generate']>[0],
  settings: LlmSettings,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  try {
    const answer = await provider.generate(req, settings, signal);
    if (cleanAnswer(answer.text) === '')
      return { ok: false, reason: `the answer is empty once fences and think blocks are removed: ${show(answer)}`, empty: true, thinkingChars: answer.thinking?.length ?? 0 };
    return { ok: true, answer };
  } catch (err) {
    if (isLlmError(err, 'empty')) return { ok: false, reason: errorMessage(err), empty: true, thinkingChars: err.thinkingChars ?? 0 };
    return { ok: false, reason: errorMessage(err), empty: false, thinkingChars: 0 };
  }
}

function show(answer: LlmAnswer): string {
  const flat = answer.text.replace(/\s+/g, ' ').trim();
  return flat.length > SHOW_CHARS ? `${flat.slice(0, SHOW_CHARS - 1)}…` : flat;
}
