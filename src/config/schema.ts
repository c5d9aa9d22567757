import { z } from 'zod';
import { probeSchema } from '../probes/registry.js';
import { DEFAULT_MIN_CONFIDENCE } from '../repair/deterministic/index.js';
import { DEFAULT_INCLUDE, SEED, SEED_PROMPT_TEMPLATE, WINDOW_PROMPT_TEMPLATE } from './defaults.js';

const positiveMs = z.number().int().positive();

export const llmSchema = z.strictObject({
  /** `none` turns the model rung of the ladder off. */
  provider: z.enum(['ollama', 'openai', 'none']).default('ollama'),
  /** Ollama: the server root. OpenAI-compatible: the root that `/v1/chat/completions` hangs off. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  model: z.string().min(1).default(SEED.model),
  think: z.boolean().default(SEED.think),
  temperature: z.number().min(0).max(2).default(SEED.temperature),
  numPredict: z.number().int().positive().default(SEED.numPredict),
  timeoutMs: positiveMs.default(SEED.fixTimeoutMs),
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

/** The deterministic rung: how far it searches, and how sure it must be to write. */
export const deterministicSchema = z.strictObject({
  /** A repair below this confidence is not written by the rung: the model gets the file, or a person a proposal. */
  minConfidence: z.number().min(0).max(1).default(DEFAULT_MIN_CONFIDENCE),
  /** Most token edits in one repair. */
  maxEdits: z.number().int().min(1).max(4).default(2),
  /** Time for the whole search at one file. */
  timeBudgetMs: positiveMs.default(500),
});

export const configSchema = z.strictObject({
  roots: z.array(z.string().min(1)).min(1).default(['.']),
  include: z.array(z.string().min(1)).min(1).default([...DEFAULT_INCLUDE]),
  exclude: z.array(z.string().min(1)).default([]),
  protect: z.array(z.string().min(1)).default([]),
  node: z.string().min(1).optional(),
  llm: llmSchema.prefault({}),
  deterministic: deterministicSchema.prefault({}),
  maxFixesPerRun: z.number().int().min(0).default(SEED.maxFixesPerRun),
  cycleIntervalMs: positiveMs.default(SEED.cycleIntervalMs),
  fileCooldownMs: z.number().int().min(0).default(SEED.fileCooldownMs),
  maxLogEntries: z.number().int().positive().default(SEED.maxLogEntries),
  stateDir: z.string().min(1).optional(),
  backupDir: z.string().min(1).optional(),
  /** Error log globs read besides PM2's own error logs. */
  logs: z.array(z.string().min(1)).default([]),
  /** Read PM2's error logs ($PM2_HOME/logs/*-error.log, default ~/.pm2/logs). */
  pm2Logs: z.boolean().default(true),
  /** Rungs of the repair ladder, in order. */
  repairers: z.array(z.enum(['deterministic', 'llm'])).default(['deterministic', 'llm']),
  /** Steps of the validation ladder, in order; each judges only the files it applies to. */
  validators: z
    .array(z.enum(['syntax', 'exports', 'undefined-names', 'error-gone', 'shell-syntax', 'defect-gone', 'load', 'tests']))
    .default(['syntax', 'exports', 'undefined-names', 'error-gone', 'shell-syntax', 'defect-gone']),
  /** The project's own test command (argv, no shell), run by the `tests` validation step. */
  testCommand: z.array(z.string().min(1)).min(1).optional(),
  testTimeoutMs: positiveMs.default(5 * 60 * 1000),
  /** How long the `load` validation step lets a module take to load. */
  loadTimeoutMs: positiveMs.default(10_000),
  /** Scripts and scheduler files checked for environment defects. */
  envFiles: z
    .array(z.string().min(1))
    .default(['**/*.sh', '**/*.bash', '**/*crontab*', '**/*.cron', '**/cron.d/*', '**/*.plist', '**/ecosystem.config.{js,cjs,mjs,json}']),
  /** The bash scripts must run on (macOS ships 3.2); null turns the check off. */
  bashCompat: z
    .string()
    .regex(/^\d+(\.\d+)*$/, 'expected a bash version such as "3.2"')
    .nullable()
    .default('3.2'),
  /**
   * Restart a PM2 process whose code on disk is newer than what it runs: after a fix of one of its
   * runtime errors, or when a logged error can no longer come from the file (stale process).
   */
  restartStale: z.boolean().default(false),
  /** The pm2 program (argv[0]); its daemon is $PM2_HOME's. */
  pm2Bin: z.string().min(1).default('pm2'),
  /** After a restart, how long to watch the log for the error coming back. */
  restartCheckMs: z.number().int().min(0).default(5_000),
  /** Files larger than this are skipped, with the reason. */
  maxFileBytes: z.number().int().positive().default(2 * 1024 * 1024),
  /** Also skip what git ignores under each root (.gitignore, .git/info/exclude); needs git. */
  gitignore: z.boolean().default(false),
  probes: z.array(probeSchema).default([]),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type LlmSettings = z.output<typeof llmSchema>;
export type DeterministicConfig = z.output<typeof deterministicSchema>;
