import vm from 'node:vm';
import * as acorn from 'acorn';

export type ModuleFormat = 'commonjs' | 'module';

export type Verdict =
  | { ok: true }
  | { ok: false; line: number; column: number; message: string; errorType: string; detail: string };

/** The parameters Node's CommonJS loader wraps a file in; `node --check` compiles the same way. */
const CJS_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/** True where this thread can parse ES modules with V8 (needs --experimental-vm-modules). */
export function canCompileModules(): boolean {
  return typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function';
}

/**
 * Compile `source` as Node would for `node --check`, without running it: CommonJS through
 * vm.compileFunction with the loader's wrapper parameters, ES modules through a V8 module record.
 */
export function compileVerdict(source: string, filename: string, format: ModuleFormat): Verdict {
  try {
    if (format === 'module') {
      const Stm = (vm as unknown as { SourceTextModule?: new (s: string, o: object) => unknown }).SourceTextModule;
      if (!Stm) throw new Error('ES module parsing needs --experimental-vm-modules in this thread');
      new Stm(source, { identifier: filename });
    } else {
      vm.compileFunction(source, CJS_PARAMS, { filename });
    }
    return { ok: true };
  } catch (err) {
    const verdict = verdictFromError(err, filename);
    if (verdict.line === 0) locateWithAcorn(verdict, source, format);
    return verdict;
  }
}

/**
 * V8 keeps a module's error position to itself (vm.SourceTextModule drops it); acorn finds the
 * same token in nearly every case. The verdict stays V8's; only the position is borrowed.
 */
function locateWithAcorn(verdict: Exclude<Verdict, { ok: true }>, source: string, format: ModuleFormat): void {
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
export function verdictFromError(err: unknown, filename: string): Exclude<Verdict, { ok: true }> {
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
  const detail = line > 0 ? `${filename}:${line}\n${lines[1] ?? ''}\n${lines[2] ?? ''}\n\n${errorType}: ${message}` : `${errorType}: ${message}`;
  return { ok: false, line, column, message, errorType, detail };
}
