import { createRequire } from 'node:module';
import vm from 'node:vm';
import * as acorn from 'acorn';

export type ModuleFormat = 'commonjs' | 'module';

export type Verdict =
  | { ok: true }
  | {
      ok: false;
      line: number;
      column: number;
      message: string;
      errorType: string;
      detail: string;
      /** False when the position is acorn's guess rather than V8's own (see locateWithAcorn). */
      exact?: boolean;
    };

export type ErrorVerdict = Exclude<Verdict, { ok: true }>;

/**
 * V8 places "Unexpected end of input" at column 0 of the last line, which is the end of the text
 * only when the file ends with a line break: the parser ran out of text, so the error is there.
 */
export function endOfInput(message: string): boolean {
  return message === 'Unexpected end of input';
}

/** The parameters Node's CommonJS loader wraps a file in; `node --check` compiles the same way. */
const CJS_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

type Stm = new (source: string, options: object) => unknown;

/** True where this thread can parse ES modules with V8 (needs --experimental-vm-modules). */
export function canCompileModules(): boolean {
  return typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function';
}

/**
 * Node keeps the source line and caret of a module's compile error beside the error (as it does
 * for `node --check`), not in its stack; `internal/util`'s decorateErrorStack puts them there.
 * Reachable only in a thread started with --expose-internals (the syntax workers are).
 */
let decorate: { fn: ((err: unknown) => void) | undefined } | undefined;

/**
 * Looked up at the first module error, not at load: in the main thread (no internals) the failed
 * lookup walks node_modules and package.json files, 5-15 ms of every CLI start.
 */
function decorateErrorStack(): ((err: unknown) => void) | undefined {
  if (!decorate) {
    try {
      const fn = (createRequire(import.meta.url)('internal/util') as { decorateErrorStack?: unknown }).decorateErrorStack;
      decorate = { fn: typeof fn === 'function' ? (fn as (err: unknown) => void) : undefined };
    } catch {
      decorate = { fn: undefined };
    }
  }
  return decorate.fn;
}

/** Whether module errors get V8's own position in this thread (else acorn's, marked inexact). */
export function hasExactModulePositions(): boolean {
  return decorateErrorStack() !== undefined;
}

/**
 * Compile `source` as Node would for `node --check`, without running it: CommonJS through
 * vm.compileFunction with the loader's wrapper parameters, ES modules through a V8 module record.
 */
export function compileVerdict(source: string, filename: string, format: ModuleFormat): Verdict {
  return format === 'module' ? compileModule(source, filename) : compileCommonJs(source, filename);
}

export function compileCommonJs(source: string, filename: string): Verdict {
  const limit = Error.stackTraceLimit;
  // The verdict reads only the header V8 puts before the frames: formatting frames (through
  // source maps where they are on) was most of the cost of a failed compile.
  Error.stackTraceLimit = 0;
  try {
    vm.compileFunction(source, CJS_PARAMS, { filename });
    return { ok: true };
  } catch (err) {
    const verdict = verdictFromError(err, filename);
    if (verdict.line === 0) locateWithAcorn(verdict, source, 'commonjs');
    return verdict;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Module compiles in this thread: each gets its own identifier (see compileModule). */
let moduleCompiles = 0;
/**
 * What the module records compiled in this thread keep alive, estimated: node keeps each record
 * (its source text with it) for the life of the thread, ~2 KB a record beside its text (measured
 * on node 20: 20,000 small modules kept 40 MB, the same with 5 KB texts 132 MB). A CommonJS
 * compile keeps nothing (20,000 kept 0.2 MB).
 */
let keptBytes = 0;
const KEPT_PER_RECORD = 2048;

/** Bytes this thread's module records keep alive (see keptBytes): what a long-lived engine accumulates. */
export function moduleBytesKept(): number {
  return keptBytes;
}

export function compileModule(source: string, filename: string): Verdict {
  const SourceTextModule = (vm as unknown as { SourceTextModule?: Stm }).SourceTextModule;
  if (!SourceTextModule) throw new Error('ES module parsing needs --experimental-vm-modules in this thread');
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // as in compileCommonJs
  try {
    // Node keeps every module record compiled under an identifier, and each compile under one
    // already used costs more the more there are: a search compiling hundreds of candidates of
    // one file slowed quadratically. A unique suffix keeps the header `filename…:line` (below).
    new SourceTextModule(source, { identifier: `${filename}#${++moduleCompiles}` });
    keptBytes += KEPT_PER_RECORD + source.length;
    return { ok: true };
  } catch (err) {
    const decorateStack = decorateErrorStack();
    if (decorateStack) {
      try {
        decorateStack(err);
      } catch {
        /* the position is then borrowed from acorn below */
      }
    }
    const verdict = verdictFromError(err, filename);
    if (verdict.line === 0) locateWithAcorn(verdict, source, 'module');
    return verdict;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Whether V8 compiles `source` in `format`, and nothing more: no position is looked for on a
 * failure. False for a module where this thread cannot compile modules.
 */
export function compiles(source: string, format: ModuleFormat): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // as in compileCommonJs
  try {
    if (format === 'commonjs') vm.compileFunction(source, CJS_PARAMS);
    else {
      const SourceTextModule = (vm as unknown as { SourceTextModule?: Stm }).SourceTextModule;
      if (!SourceTextModule) return false;
      new SourceTextModule(source, {});
      keptBytes += KEPT_PER_RECORD + source.length;
    }
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Messages of a CommonJS compile failure that mean ES module syntax (node_contextify.cc,
 * esm_syntax_error_messages): such a file "contains module syntax" without further ado.
 */
const ESM_SYNTAX_MESSAGES = [
  'Cannot use import statement outside a module',
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
];

/**
 * Messages of a CommonJS failure that may be valid ES module code (throws_only_in_cjs_error_messages
 * and maybe_top_level_await_errors): the file contains module syntax if it compiles as a module.
 * Node matches them against V8's "SyntaxError: message" text.
 */
const MAYBE_ESM_MESSAGES = [
  "Identifier 'module' has already been declared",
  "Identifier 'exports' has already been declared",
  "Identifier 'require' has already been declared",
  "Identifier '__filename' has already been declared",
  "Identifier '__dirname' has already been declared",
  'await is only valid in async functions and the top level bodies of modules',
  'missing ) after argument list',
  'SyntaxError: Unexpected',
];

type ContainsModuleSyntax = (code: string, filename: string) => boolean;

/** Node's own containsModuleSyntax (the contextify binding), where this node has it. */
const nativeContainsModuleSyntax: ContainsModuleSyntax | undefined = (() => {
  try {
    const major = Number(/^v(\d+)/.exec(process.version)?.[1] ?? 0);
    // Its arguments are checked natively (a mismatch aborts the process): only where they are known.
    if (major < 20 || major > 26) return undefined;
    const binding = (process as unknown as { binding(name: string): { containsModuleSyntax?: unknown } }).binding('contextify');
    return typeof binding.containsModuleSyntax === 'function' ? (binding.containsModuleSyntax.bind(binding) as ContainsModuleSyntax) : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Node's test for a typeless `.js` (ShouldRetryAsESM after a CommonJS compile): the CommonJS
 * compile failed with `cjsError`, and the failure is ES module syntax. Past the three messages
 * that can only mean module syntax, `native` asks node's own binding where this node has one;
 * the emulation follows node_contextify.cc.
 */
export function containsModuleSyntax(source: string, filename: string, cjsError: ErrorVerdict, native = true): boolean {
  const text = `${cjsError.errorType}: ${cjsError.message}`;
  // The common case (import/export statements) settles here, without compiling the file again.
  if (ESM_SYNTAX_MESSAGES.some((m) => text.includes(m))) return true;
  if (native && nativeContainsModuleSyntax) return nativeContainsModuleSyntax(source, filename);
  if (!MAYBE_ESM_MESSAGES.some((m) => text.includes(m))) return false;
  return compileModule(source, filename).ok;
}

/**
 * V8 keeps a module's error position to itself unless node's internals decorate the error;
 * without them acorn finds the same token in nearly every case. The verdict stays V8's; only the
 * position is borrowed, and the verdict says so (exact: false).
 */
function locateWithAcorn(verdict: ErrorVerdict, source: string, format: ModuleFormat): void {
  verdict.exact = false;
  try {
    acorn.parse(source, {
      ecmaVersion: 'latest',
      sourceType: format === 'module' ? 'module' : 'script',
      allowHashBang: true,
      allowReturnOutsideFunction: format === 'commonjs',
      allowAwaitOutsideFunction: format === 'module',
      locations: true,
    });
  } catch (err) {
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    if (loc) {
      verdict.line = loc.line;
      verdict.column = loc.column + 1;
    }
  }
}

/**
 * V8 decorates compile errors with a header `file:line`, the source line and a caret row:
 * the only public place the position lives.
 */
export function verdictFromError(err: unknown, filename: string): ErrorVerdict {
  const e = err as { name?: string; message?: string; stack?: string };
  const errorType = e?.name ?? 'Error';
  const message = e?.message ?? String(err);
  const stack = typeof e?.stack === 'string' ? e.stack : '';
  let line = 0;
  let column = 0;
  const lines = stack.split('\n');
  const header = lines[0] ?? '';
  const headerMatch = /:(\d+)$/.exec(header);
  if (headerMatch && header.startsWith(filename)) {
    line = Number(headerMatch[1]);
    const caret = lines[2] ?? '';
    const at = caret.indexOf('^');
    if (at >= 0 && /^\s*\^+\s*$/.test(caret)) column = at + 1;
  }
  const detail = line > 0 ? clipDetail(`${filename}:${line}\n${lines[1] ?? ''}\n${lines[2] ?? ''}\n\n${errorType}: ${message}`) : `${errorType}: ${message}`;
  return { ok: false, line, column, message, errorType, detail };
}

/** Characters of the source line a detail shows around its caret. */
export const SHOWN_COLUMNS = 160;

/**
 * A detail (`file:line`, the source line, the caret row, then the message) with its source line
 * cut to SHOWN_COLUMNS around the caret, `…` where cut, and the caret moved to match. Node prints
 * the whole line: 120 KB for a minified file, in every report and in the state, and the model's
 * share of the error text (its first 2,000 characters) then held neither caret nor message.
 * Any other text, and one already cut, is returned as it is.
 */
export function clipDetail(detail: string): string {
  if (detail.length <= 2 * SHOWN_COLUMNS + 200) return detail;
  const lines = detail.split('\n');
  const source = lines[1] ?? '';
  const caret = lines[2] ?? '';
  // V8 gives a line too long for it a caret row of spaces alone: then the line's start is shown.
  if (source.length <= SHOWN_COLUMNS + 2 || !/^\s*\^*\s*$/.test(caret)) return detail;
  const at = caret.indexOf('^');
  let start = at < 0 ? 0 : Math.max(0, Math.min(at - SHOWN_COLUMNS / 2, source.length - SHOWN_COLUMNS));
  let end = start + SHOWN_COLUMNS;
  // Never half of a surrogate pair at either cut.
  if (start > 0 && isLowSurrogate(source.charCodeAt(start))) start--;
  if (end < source.length && isLowSurrogate(source.charCodeAt(end))) end++;
  const lead = start > 0 ? '…' : '';
  const carets = Math.max(1, Math.min(caret.trimEnd().length - at, end - at));
  lines[1] = `${lead}${source.slice(start, end)}${end < source.length ? '…' : ''}`;
  lines[2] = at < 0 ? '' : `${' '.repeat(at - start + lead.length)}${'^'.repeat(carets)}`;
  return lines.join('\n');
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** A file's verdict as the scan reports it: parses (in which format), does not (where, why), or skipped. */
export type FileVerdict =
  | {
      file: string;
      ok: true;
      format: ModuleFormat;
      /** Its export surface (names as validate/surface gives them). */
      exports?: string[];
    }
  | {
      file: string;
      ok: false;
      format: ModuleFormat;
      line: number;
      column: number;
      message: string;
      errorType: string;
      detail: string;
      /** The exports of this file when it last parsed, as the scan cache recorded them. */
      lastGoodExports?: string[];
    }
  | { file: string; skipped: string };

export type ErrorFileVerdict = Extract<FileVerdict, { ok: false }>;
