/** The seed's production constants (code-maintainer.js), our defaults. */
export const SEED = {
  model: 'mdq100/qwen3.5-coder:35b',
  maxFixesPerRun: 3,
  cycleIntervalMs: 10 * 60 * 1000,
  fileCooldownMs: 6 * 60 * 60 * 1000,
  fixTimeoutMs: 2 * 60 * 1000,
  maxLogEntries: 200,
  think: false,
  temperature: 0.1,
  numPredict: 2048,
  protect: ['core.js', 'simulation.js', 'work-queue.js', 'periodic-scheduler.js'],
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
