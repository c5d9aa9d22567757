import { LLM_SEED } from '../llm/settings.js';

/** The seed's production constants (code-maintainer.js), our defaults. */
export const SEED = {
  ...LLM_SEED,
  maxFixesPerRun: 3,
  cycleIntervalMs: 10 * 60 * 1000,
  fileCooldownMs: 6 * 60 * 60 * 1000,
  maxLogEntries: 200,
  protect: ['core.js', 'simulation.js', 'work-queue.js', 'periodic-scheduler.js'],
} as const;

/** The deterministic rung's confidence gate: below it, a repair is proposed, not written. */
export const DEFAULT_MIN_CONFIDENCE = 0.7;

export const DEFAULT_INCLUDE = ['**/*.js', '**/*.cjs', '**/*.mjs'];

/** Never scanned and never written, whatever the config says. */
export const ALWAYS_SKIPPED_DIRS = ['node_modules', '.git'];
export const ALWAYS_PROTECTED_FILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
];

export const CONFIG_FILE_NAMES = [
  'mechanic.config.json',
  'mechanic.config.yaml',
  'mechanic.config.yml',
  'mechanic.config.mjs',
];

/** Where node is looked for when `node` is not configured, in order (the seed ran on macOS). */
export const NODE_CANDIDATES = ['/opt/homebrew/bin/node', '/usr/local/bin/node', '/usr/bin/node'];
