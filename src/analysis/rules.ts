import { createRequire } from 'node:module';

/**
 * What `node --check` does beyond V8's parse, which differs between node versions. Read from the
 * node that compiles (its own built-in sources and options), so each rule is that node's own.
 */
export interface CheckRules {
  /**
   * A typeless `.js` (no `"type"` in the nearest package.json) may be ES module code: detection of
   * module syntax (20.19+, 22.12+, 23+). Without it such a file is CommonJS, full stop.
   */
  detect: boolean;
  /**
   * How `--check` settles a typeless `.js` whose CommonJS compile fails on module syntax:
   * `retry` (20.x, 22.x): the file passes, whatever follows the module syntax (nodejs/node#65202);
   * `module-first` (24.x since the fix): it is compiled as a module, and that verdict counts.
   */
  ambiguous: 'retry' | 'module-first';
  /**
   * How a package.json is read: `js` (JSON.parse in JavaScript: any JSON value, the error names
   * the importing file and JSON.parse's message) or `native` (node's C++ reader: a JSON object,
   * else "Invalid package config <path>.").
   */
  packageJson: 'js' | 'native';
}

export interface NodeVersion {
  major: number;
  minor: number;
  patch: number;
  raw: string;
}

export function parseNodeVersion(raw: string): NodeVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(raw.trim());
  if (!m) throw new Error(`not a node version: ${raw}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: raw.trim() };
}

/**
 * Whether this node version detects ES module syntax in a typeless `.js` by default: unflagged
 * in 22.7.0 and back-ported to 20.19.0; always on from 23.
 */
export function detectsModuleSyntax(v: NodeVersion): boolean {
  if (v.major >= 23) return true;
  if (v.major === 22) return v.minor >= 7;
  if (v.major === 20) return v.minor >= 19;
  return false;
}

/** The rules by version number alone: the fallback when a node cannot be asked. */
export function rulesByVersion(v: NodeVersion): CheckRules {
  return {
    detect: detectsModuleSyntax(v),
    ambiguous: v.major >= 25 ? 'module-first' : 'retry',
    packageJson: v.major >= 22 ? 'native' : 'js',
  };
}

/**
 * The rules of the node running this code, read from its own built-in sources (check_syntax.js,
 * the package.json reader) and, with --expose-internals, its option defaults.
 */
export function rulesOfThisNode(): CheckRules {
  const rules = rulesByVersion(parseNodeVersion(process.version));
  let natives: Record<string, string> | undefined;
  try {
    natives = (process as unknown as { binding(name: string): Record<string, string> }).binding('natives');
  } catch {
    natives = undefined;
  }
  const checkSyntax = natives?.['internal/main/check_syntax'];
  if (typeof checkSyntax === 'string') rules.ambiguous = checkSyntax.includes('containsModuleSyntax') ? 'module-first' : 'retry';
  const reader = natives?.['internal/modules/package_json_reader'];
  if (typeof reader === 'string') rules.packageJson = reader.includes('modulesBinding') ? 'native' : 'js';
  try {
    const { getOptionValue } = createRequire(import.meta.url)('internal/options') as { getOptionValue: (name: string) => unknown };
    const detect = getOptionValue('--experimental-detect-module') === true;
    // 20.x and 22.x: check_syntax's wrapSafe only retries as a module with require(esm) on.
    const requireModule = rules.ambiguous === 'module-first' || getOptionValue('--experimental-require-module') === true;
    rules.detect = detect && requireModule;
  } catch {
    /* no internals in this thread: the version table stands */
  }
  return rules;
}
