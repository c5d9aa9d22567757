/**
 * Localisation benchmark: `npm run bench:localise`.
 *
 * For every case of bench/corpus/localise (small projects that crash for real; some through real
 * npm packages at pinned versions, fetched into .cache/bench/localise), the project is run with
 * node and its stderr read as an error log, as `mechanic scan` reads it. Measured:
 * - traces read: a runtime bug found (the trace as node printed it, and as a logger writes it:
 *   each line stamped, frames without indentation);
 * - file named: the bug's file (the first place) is a file the fix changed;
 * - fix lines shown: every line the fix changed is in the prompt the model receives (the
 *   loopback model server records it);
 * - median prompt characters.
 * Three prompts per case: ours (the defaults: call chain of 3 frames), the single window (the
 * same, `llm.callChainFrames: 0`), and the seed's (the top frame's file cut at 6,000 characters).
 *
 * Options: --no-write (do not update docs/BENCHMARKS.md), --verbose (each case), --only TEXT (only the
 * cases whose name holds TEXT; implies --no-write).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../src/config/load.js';
import type { Bug } from '../src/discover/types.js';
import { parseErrorLog } from '../src/discover/logs/parse.js';
import { groupErrors, toBugs } from '../src/discover/logs/group.js';
import { projectPathResolver } from '../src/discover/logs/project-path.js';
import { localise } from '../src/discover/localise.js';
import { projectCode } from '../src/discover/code-access.js';
import { isInside } from '../src/workspace/paths.js';
import { SEED_PROMPT_TEMPLATE } from '../src/llm/settings.js';
import { fillTemplate } from '../src/repair/formats/whole.js';
import { llmRepairer } from '../src/repair/repairers/llm.js';
import { startModelServer } from '../test/helpers/model-server.js';
import { CASES, type LocaliseCase } from './corpus/localise/cases.js';
import { gitRevision, machine, markdownTable, pct, writeSection } from './lib/report.js';

const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const WRITE = !process.argv.includes('--no-write') && ONLY === undefined;
const VERBOSE = process.argv.includes('--verbose');
const CACHE = path.resolve('.cache', 'bench', 'localise');
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Each pinned package from the npm registry, unpacked once into the cache. */
function packageDir(name: string, version: string): string {
  const dir = path.join(CACHE, 'npm', `${name}-${version}`);
  if (fs.existsSync(path.join(dir, 'package', 'package.json'))) return path.join(dir, 'package');
  fs.mkdirSync(dir, { recursive: true });
  const packed = spawnSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack ${name}@${version} failed: ${packed.stderr}`);
  const tgz = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const untar = spawnSync('tar', ['xzf', tgz], { cwd: dir });
  if (untar.status !== 0) throw new Error(`could not unpack ${tgz}`);
  return path.join(dir, 'package');
}

/** Unrelated code appended to a file, so that it is too long to be shown whole. */
function padding(lines: number, esm: boolean): string {
  const out: string[] = ['', '// ---- unrelated helpers of the module'];
  for (let i = 0; out.length < lines; i++) {
    out.push(`${esm ? 'export ' : ''}function unrelated${i}(values, factor) {`, `  const scaled = values.map((v) => v * factor + ${i});`, `  return scaled.filter((v) => v % ${i + 2} !== 0).length;`, '}');
  }
  return out.join('\n') + '\n';
}

function writeProject(root: string, c: LocaliseCase): void {
  // A real case's project is the package itself at the broken version.
  if (c.real) fs.cpSync(packageDir(c.real.package, c.real.broken), root, { recursive: true });
  for (const [rel, text] of Object.entries(c.files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text + (c.long?.[rel] ? padding(c.long[rel], rel.endsWith('.mjs')) : ''));
  }
  for (const [name, version] of Object.entries(c.deps ?? {})) fs.cpSync(packageDir(name, version), path.join(root, 'node_modules', name), { recursive: true });
}

/** The 1-based lines of the file (as written) that each replacement of the fix changes. */
function fixLines(root: string, c: LocaliseCase): Array<{ file: string; line: number; text: string }> {
  const out: Array<{ file: string; line: number; text: string }> = [];
  for (const f of c.fix) {
    const text = fs.readFileSync(path.join(root, f.file), 'utf8');
    const at = text.indexOf(f.from);
    if (at < 0 || text.indexOf(f.from, at + 1) >= 0) throw new Error(`${c.name}: the fix's text is not once in ${f.file}`);
    const first = text.slice(0, at).split('\n').length;
    const count = f.from.split('\n').length;
    const lines = text.split('\n');
    for (let l = first; l < first + count; l++) out.push({ file: f.file, line: l, text: lines[l - 1]! });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === 'node_modules') return [];
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : /\.(c|m)?js$/.test(d.name) ? [p] : [];
  });
}

/** As a logger writes it: each line stamped, frames without their indentation. */
function asLogger(trace: string): string {
  const t = '2025-03-04T05:06:07.890Z';
  return trace
    .split('\n')
    .map((l) => (l ? `${t}: ${l.replace(/^\s+(at |\.\.\.)/, '$1')}` : l))
    .join('\n');
}

/** Read a log's text the way the error-log source does. */
function bugsOf(root: string, text: string): Bug[] {
  const errors = parseErrorLog(text, path.join(root, 'app-error.log'));
  const code = projectCode(() => sourceFiles(root));
  return toBugs(
    groupErrors(errors, {
      isProjectFile: (f) => isInside(f, root) && fs.existsSync(f),
      resolve: projectPathResolver([root]),
      localise: (e, frames) => localise(e, frames, code),
      now: Date.now(),
    }),
  );
}

function shownIn(prompt: string, lines: Array<{ text: string }>): boolean {
  return lines.every((l) => prompt.includes(l.text.trim()));
}

/** The prompt the model server receives from the model rung, for one configuration. */
async function promptFor(root: string, bug: Bug, llm: object): Promise<string> {
  const server = await startModelServer({ answers: [{ text: 'no answer' }] });
  try {
    const config = resolveConfig({ roots: [root], llm: { baseUrl: server.url, retries: 0, ...llm } }, { file: undefined, baseDir: root });
    const original = fs.readFileSync(bug.file, 'utf8');
    await llmRepairer(config).repair({ bug, original, file: bug.file, format: bug.file.endsWith('.mjs') ? 'module' : 'commonjs' });
    const body = server.modelCalls()[0]?.body as { prompt?: unknown } | undefined;
    const prompt = body?.prompt;
    return typeof prompt === 'string' ? prompt : '';
  } finally {
    await server.close();
  }
}

/** The seed's prompt: the top project frame's file, cut at 6,000 characters, the error at 500. */
function seedPrompt(root: string, bug: Bug, trace: string): string {
  const top = [...(bug.places ?? [])].sort((a, b) => a.frame - b.frame)[0]?.file ?? bug.file;
  const code = fs.readFileSync(top, 'utf8');
  return fillTemplate(SEED_PROMPT_TEMPLATE, { file: path.basename(top), error: trace.slice(0, 500), code: code.substring(0, 6000) });
}

interface Result {
  name: string;
  real: boolean;
  read: boolean;
  readLogger: boolean;
  named: boolean;
  namedTop: boolean;
  shown: Record<Variant, boolean>;
  chars: Record<Variant, number>;
  where: string;
}
const VARIANTS = ['ours', 'window', 'seed'] as const;
type Variant = (typeof VARIANTS)[number];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const c of CASES.filter((x) => ONLY === undefined || x.name.includes(ONLY))) {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-localise-')));
    try {
      writeProject(root, c);
      const run = spawnSync(process.execPath, [c.entry], { cwd: root, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
      if (run.status === 0 || !run.stderr.trim()) throw new Error(`${c.name}: the project did not crash (exit ${run.status})\n${run.stdout}\n${run.stderr}`);
      const trace = run.stderr;
      if (!new RegExp(c.expect).test(trace)) throw new Error(`${c.name}: the project crashed another way than the case says:\n${trace}`);
      // The oracle of the fix: with it applied, the project runs.
      const fixedRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-localise-fixed-')));
      try {
        writeProject(fixedRoot, c);
        for (const f of c.fix) {
          const p = path.join(fixedRoot, f.file);
          fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(f.from, f.to));
        }
        const ok = spawnSync(process.execPath, [c.entry], { cwd: fixedRoot, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
        if (ok.status !== 0) throw new Error(`${c.name}: the fix does not make the project run (exit ${ok.status}):\n${ok.stderr}`);
        // A real case's fix must be what the fixed version shipped, not one of ours.
        if (c.real) {
          const shipped = packageDir(c.real.package, c.real.fixed);
          for (const f of c.fix) if (!fs.readFileSync(path.join(shipped, f.file), 'utf8').includes(f.to)) throw new Error(`${c.name}: ${f.file} of ${c.real.package}@${c.real.fixed} does not hold the fix`);
        }
      } finally {
        fs.rmSync(fixedRoot, { recursive: true, force: true });
      }
      const changed = fixLines(root, c);
      const fixFiles = new Set(c.fix.map((f) => path.join(root, f.file)));
      const bugs = bugsOf(root, trace);
      const readLogger = bugsOf(root, asLogger(trace)).length > 0;
      const bug = bugs[0];
      const r: Result = {
        name: c.name,
        real: !!c.real,
        read: !!bug,
        readLogger,
        named: false,
        namedTop: false,
        shown: { ours: false, window: false, seed: false },
        chars: { ours: 0, window: 0, seed: 0 },
        where: bug ? `${path.relative(root, bug.file)}:${bug.line}` : 'not read',
      };
      if (bug) {
        r.named = fixFiles.has(bug.file);
        const top = [...(bug.places ?? [])].sort((a, b) => a.frame - b.frame)[0]?.file ?? bug.file;
        r.namedTop = fixFiles.has(top);
        const prompts: Record<Variant, string> = {
          ours: await promptFor(root, bug, {}),
          window: await promptFor(root, bug, { callChainFrames: 0 }),
          seed: seedPrompt(root, bug, trace),
        };
        for (const v of VARIANTS) {
          r.shown[v] = shownIn(prompts[v], changed);
          r.chars[v] = prompts[v].length;
        }
      }
      results.push(r);
      if (VERBOSE) log(`${r.read ? 'read' : 'NOT READ'} ${r.where} named ${r.named} shown ${JSON.stringify(r.shown)} chars ${JSON.stringify(r.chars)}  ${c.name}`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  const n = results.length;
  const count = (f: (r: Result) => boolean) => results.filter(f).length;
  const rate = (k: number) => `${k}/${n} (${pct(k, n)})`;
  const read = count((r) => r.read);
  /** The three prompts' figures over a subset of the cases. */
  const tableOf = (set: Result[]) => {
    const m = set.length;
    const k = (f: (r: Result) => boolean) => set.filter(f).length;
    const of = (x: number) => `${x}/${m} (${pct(x, m)})`;
    const row = (label: string, named: number, v: Variant) => [label, of(k((r) => r.read)), of(named), of(k((r) => r.shown[v])), String(median(set.filter((r) => r.read).map((r) => r.chars[v])))];
    return markdownTable(
      [
        ['prompt', 'traces read', 'file named', 'fix lines shown', 'median prompt chars'],
        row('ours: localised, call chain (callChainFrames 3)', k((r) => r.named), 'ours'),
        row('single window (callChainFrames 0)', k((r) => r.named), 'window'),
        row("seed: top frame's file cut at 6,000", k((r) => r.namedTop), 'seed'),
      ],
      false,
    );
  };
  const table = tableOf(results);
  const realResults = results.filter((r) => r.real);
  const realTable = tableOf(realResults);
  const modelledTable = tableOf(results.filter((r) => !r.real));
  const perCase = markdownTable(
    [['case', 'bug at', 'file named', 'shown: ours / window / seed'], ...results.map((r) => [r.name + (r.real ? ` ([issue](${CASES.find((c) => c.name === r.name)!.real!.issue}))` : ''), r.where, r.named ? 'yes' : 'no', VARIANTS.map((v) => (r.shown[v] ? 'yes' : 'no')).join(' / ')])],
    false,
  );
  const logger = count((r) => r.readLogger);
  const summary =
    `${n} cases: ${realResults.length} real crashes of published packages, ${n - realResults.length} written by us (${CASES.filter((c) => c.deps && !c.real).length} of them through real npm packages at pinned versions). Traces read as node printed them: ${rate(read)}; as a logger writes them (stamped, frames unindented): ${rate(logger)}. ` +
    `Targets: bug found ≥ 98%, fix lines shown ≥ 85%, median prompt ≤ 12,000 characters.`;
  const body = [
    `Command: \`npm run bench:localise\` · machine: ${machine()} · revision ${gitRevision()}`,
    '',
    'Each case of `bench/corpus/localise/cases.ts` is a small project that crashes for real when run with node; its stderr is read as an error log the way `mechanic scan` reads it. Most are reproductions modelled on kinds of crash reports that recur in the issue trackers of Node projects; the cases with packages run real npm packages at pinned versions (fetched with `npm pack` into `.cache/bench/localise`), which throw on a bad argument whose fix is in the project\'s caller. Some files are lengthened with unrelated functions so that they are not shown whole. A fix line is shown when its text is in the prompt the loopback model server received. "File named" for the seed is the top project frame\'s file (the seed sends that file); for ours and the single window it is the localised bug\'s file.',
    '',
    'All cases:',
    '',
    table,
    '',
    `Real crashes only (${realResults.length}): a published package at the version a user reported, run with the reproduction of the issue (cited in the table below), the package itself the project; the fix lines are those the next version changed (the bench checks they are in it).`,
    '',
    realTable,
    '',
    'Written by us only:',
    '',
    modelledTable,
    '',
    summary,
    '',
    perCase,
    '',
    'Where the fix lines are not shown, the fix is in a file that is on no frame of the trace: a settings module read at load time, a listener never registered (the emit is the frame), the caller of an asynchronous callback (gone from the stack when the callback runs). Neither the trace nor the call chain reaches those; the held-out set will say how common they are.',
    '',
    'The cases written by us were written together with the localiser: they measure what the design covers, not a held-out set. Their package cases are not bugs of the packages (the fix is in the project\'s caller). The real cases were assembled afterwards, from issue threads and the releases that fixed them, by people who did not change the localiser; one change to the call chain followed them (see the notes below), so they are not a held-out set either.',
  ].join('\n');
  process.stdout.write(`${table}\n\nreal crashes only:\n${realTable}\n\nwritten by us only:\n${modelledTable}\n\n${summary}\n\n${perCase}\n`);
  if (WRITE) writeSection(path.resolve('docs', 'BENCHMARKS.md'), 'bench:localise', 'Localisation: traces read, file named, fix lines shown', body);
}

await main();
