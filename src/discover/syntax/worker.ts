import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { compileVerdict, type ModuleFormat, type Verdict } from './compile.js';
import { decodeSource } from './decode.js';
import { repairSyntax, type SyntaxRepairOptions } from '../../repair/deterministic/index.js';

export type FileCheck = { file: string; format: ModuleFormat | 'ambiguous' };

export type CheckOutcome =
  | {
      file: string;
      verdict: Verdict;
      /** The format the verdict was reached in. */
      format: ModuleFormat;
      /** An error in an ambiguous file whose exact report only the node binary can give. */
      confirm: boolean;
    }
  | { file: string; skipped: string };

export type WorkerRequest =
  | { id: number; op: 'check'; files: FileCheck[] }
  | { id: number; op: 'check-text'; text: string; file: string; format: ModuleFormat | 'ambiguous' }
  | { id: number; op: 'repair'; text: string; options: SyntaxRepairOptions };

/** Verdict of one file as read from disk. Ambiguous files are compiled as CommonJS first. */
export function checkFile(item: FileCheck): CheckOutcome {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(item.file);
  } catch (err) {
    return { file: item.file, skipped: `unreadable: ${(err as Error).message}` };
  }
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return { file: item.file, skipped: decoded.reason };
  if (item.format !== 'ambiguous')
    return { file: item.file, verdict: compileVerdict(decoded.text, item.file, item.format), format: item.format, confirm: false };
  return { file: item.file, ...ambiguousVerdict(decoded.text, item.file) };
}

/**
 * Node's rule for a typeless `.js`: CommonJS, unless CommonJS fails and the text is valid ES
 * module code. When both fail, which error Node reports is its own business: ask the binary.
 */
export function ambiguousVerdict(text: string, file: string): { verdict: Verdict; format: ModuleFormat; confirm: boolean } {
  const cjs = compileVerdict(text, file, 'commonjs');
  if (cjs.ok) return { verdict: cjs, format: 'commonjs', confirm: false };
  const esm = compileVerdict(text, file, 'module');
  if (esm.ok) return { verdict: esm, format: 'module', confirm: false };
  return { verdict: cjs, format: 'commonjs', confirm: true };
}

function handle(req: WorkerRequest): unknown {
  switch (req.op) {
    case 'check':
      return req.files.map(checkFile);
    case 'check-text':
      return req.format === 'ambiguous'
        ? ambiguousVerdict(req.text, req.file)
        : { verdict: compileVerdict(req.text, req.file, req.format), format: req.format, confirm: false };
    case 'repair':
      return repairSyntax(req.text, req.options);
  }
}

parentPort?.on('message', (req: WorkerRequest) => {
  try {
    parentPort!.postMessage({ id: req.id, ok: true, value: handle(req) });
  } catch (err) {
    parentPort!.postMessage({ id: req.id, ok: false, error: (err as Error).stack ?? String(err) });
  }
});
