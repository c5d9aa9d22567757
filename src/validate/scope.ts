import { Linter } from 'eslint';
import globals from 'globals';
import type { ModuleFormat } from '../discover/syntax/compile.js';

let linter: Linter | undefined;

/**
 * Names used but never declared, by ESLint's own scope analysis (`no-undef`), with Node's and
 * the language's globals known. Undefined when the text cannot be analysed (it does not parse).
 */
export function undefinedNames(text: string, format: ModuleFormat): Map<string, number[]> | undefined {
  linter ??= new Linter({ configType: 'flat' });
  const messages = linter.verify(text, [
    {
      languageOptions: {
        ecmaVersion: 'latest',
        sourceType: format === 'module' ? 'module' : 'commonjs',
        globals: { ...globals.node, ...globals.es2025 },
        parserOptions: { ecmaFeatures: { globalReturn: format !== 'module' } },
      },
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
