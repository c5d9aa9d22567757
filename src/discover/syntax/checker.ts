import { runProcess, minimalEnv } from '../../util/proc.js';
import type { SyntaxRepair, SyntaxRepairOptions } from '../../repair/deterministic/index.js';
import type { ModuleFormat, Verdict } from './compile.js';
import { detectsModuleSyntax, FormatResolver, parseNodeVersion, type FileFormat, type NodeVersion } from './format.js';
import { WorkerPool } from './pool.js';
import type { CheckOutcome } from './worker.js';

export type FileVerdict =
  | { file: string; ok: true; format: ModuleFormat }
  | {
      file: string;
      ok: false;
      format: ModuleFormat;
      line: number;
      column: number;
      message: string;
      errorType: string;
      detail: string;
    }
  | { file: string; skipped: string };

const versionCache = new Map<string, Promise<NodeVersion>>();

/** The version of a node binary, asked once per process. */
export function nodeVersionOf(node: string): Promise<NodeVersion> {
  let v = versionCache.get(node);
  if (!v) {
    v = (async () => {
      if (node === process.execPath) return parseNodeVersion(process.version);
      const r = await runProcess(node, ['--version'], { timeoutMs: 15_000 });
      if (r.code !== 0) throw new Error(`${node} --version failed: ${r.spawnError ?? r.stderr.trim()}`);
      return parseNodeVersion(r.stdout);
    })();
    versionCache.set(node, v);
  }
  return v;
}

/**
 * Verdicts exactly as `<node> --check` gives them, reached in-process with V8. Where the
 * configured node is another version than the one running, or where only node's own module
 * detection can say which error it reports, an error verdict is confirmed by the binary.
 */
export class SyntaxChecker {
  readonly formats: FormatResolver;
  private constructor(
    readonly node: string,
    readonly nodeVersion: NodeVersion,
    private readonly pool: WorkerPool,
    private readonly sameVersion: boolean,
  ) {
    this.formats = new FormatResolver(detectsModuleSyntax(nodeVersion));
  }

  static async create(node: string, threads?: number): Promise<SyntaxChecker> {
    const version = await nodeVersionOf(node);
    return new SyntaxChecker(node, version, new WorkerPool(threads), version.raw === process.version);
  }

  formatOf(file: string): FileFormat {
    return this.formats.formatOf(file);
  }

  /** Check files from disk, in batches spread over the workers; `onResult` streams verdicts. */
  async checkFiles(files: readonly string[], onResult?: (v: FileVerdict) => void): Promise<FileVerdict[]> {
    const batchSize = Math.max(1, Math.min(64, Math.ceil(files.length / (this.pool.threads * 4))));
    const batches: string[][] = [];
    for (let i = 0; i < files.length; i += batchSize) batches.push(files.slice(i, i + batchSize));
    const results = await Promise.all(
      batches.map(async (batch) => {
        const outcomes = await this.pool.run<CheckOutcome[]>({
          op: 'check',
          files: batch.map((file) => ({ file, format: this.formatOf(file) })),
        });
        const verdicts: FileVerdict[] = [];
        for (const o of outcomes) {
          const v = await this.settle(o);
          onResult?.(v);
          verdicts.push(v);
        }
        return verdicts;
      }),
    );
    return results.flat();
  }

  /** Verdict on text that is not on disk (a candidate fix), judged as if it were at `file`. */
  async checkText(text: string, file: string): Promise<Verdict & { format: ModuleFormat }> {
    const r = await this.pool.run<{ verdict: Verdict; format: ModuleFormat; confirm: boolean }>({
      op: 'check-text',
      text,
      file,
      format: this.formatOf(file),
    });
    return { ...r.verdict, format: r.format };
  }

  /** Run the deterministic repairer in a worker (it needs V8's module parser too). */
  repair(text: string, options: SyntaxRepairOptions): Promise<SyntaxRepair> {
    return this.pool.run<SyntaxRepair>({ op: 'repair', text, options });
  }

  private async settle(o: CheckOutcome): Promise<FileVerdict> {
    if ('skipped' in o) return o;
    if (o.verdict.ok) return { file: o.file, ok: true, format: o.format };
    if (o.confirm || !this.sameVersion) return this.confirm(o.file, o.format, o.verdict);
    return { file: o.file, format: o.format, ...o.verdict };
  }

  /** Ask the node binary itself: `<node> --check <file>`, never through a shell. */
  private async confirm(file: string, format: ModuleFormat, hint: Verdict): Promise<FileVerdict> {
    const r = await runProcess(this.node, ['--check', file], { timeoutMs: 30_000, env: minimalEnv() });
    if (r.code === 0) return { file, ok: true, format };
    if (r.spawnError || r.timedOut) {
      // The binary could not answer; the in-process verdict stands, and says so.
      const why = r.spawnError ?? 'timed out';
      return hint.ok ? { file, ok: true, format } : { file, format, ...hint, detail: `${hint.detail}\n(not confirmed by ${this.node}: ${why})` };
    }
    return { file, ok: false, format, ...parseCheckOutput(r.stderr, file) };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * Read `node --check`'s report: a `file:line` header, the source line, a caret row, a blank
 * line, then `SyntaxError: message` and internal frames.
 */
export function parseCheckOutput(stderr: string, file: string): { line: number; column: number; message: string; errorType: string; detail: string } {
  const lines = stderr.replace(/\r/g, '').split('\n');
  let line = 0;
  let column = 0;
  const headerIndex = lines.findIndex((l) => l.startsWith(`${file}:`) || l.startsWith('file://'));
  if (headerIndex >= 0) {
    const m = /:(\d+)$/.exec(lines[headerIndex]!);
    if (m) line = Number(m[1]);
    const caret = lines[headerIndex + 2] ?? '';
    if (/^\s*\^+\s*$/.test(caret)) column = caret.indexOf('^') + 1;
  }
  const errorLine = lines.find((l) => /^[A-Z][A-Za-z]*(Error|Exception)\b.*?:/.test(l)) ?? lines.find((l) => l.trim()) ?? 'Error: node --check failed';
  const m = /^([A-Za-z]+)(?: \[[A-Z_]+\])?: (.*)$/.exec(errorLine);
  const errorType = m?.[1] ?? 'Error';
  const message = m?.[2] ?? errorLine;
  const detail = lines.slice(Math.max(0, headerIndex), lines.indexOf(errorLine) + 1).join('\n').trim() || errorLine;
  return { line, column, message, errorType, detail };
}
