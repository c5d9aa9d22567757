/**
 * Prompt size benchmark: `npm run bench:prompt`.
 *
 * For files from 1 KB to 200 KB (real JavaScript from the pinned corpus of bench:repair, the
 * file closest to each size), one slip near the end (a `)` removed at about 85% of the file),
 * repaired by the model rung through the project's loopback model server in both edit formats:
 * `whole` (budget and numPredict raised so every size is sent) and `window`. The server records
 * what it received; the table gives characters sent per repair. Fails (exit 1) when the window
 * prompts do not stay flat (largest over smallest above 2) or a repair is not exact.
 *
 * Options: --no-write (do not update docs/BENCHMARKS.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../src/config/load.js';
import { compileVerdict } from '../src/analysis/compile.js';
import type { Bug } from '../src/discover/types.js';
import { llmRepairer } from '../src/repair/repairers/llm.js';
import { startModelServer, type RecordedRequest, type ScriptedAnswer } from '../test/helpers/model-server.js';
import { DEFAULT_CORPUS_DIR, corpusFiles, installCorpus, type CorpusFile } from './lib/corpus.js';
import { gitRevision, machine, markdownTable, writeSection } from './lib/report.js';

const WRITE = !process.argv.includes('--no-write');
const SIZES_KB = [1, 2, 5, 10, 20, 50, 100, 200];
/** Files per size: the table gives medians. */
const PER_SIZE = 5;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Case {
  kb: number;
  file: CorpusFile;
  broken: string;
  line: number;
  badLine: string;
  goodLine: string;
}

/** Remove the last `)` of a line near 85% of the file, so that the file no longer parses. */
function breakNearEnd(f: CorpusFile): Omit<Case, 'kb' | 'file'> | undefined {
  const lines = f.text.split('\n');
  const from = Math.floor(lines.length * 0.85);
  for (let d = 0; d < lines.length; d++) {
    for (const i of [from + d, from - d]) {
      const l = lines[i];
      if (l === undefined || !l.includes(')') || l.trim().startsWith('//') || l.trim().startsWith('*')) continue;
      const at = l.lastIndexOf(')');
      const bad = l.slice(0, at) + l.slice(at + 1);
      // The search text must be unique in the file for a search/replace block.
      if (lines.filter((x) => x === bad).length > 0 || lines.filter((x) => x === l).length !== 1) continue;
      const copy = [...lines];
      copy[i] = bad;
      const broken = copy.join('\n');
      const v = compileVerdict(broken, f.file, f.format);
      if (v.ok) continue;
      return { broken, line: v.line, badLine: bad, goodLine: l };
    }
  }
  return undefined;
}

/** Per size, the PER_SIZE breakable files closest to it (each file used once). */
function pickCases(files: CorpusFile[]): Case[] {
  const cases: Case[] = [];
  const used = new Set<string>();
  for (const kb of SIZES_KB) {
    const want = kb * 1024;
    const sorted = files.filter((f) => !used.has(f.file)).sort((a, b) => Math.abs(a.text.length - want) - Math.abs(b.text.length - want));
    let n = 0;
    for (const f of sorted.slice(0, 60)) {
      const b = breakNearEnd(f);
      if (!b) continue;
      used.add(f.file);
      cases.push({ kb, file: f, ...b });
      if (++n === PER_SIZE) break;
    }
  }
  return cases;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

function promptOf(r: RecordedRequest): string {
  const body: unknown = r.body;
  return typeof body === 'object' && body !== null && 'prompt' in body && typeof body.prompt === 'string' ? body.prompt : '';
}

async function main(): Promise<void> {
  log('installing the corpus (pinned packages, cached in .cache/bench)…');
  installCorpus(DEFAULT_CORPUS_DIR, undefined, log);
  const files = corpusFiles(DEFAULT_CORPUS_DIR, undefined, { minBytes: 512, maxBytes: 400 * 1024 });
  const cases = pickCases(files);
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prompt-')));
  const measured: Array<{ kb: number; chars: number; whole: number; window: number; name: string }> = [];
  let failures = 0;
  try {
    for (const c of cases) {
      const file = path.join(root, path.basename(c.file.file));
      const bug: Bug = {
        id: `bench-${c.kb}`,
        file,
        kind: 'syntax',
        line: c.line,
        column: 0,
        message: 'SyntaxError',
        errorType: 'SyntaxError',
        priority: 100,
        source: 'syntax',
        detail: `${file}:${c.line}\nSyntaxError: missing ) after argument list`,
      };
      const fixed = c.broken.replace(c.badLine, c.goodLine);
      const sent: Record<string, number> = {};
      for (const format of ['whole', 'window'] as const) {
        const answers = (): ScriptedAnswer =>
          format === 'whole' ? { text: fixed } : { text: `<<<<<<< SEARCH\n${c.badLine}\n=======\n${c.goodLine}\n>>>>>>> REPLACE\n` };
        const server = await startModelServer({ answers });
        try {
          const config = resolveConfig(
            { roots: [root], llm: { baseUrl: server.url, editFormat: format, maxPromptChars: 1_000_000, numPredict: 200_000, redact: false } },
            { file: undefined, baseDir: root },
          );
          const r = await llmRepairer(config).repair({ bug, original: c.broken, file, format: c.file.format });
          const call = server.modelCalls()[0];
          sent[format] = call ? promptOf(call).length : 0;
          if (!r.ok || r.text !== fixed) {
            failures++;
            log(`${c.file.name} ${format}: not exact: ${r.ok ? 'text differs' : r.reason}`);
          }
        } finally {
          await server.close();
        }
      }
      measured.push({ kb: c.kb, chars: c.broken.length, whole: sent.whole!, window: sent.window!, name: c.file.name });
      log(`${c.kb} KB ${c.file.name}: whole ${sent.whole}, window ${sent.window}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const rows: string[][] = [];
  const windowMedians: number[] = [];
  for (const kb of SIZES_KB) {
    const m = measured.filter((x) => x.kb === kb);
    if (!m.length) continue;
    const w = median(m.map((x) => x.window));
    const wh = median(m.map((x) => x.whole));
    // Up to 5 KB a window (200 lines) is most of the file: flatness is judged from 10 KB up.
    if (kb >= 10) windowMedians.push(w);
    rows.push([`${kb} KB`, String(m.length), String(median(m.map((x) => x.chars))), String(wh), String(w), `${(wh / w).toFixed(1)}×`]);
  }
  const flat = Math.max(...windowMedians) / Math.min(...windowMedians);
  const slopeWhole = slope(measured.map((x) => x.chars), measured.map((x) => x.whole));
  const slopeWindow = slope(measured.map((x) => x.chars), measured.map((x) => x.window));
  const table = markdownTable([['size', 'files', 'median file chars', 'whole: median chars sent', 'window: median chars sent', 'whole / window'], ...rows]);
  const verdict =
    `Growth per 1,000 characters of file (least squares over all ${measured.length} files): whole ${(slopeWhole * 1000).toFixed(0)}, window ${(slopeWindow * 1000).toFixed(1)}. ` +
    `Window medians from 10 KB up, largest over smallest: ${flat.toFixed(2)} (target: flat, ≤ 2). Repairs exact: ${measured.length * 2 - failures}/${measured.length * 2}.`;
  const body = [
    `Command: \`npm run bench:prompt\` · machine: ${machine()} · revision ${gitRevision()}`,
    '',
    `Characters the loopback model server received for one repair (the prompt), per file size, in both edit formats: ${PER_SIZE} files per size from the pinned corpus of bench:repair (the ones closest to the size), each with a \`)\` removed near 85% of the file; default window settings (\`windowLines\` 30, \`maxWindowLines\` 200). The whole format is forced for every size here (budget and \`numPredict\` raised); by default a file goes whole only when it fits the prompt budget and its fixed text fits \`numPredict\`.`,
    '',
    table,
    '',
    verdict,
    '',
    'Up to 5 KB the window is nearly the whole file and its numbering and instructions make it larger than the whole prompt; `editFormat: auto` sends such files whole.',
  ].join('\n');
  process.stdout.write(`${table}\n\n${verdict}\n`);
  if (WRITE) writeSection(path.resolve('docs', 'BENCHMARKS.md'), 'bench:prompt', 'LLM prompt size: whole file against window', body);
  if (failures > 0 || flat > 2 || Math.abs(slopeWindow) > 0.02 * slopeWhole) process.exit(1);
}

await main();
