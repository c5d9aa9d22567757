import { z } from 'zod';

/** The seed's model settings, as the prototype had them. */
export const LLM_SEED = {
  model: 'mdq100/qwen3.5-coder:35b',
  fixTimeoutMs: 2 * 60 * 1000,
  think: false,
  temperature: 0.1,
  numPredict: 2048,
} as const;

/** The seed's prompt, word for word, with its inputs as placeholders. */
export const SEED_PROMPT_TEMPLATE = `You are a senior Node.js engineer fixing a production bug.
FILE: {{file}}
ERROR: {{error}}
CODE: {{code}}
Fix the bug. Return ONLY the complete fixed file content.
No explanation. No markdown. No preamble. Just raw JavaScript.
Do not add dependencies. Do not change module.exports.`;

/**
 * The window format's prompt: numbered lines around the error, answered with search/replace
 * blocks (Aider's format), which the mechanic applies to the whole file.
 */
export const WINDOW_PROMPT_TEMPLATE = `You are a senior Node.js engineer fixing a production bug.
FILE: {{file}} ({{totalLines}} lines)
ERROR: {{error}}
LINES {{startLine}}-{{endLine}} OF THE FILE (each line starts with its number and "| ", which are not part of the code; the line marked ">" is where the error is reported):
{{window}}
Fix the bug by editing only these lines. Answer ONLY with one or more blocks of this form:
<<<<<<< SEARCH
exact lines copied from above, without their numbers
=======
the lines that replace them
>>>>>>> REPLACE
Each SEARCH must match the file exactly once. No explanation. No markdown.
Do not add dependencies. Do not change module.exports.`;

const positiveMs = z.number().int().positive();
const serverUrl = z.url({ protocol: /^https?$/ });

/** `llm.baseUrl` as a list, each without its trailing slash (empty when not configured). */
export function serverUrls(baseUrl: string | readonly string[] | undefined): string[] {
  if (baseUrl === undefined) return [];
  return (typeof baseUrl === 'string' ? [baseUrl] : [...baseUrl]).map((u) => u.replace(/\/+$/, ''));
}

export const llmSchema = z.strictObject({
  /** `none` turns the model rung of the ladder off. */
  provider: z.enum(['ollama', 'openai', 'none']).default('ollama'),
  /**
   * Ollama: the server root. OpenAI-compatible: the root that `/v1/chat/completions` hangs off.
   * A list is a pool tried in order when one is down (llm/servers.ts).
   */
  baseUrl: z
    .union([serverUrl, z.array(serverUrl).min(1)])
    .refine((v) => typeof v === 'string' || new Set(serverUrls(v)).size === v.length, 'lists the same server twice')
    .optional(),
  model: z.string().min(1).default(LLM_SEED.model),
  think: z.boolean().default(LLM_SEED.think),
  temperature: z.number().min(0).max(2).default(LLM_SEED.temperature),
  numPredict: z.number().int().positive().default(LLM_SEED.numPredict),
  timeoutMs: positiveMs.default(LLM_SEED.fixTimeoutMs),
  promptTemplate: z.string().min(1).default(SEED_PROMPT_TEMPLATE),
  /** Name of the environment variable holding an API key (OpenAI-compatible servers). */
  apiKeyEnv: z.string().min(1).optional(),
  /** Ollama's endpoint: `generate` (/api/generate, as the seed) or `chat` (/api/chat). */
  api: z.enum(['generate', 'chat']).default('generate'),
  /**
   * How the model edits: `whole` (the complete fixed file, only when it fits the prompt budget),
   * `window` (numbered lines around the error, answered with search/replace blocks), or `auto`
   * (whole when it fits, else a window).
   */
  editFormat: z.enum(['auto', 'whole', 'window']).default('auto'),
  /** The prompt budget in characters: a file is sent whole only when its prompt fits. */
  maxPromptChars: z.number().int().positive().default(24_000),
  /** The prompt budget in estimated tokens (about 3 characters each); the smaller budget wins. */
  maxPromptTokens: z.number().int().positive().optional(),
  /** Lines shown on each side of the error before widening to the enclosing block. */
  windowLines: z.number().int().min(1).default(30),
  /** The most lines a window may have, however large the enclosing block. */
  maxWindowLines: z.number().int().min(3).default(200),
  /** Prompt of the window format: {{file}}, {{error}}, {{window}}, {{startLine}}, {{endLine}}, {{totalLines}}. */
  windowPromptTemplate: z.string().min(1).default(WINDOW_PROMPT_TEMPLATE),
  /** Runtime errors: how many top project frames of the trace the prompt shows (0: none), within the budget. */
  callChainFrames: z.number().int().min(0).max(20).default(3),
  /** Retries of a call that failed to connect or got a 5xx (or 429), with doubling backoff. */
  retries: z.number().int().min(0).max(10).default(2),
  retryDelayMs: z.number().int().min(0).default(1_000),
  /** All model calls for one file, feedback retry included, end within this. Default: 2 × timeoutMs. */
  fileBudgetMs: positiveMs.optional(),
  /** On a failed validation, ask once more with the validator's message. */
  feedbackRetry: z.boolean().default(true),
  /** Mask values that look like secrets in prompts and logs. */
  redact: z.boolean().default(true),
  /** More secret patterns (regular expression sources); the whole match is masked. */
  redactPatterns: z
    .array(
      z.string().refine((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression'),
    )
    .default([]),
});

export type LlmSettings = z.output<typeof llmSchema>;
