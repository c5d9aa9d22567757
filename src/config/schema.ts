import { z } from 'zod';
import { probeSchema } from '../probes/registry.js';
import { llmSchema } from '../llm/settings.js';
import { notifySchema } from '../channels/schema.js';
import { gitSchema, policySchema } from './git.js';
import { DEFAULT_INCLUDE, DEFAULT_MIN_CONFIDENCE, SEED } from './defaults.js';

const positiveMs = z.number().int().positive();

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
  /** Failed attempts at one bug (same file contents, across cycles) before it is left for a person. */
  escalateAfter: z.number('expected a whole number, 1 or more').int('expected a whole number, 1 or more').min(1, 'expected a whole number, 1 or more').default(3),
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
  /** The daemon's fill of deferred export surfaces while it waits: bytes read per wait (0: off), and wall time. */
  idleFillBytes: z.number().int().min(0).default(16 * 1024 * 1024),
  idleFillMs: positiveMs.default(2_000),
  /** Also skip what git ignores under each root (.gitignore, .git/info/exclude); needs git. */
  gitignore: z.boolean().default(false),
  probes: z.array(probeSchema).default([]),
  /** Where events go (webhook, slack, discord, ntfy, email, command), through the outbox in stateDir. */
  notify: notifySchema,
  /** Fixes as git commits or proposal branches (README: Git). */
  git: gitSchema.prefault({}),
  /** Per rung: apply, propose or report a fix that passed validation. */
  policy: policySchema.prefault({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type DeterministicConfig = z.output<typeof deterministicSchema>;
