/**
 * A syntax engine: compiles sources with the V8 of the node it runs in. Started as a worker
 * thread of the mechanic (when the configured node is the running one) or as a child process of
 * the configured node binary (when it is another version), so that verdicts are that node's own.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { compileCommonJs, compileModule, compileVerdict, containsModuleSyntax, hasExactModulePositions, moduleBytesKept, type ModuleFormat, type Verdict } from '../analysis/compile.js';
import { rulesOfThisNode, type CheckRules } from '../analysis/rules.js';
import { exportSurface, initLexers } from '../analysis/lexed.js';
import { statKey } from '../analysis/format.js';

/** `surface: false`: the verdict only, its export surface not read (see CheckOptions.surfaceBudget). */
export type FileCheck = { file: string; format: ModuleFormat | 'ambiguous'; surface?: false };

/** The export surface of a file known to parse, with the stat it had once read (so a file changed meanwhile is seen). */
export type SurfaceOutcome = { file: string; stat: string; exports: string[] } | { file: string; skipped: string };

export type CheckOutcome =
  | {
      file: string;
      verdict: Verdict;
      /** The format the verdict was reached in. */
      format: ModuleFormat;
      /** A file that parses: its export surface, kept as the reference should it break later. */
      exports?: string[];
    }
  | { file: string; skipped: string };

export interface EngineInfo {
  version: string;
  rules: CheckRules;
  /** Module errors carry V8's own position (node's internals are reachable here). */
  exactModulePositions: boolean;
}

export type WorkerRequest =
  | { id: number; op: 'hello' }
  | { id: number; op: 'check'; files: FileCheck[]; rules?: CheckRules }
  | { id: number; op: 'check-text'; text: string; file: string; format: ModuleFormat | 'ambiguous'; rules?: CheckRules }
  /** Export surfaces of files whose verdict (ok, in `format`) is known: read and lexed, not compiled. */
  | { id: number; op: 'surfaces'; files: { file: string; format: ModuleFormat }[] }
  /** A caller's own work that needs this engine's V8: `fn` exported by `module` (a URL), given `args`. */
  | { id: number; op: 'call'; module: string; fn: string; args: unknown[] };

const ownRules = rulesOfThisNode();

/**
 * Source text exactly as `node --check` reads it (`readFileSync(file, 'utf-8')`: a BOM kept,
 * bytes that are not UTF-8 replaced, as node does), or why the mechanic will not judge it: a file
 * with NUL bytes is binary. (A fix is never written to a file that is not UTF-8: see repair/fix.)
 */
export function sourceText(bytes: Buffer): { text: string } | { skipped: string } {
  if (bytes.subarray(0, 8192).includes(0)) return { skipped: 'binary file (contains NUL bytes)' };
  return { text: bytes.toString('utf8') };
}

/** Verdict of one file as read from disk. */
export function checkFile(item: FileCheck, rules: CheckRules = ownRules): CheckOutcome {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(item.file);
  } catch (err) {
    return { file: item.file, skipped: `unreadable: ${(err as Error).message}` };
  }
  const source = sourceText(bytes);
  if ('skipped' in source) return { file: item.file, skipped: source.skipped };
  const checked = checkSource(source.text, item.file, item.format, rules);
  if (!checked.verdict.ok || item.surface === false) return { file: item.file, ...checked };
  return { file: item.file, ...checked, exports: exportsOf(source.text, checked.format) };
}

/** The export surface of a file read from disk, and its stat after the read (see SurfaceOutcome). */
export function surfaceOfFile(file: string, format: ModuleFormat): SurfaceOutcome {
  try {
    const source = sourceText(fs.readFileSync(file));
    if ('skipped' in source) return { file, skipped: source.skipped };
    const stat = statKey(fs.lstatSync(file));
    return { file, stat, exports: exportsOf(source.text, format) };
  } catch (err) {
    return { file, skipped: `unreadable: ${(err as Error).message}` };
  }
}

/**
 * The export surface of a file that parses (by the lexers where they can answer, see
 * analysis/lexed); empty when acorn cannot read what V8 accepted.
 */
function exportsOf(text: string, format: ModuleFormat): string[] {
  // `export`, `exports`, `module.exports`: a file without the word exports nothing (and costs no parse).
  if (!text.includes('export')) return [];
  try {
    return exportSurface(text, format === 'module');
  } catch {
    return [];
  }
}

export function checkSource(text: string, file: string, format: ModuleFormat | 'ambiguous', rules: CheckRules = ownRules): { verdict: Verdict; format: ModuleFormat } {
  if (format !== 'ambiguous') return { verdict: compileVerdict(text, file, format), format };
  return ambiguousVerdict(text, file, rules);
}

/**
 * `node --check` on a typeless `.js`: CommonJS, unless the CommonJS compile fails on ES module
 * syntax (node's containsModuleSyntax). Then node 20/22 let the file pass whatever follows
 * (`retry`), and node 24 compiles it as a module (`module-first`).
 */
export function ambiguousVerdict(text: string, file: string, rules: CheckRules = ownRules): { verdict: Verdict; format: ModuleFormat } {
  const cjs = compileCommonJs(text, file);
  if (cjs.ok || !rules.detect) return { verdict: cjs, format: 'commonjs' };
  if (!containsModuleSyntax(text, file, cjs)) return { verdict: cjs, format: 'commonjs' };
  if (rules.ambiguous === 'retry') return { verdict: { ok: true }, format: 'module' };
  return { verdict: compileModule(text, file), format: 'module' };
}

async function call(module: string, fn: string, args: unknown[]): Promise<unknown> {
  const mod = (await import(module)) as Record<string, unknown>;
  const f = mod[fn];
  if (typeof f !== 'function') throw new Error(`${module} exports no function ${fn}`);
  return (f as (...a: unknown[]) => unknown)(...args);
}

function handle(req: WorkerRequest): unknown {
  switch (req.op) {
    case 'hello': {
      const info: EngineInfo = { version: process.version, rules: ownRules, exactModulePositions: hasExactModulePositions() };
      return info;
    }
    case 'check':
      return req.files.map((f) => checkFile(f, req.rules ?? ownRules));
    case 'surfaces':
      return req.files.map((f) => surfaceOfFile(f.file, f.format));
    case 'check-text':
      return checkSource(req.text, req.file, req.format, req.rules ?? ownRules);
    case 'call':
      return call(req.module, req.fn, req.args);
  }
}

/** `kept`: what this engine's module records keep alive so far (see moduleBytesKept), for the pool to retire it. */
type Reply = { id: number; ok: boolean; value?: unknown; error?: string; kept: number };

/** The lexers' WebAssembly, loaded once an engine starts (a request waits for it). */
let lexersReady: Promise<void> = Promise.resolve();

async function answer(req: WorkerRequest, send: (reply: Reply) => void): Promise<void> {
  let reply: Reply;
  try {
    await lexersReady;
    reply = { id: req.id, ok: true, value: await handle(req), kept: moduleBytesKept() };
  } catch (err) {
    reply = { id: req.id, ok: false, error: (err as Error).stack ?? String(err), kept: moduleBytesKept() };
  }
  send(reply);
}

/**
 * Sent once, when this module has loaded and its lexers are ready, before any reply: an engine
 * that dies without it could not start (see WorkerPool), one that dies after it died on a file.
 */
export type EngineReady = { ready: true };
const READY: EngineReady = { ready: true };

if (parentPort) {
  const port = parentPort;
  lexersReady = initLexers().then(() => port.postMessage(READY));
  port.on('message', (req: WorkerRequest) => void answer(req, (r) => port.postMessage(r)));
} else if (process.send && process.env.MECHANIC_SYNTAX_ENGINE === '1') {
  // A child process of the configured node: requests come over IPC; it ends with its parent.
  // Requests wait until READY is handed to the channel: a file that kills this process at once
  // must not look like a process that could not start.
  lexersReady = initLexers().then(() => new Promise<void>((resolve) => void process.send!(READY, () => resolve())));
  process.on('message', (req: WorkerRequest) => void answer(req, (r) => process.send!(r)));
  process.on('disconnect', () => process.exit(0));
}
