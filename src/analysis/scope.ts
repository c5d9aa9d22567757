import { createRequire } from 'node:module';
import type { Linter, Rule } from 'eslint';
import type { ModuleFormat } from './compile.js';

/**
 * ESLint and its dependencies take a quarter of a second to load: they are loaded the first time
 * a scope is analysed (a validation, a runtime error naming an undefined name), never by a scan or
 * `--version`. Required, not imported, so that the analysis stays synchronous for its callers.
 */
const require = createRequire(import.meta.url);
let linter: Linter | undefined;
let nodeGlobals: Linter.Globals | undefined;

/**
 * ESLint reports its own concerns (an `eslint-env` comment in a user's file, say) as process
 * warnings, which Node prints to stderr: the user's terminal, for a file the mechanic only read.
 * Its `warningService` takes them instead; any `emit…` method is taken, whatever the version adds.
 */
const quietWarnings = new Proxy({}, {
  get: (_target, key) => (typeof key === 'string' && key.startsWith('emit') ? () => undefined : undefined),
});

function quietLinter(): Linter {
  const { Linter } = require('eslint') as typeof import('eslint');
  // `warningService` is a constructor option ESLint's types do not list.
  return new Linter({ configType: 'flat', warningService: quietWarnings } as ConstructorParameters<typeof Linter>[0]);
}

/** A file as Node reads it, with Node's and the language's globals known. */
function languageOptions(format: ModuleFormat): Linter.LanguageOptions {
  if (!nodeGlobals) {
    const globals = require('globals') as typeof import('globals');
    nodeGlobals = { ...globals.node, ...globals.es2025 };
  }
  return {
    ecmaVersion: 'latest',
    sourceType: format === 'module' ? 'module' : 'commonjs',
    globals: nodeGlobals,
    parserOptions: { ecmaFeatures: { globalReturn: format !== 'module' } },
  };
}

/**
 * Names used but never declared, by ESLint's own scope analysis (`no-undef`), with Node's and
 * the language's globals known. Undefined when the text cannot be analysed (it does not parse).
 */
export function undefinedNames(text: string, format: ModuleFormat): Map<string, number[]> | undefined {
  linter ??= quietLinter();
  const messages = linter.verify(text, [
    {
      languageOptions: languageOptions(format),
      rules: { 'no-undef': 'error' },
    },
  ]);
  if (messages.some((m) => m.fatal)) return undefined;
  const names = new Map<string, number[]>();
  for (const m of messages) {
    const name = /^'(.+)' is not defined\.$/.exec(m.message)?.[1];
    if (!name) continue;
    names.set(name, [...(names.get(name) ?? []), m.line]);
  }
  return names;
}

/**
 * What a file says about one name: `undefined` (used and never declared: a ReferenceError for it
 * can still happen), `defined` (used and declared), `unused` (the file no longer refers to it).
 * Undefined when the text cannot be analysed (it does not parse).
 */
export function nameUse(text: string, format: ModuleFormat, name: string): 'undefined' | 'defined' | 'unused' | undefined {
  linter ??= quietLinter();
  let used = false;
  const messages = linter.verify(text, [
    {
      languageOptions: languageOptions(format),
      plugins: {
        mechanic: {
          rules: {
            // Any reference to the name in any scope, declared or not (a declaration alone is none).
            uses: usesRule(name, () => {
              used = true;
            }),
          },
        },
      },
      rules: { 'no-undef': 'error', 'mechanic/uses': 'error' },
    },
  ]);
  if (messages.some((m) => m.fatal)) return undefined;
  if (!used) return 'unused';
  return messages.some((m) => m.ruleId === 'no-undef' && m.message === `'${name}' is not defined.`) ? 'undefined' : 'defined';
}

/** A rule that calls `found` when any scope holds a reference to `name`. */
function usesRule(name: string, found: () => void): Rule.RuleModule {
  return {
    create(context) {
      return {
        'Program:exit'() {
          const scopes = context.sourceCode.scopeManager.scopes;
          if (scopes.some((s) => s.references.some((r) => r.identifier.name === name))) found();
        },
      };
    },
  };
}

/** `readCorrectionFile is not defined` → the name `readCorrectionFile`. */
export function undefinedNameOf(message: string): string | undefined {
  return /^([\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*) is not defined$/u.exec(message)?.[1];
}
