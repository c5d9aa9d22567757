import path from 'node:path';
import YAML from 'yaml';
import type { Pm2Process } from '../pm2/pm2.js';
import { SEED } from '../config/defaults.js';

/** What `mechanic init` found on this machine, and where the config goes. */
export interface StarterInput {
  /** The folder init ran in: the first root. */
  cwd: string;
  /** Where the config will be written: relative paths in it are relative to this file's folder. */
  file: string;
  /** The user's home: a folder too wide to scan whole, as is `/`. */
  home: string;
  hostname: string;
  now: Date;
  /** The PM2 apps found, or why none were looked at or listed. */
  pm2: { apps: Pm2Process[] } | { none: string };
  /** Where PM2 was looked for, when not the default `~/.pm2`. */
  pm2Home?: string;
  /** The pm2 program, when not `pm2` on the PATH. */
  pm2Bin?: string;
  /** The mechanic's own package folder: the PM2 app that runs it is not a project to repair. */
  self?: string;
}

export interface StarterRoot {
  folder: string;
  /** Where it came from, written beside it. */
  note: string;
  /** Written commented out: a folder too wide to scan (`/`, the home folder). */
  commented?: boolean;
}

export interface Starter {
  text: string;
  roots: StarterRoot[];
  /** The PM2 apps written as probes. */
  apps: string[];
}

const JS_FILE = /\.(?:c|m)?js$/;

/**
 * The folder whose JavaScript a PM2 app runs: its working folder when the script lies in it (a
 * project started from its root), the script's folder otherwise; a script under node_modules
 * (`pm2 start npm -- start`) is a tool, and the working folder is the project.
 */
export function appFolder(app: Pm2Process, home: string): { folder?: string; why: string } {
  const interpreter = app.interpreter ? path.basename(app.interpreter).replace(/\.exe$/i, '') : 'node';
  const script = app.script;
  if (!script) return app.cwd ? { folder: app.cwd, why: 'its working folder' } : { why: 'PM2 names no script or folder' };
  if (!interpreter.startsWith('node') && !JS_FILE.test(script)) return { why: `not JavaScript (${interpreter} ${script})` };
  if (script.split(path.sep).includes('node_modules') && app.cwd) return { folder: app.cwd, why: `its working folder (it runs ${script})` };
  if (app.cwd && isInside(script, app.cwd) && !tooWide(app.cwd, home)) return { folder: app.cwd, why: `runs ${path.relative(app.cwd, script)}` };
  return { folder: path.dirname(script), why: `runs ${path.basename(script)}` };
}

/** The file system's root or the home folder: scanning it whole would read everything. */
function tooWide(folder: string, home: string): boolean {
  const p = path.resolve(folder);
  return p === path.parse(p).root || p === path.resolve(home);
}

function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A YAML scalar, quoted when plain text would not read back as the same string. */
function scalar(v: string | number | boolean): string {
  return YAML.stringify(v, { lineWidth: 0 }).trimEnd();
}

/** `line  # comment`, the comments in one column where the lines allow. */
function withComment(line: string, comment: string): string {
  return `${line.padEnd(31)} # ${comment}`;
}

/** The roots: the folder init ran in, then each app's folder not already under one of them. */
export function starterRoots(input: Pick<StarterInput, 'cwd' | 'home' | 'pm2' | 'self'>): StarterRoot[] {
  const roots: StarterRoot[] = [{ folder: input.cwd, note: 'the folder `mechanic init` ran in' }];
  if (!('apps' in input.pm2)) return roots;
  for (const app of input.pm2.apps) {
    const { folder } = appFolder(app, input.home);
    if (!folder) continue;
    const under = roots.find((r) => !r.commented && isInside(folder, r.folder)) ?? roots.find((r) => r.folder === folder);
    if (under) under.note += `; PM2 app ${app.name}`;
    else if (input.self && isInside(folder, input.self)) roots.push({ folder, note: `PM2 app ${app.name}: code-mechanic itself, not a project to repair`, commented: true });
    else if (tooWide(folder, input.home)) roots.push({ folder, note: `PM2 app ${app.name}: too wide to scan whole, name its own folder`, commented: true });
    else roots.push({ folder, note: `PM2 app ${app.name}` });
  }
  return roots;
}

/**
 * The commented starter config for this machine: the folder init ran in and the folders of the
 * PM2 apps as roots, a `pm2` probe per app, a disk probe, the seed's defaults spelled out.
 */
export function starterConfig(input: StarterInput): Starter {
  const dir = path.dirname(input.file);
  const shown = (p: string) => (isInside(p, dir) ? (path.relative(dir, p) ? `./${path.relative(dir, p)}` : '.') : p);
  const roots = starterRoots(input);
  const apps = 'apps' in input.pm2 ? input.pm2.apps : [];
  const names = new Set(apps.map((a) => a.name));
  const diskName = ['disk', 'disk-free', 'disk-space'].find((n) => !names.has(n)) ?? 'mechanic-disk';
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);

  push(
    `# code-mechanic configuration for ${input.hostname}, written by \`mechanic init\` on ${input.now.toISOString().slice(0, 10)}.`,
    '# Every key is optional: what is left out takes its default (README.md, section Configuration).',
    '# Check it with `mechanic doctor`; `mechanic scan` lists what it finds and changes nothing.',
    '',
    '# Folders whose JavaScript the mechanic scans and may repair: nothing outside them is ever',
    '# written. Relative paths are relative to this file.',
    'roots:',
    ...roots.map((r) => withComment(`${r.commented ? '# ' : '  '}- ${scalar(shown(r.folder))}`, r.note)),
    withComment('exclude: []', 'globs under a root, e.g. ["dist/**", "**/*.min.js"]'),
    '',
    '# Never touched: a bare name matches that file anywhere, a glob paths under a root.',
    "# node_modules/, .git/, lockfiles and the mechanic's own files are always protected.",
    withComment('protect: []', 'e.g. ["core.js", "vendor/**"]'),
    '',
    '# The model that repairs what the deterministic repairer (no model) cannot. Without a model',
    '# server, set provider: none and only the deterministic repairer runs.',
    'llm:',
    withComment('  provider: ollama', 'ollama | openai (any OpenAI-compatible server) | none'),
    '  baseUrl: http://127.0.0.1:11434',
    `  model: ${scalar(SEED.model)}`,
    withComment('  think: false', 'top-level in /api/generate: a thinking model answers empty without it'),
    withComment('  timeoutMs: 120000', '2 min per model call'),
    '',
    withComment(`maxFixesPerRun: ${SEED.maxFixesPerRun}`, 'fix attempts per cycle'),
    withComment(`cycleIntervalMs: ${SEED.cycleIntervalMs}`, "the daemon's cycle: 10 min"),
    withComment(`fileCooldownMs: ${SEED.fileCooldownMs}`, 'a file is attempted at most once in 6 h'),
    withComment('# stateDir: ~/.local/state/code-mechanic/<root>-<hash>', 'the default, outside the roots'),
    '',
    "# Runtime errors are read from PM2's error logs and from the `logs` globs.",
    withComment('pm2Logs: true', '$PM2_HOME/logs/*-error.log'),
    withComment('logs: []', 'e.g. ["/var/log/pipeline/*.err"]'),
    withComment('restartStale: false', 'restart a PM2 process that runs older code than its file'),
  );
  if (input.pm2Bin) push(withComment(`pm2Bin: ${scalar(input.pm2Bin)}`, 'the pm2 program (not on the PATH)'));
  push('', '# Layer 1: checked every cycle, each healthy | degraded | down.');
  if ('none' in input.pm2) push(`# No PM2 apps: ${input.pm2.none}. Once they run, \`mechanic init --force\` adds them.`);
  else push('# A pm2 probe per app PM2 runs: down when it is stopped or errored.');
  if (input.pm2Home && apps.length) push(`# PM2 was found through PM2_HOME=${input.pm2Home}: run the mechanic with the same PM2_HOME.`);
  push('probes:');
  for (const app of apps) {
    push(`  - name: ${scalar(app.name)}`, '    kind: pm2', '    processes:', `      - ${scalar(app.name)}`);
    push(withComment('    maxRestarts: 3', 'restarts since the last cycle above this is degraded'));
    if (input.pm2Home) push(`    pm2Home: ${scalar(input.pm2Home)}`);
    if (input.pm2Bin) push(`    pm2Bin: ${scalar(input.pm2Bin)}`);
  }
  push(
    `  - name: ${diskName}`,
    '    kind: disk',
    withComment('    path: .', 'the file system this file is on'),
    '    degradedFreePercent: 15',
    '    minFreePercent: 5',
    '  # More kinds: http, tcp, ollama, postgres, file-age, queue, github, command. For example:',
    '  # - name: api-health',
    '  #   kind: http',
    '  #   url: http://127.0.0.1:3000/health',
    '  #   maxLatencyMs: 2000',
    '',
  );
  return { text: out.join('\n'), roots, apps: apps.map((a) => a.name) };
}
