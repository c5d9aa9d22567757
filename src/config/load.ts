import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { ConfigError, errorMessage } from '../util/errors.js';
import { pm2ErrorLogGlob } from '../pm2/pm2.js';
import { expandHome } from '../util/paths.js';
import { CONFIG_FILE_NAMES, NODE_CANDIDATES } from './defaults.js';
import { serverUrls, type LlmSettings } from '../llm/settings.js';
import { configSchema, type ParsedConfig } from './schema.js';

/** The configuration as the core sees it: validated, defaulted, every path absolute. */
export interface Config extends Omit<ParsedConfig, 'roots' | 'node' | 'stateDir' | 'backupDir' | 'logs' | 'llm'> {
  /** Absolute real paths of the roots. */
  roots: string[];
  /** Absolute path of the node binary whose verdicts count. */
  node: string;
  stateDir: string;
  backupDir: string;
  /** Absolute log globs (PM2's included when `pm2Logs`). */
  logs: string[];
  llm: LlmSettings & { baseUrl: string | string[] };
  /** The file the config came from, or undefined for the embedded default. */
  file: string | undefined;
  /** Folder relative paths are resolved against. */
  baseDir: string;
}

export interface LoadOptions {
  cwd?: string;
  /** An explicit --config path. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** Find a config file from `cwd` upward. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function readRaw(file: string): Promise<unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${errorMessage(err)}`);
  }
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    // yaml is loaded only for a YAML config: a scan with a JSON config or none does not pay for it.
    if (file.endsWith('.yaml') || file.endsWith('.yml')) return (await import('yaml')).default.parse(text) ?? {};
    if (file.endsWith('.mjs') || file.endsWith('.js')) {
      const mod = (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { default?: unknown };
      const value = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
      if (value === undefined) throw new Error('the module has no default export');
      return value;
    }
  } catch (err) {
    throw new ConfigError(`cannot parse config file ${file}: ${errorMessage(err)}`);
  }
  throw new ConfigError(`config file ${file}: unsupported extension (use .json, .yaml, .yml or .mjs)`);
}

/** `probes[2].url`, `llm.model`: the key as a user would write it. */
export function keyPath(issuePath: readonly PropertyKey[]): string {
  let out = '';
  for (const part of issuePath) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function formatIssues(error: z.ZodError, file: string | undefined): string {
  const where = file ? `config ${file}` : 'config';
  const lines = error.issues.map((issue) => {
    let key = keyPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (key === '(top level)' ? k : `${key}.${k}`));
      return `  ${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}`;
    }
    // zod may or may not put the discriminator in the path: name it exactly once.
    if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
      const field = 'discriminator' in issue && typeof issue.discriminator === 'string' ? issue.discriminator : 'kind';
      if (issue.path.at(-1) !== field) key = `${key}.${field}`;
    }
    return `  ${key}: ${issue.message}`;
  });
  return `${where} is invalid:\n${lines.join('\n')}`;
}

/** Validate a raw config object (from any source) and resolve it against `baseDir`. */
export function resolveConfig(raw: unknown, opts: { file: string | undefined; baseDir: string; env?: NodeJS.ProcessEnv }): Config {
  // jitless: a config is parsed once a process, and zod's compiled fast path costs more to
  // build (new Function per object schema) than it saves on one parse (~10 ms of CPU a start).
  const parsed = configSchema.safeParse(raw ?? {}, { jitless: true });
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, opts.file));
  const c = parsed.data;
  const env = opts.env ?? process.env;
  const home = env.HOME ?? os.homedir();
  const abs = (p: string) => path.resolve(opts.baseDir, expandHome(p, home));

  const roots = c.roots.map((r) => {
    const p = abs(r);
    let real: string;
    try {
      real = fs.realpathSync(p);
    } catch {
      throw new ConfigError(`roots: ${p} does not exist`);
    }
    if (!fs.statSync(real).isDirectory()) throw new ConfigError(`roots: ${p} is not a folder`);
    return real;
  });

  const node = c.node ? abs(c.node) : resolveNodeBinary();
  if (c.node && !isExecutable(node)) throw new ConfigError(`node: ${node} is not an executable file`);

  const stateDir = c.stateDir ? abs(c.stateDir) : defaultStateDir(roots, env, home);
  const backupDir = c.backupDir ? abs(c.backupDir) : path.join(stateDir, 'backups');

  const logs = c.logs.map(abs);
  if (c.pm2Logs) logs.unshift(pm2ErrorLogGlob(env, home));

  const names = new Set<string>();
  c.probes.forEach((p, i) => {
    if (names.has(p.name)) throw new ConfigError(`config is invalid:\n  probes[${i}].name: "${p.name}" is used by another probe`);
    names.add(p.name);
  });

  // A path is the config folder's, not the daemon's working folder (PM2 and systemd start it elsewhere).
  const pm2Bin = c.pm2Bin.includes('/') ? abs(c.pm2Bin) : c.pm2Bin;
  // A pm2 probe without its own pm2Bin asks the PM2 the restarts use; the schema's default
  // cannot tell "unset" from "pm2", so the raw entry is read.
  const rawProbes = (raw as { probes?: unknown } | null)?.probes;
  const probes = c.probes.map((p, i) => {
    const own = Array.isArray(rawProbes) ? (rawProbes[i] as Record<string, unknown> | null) : null;
    return p.kind === 'pm2' && !(own && typeof own === 'object' && 'pm2Bin' in own) ? { ...p, pm2Bin } : p;
  });

  // One server stays a string; a pool stays a list (llm/servers.ts fails over along it).
  const urls = serverUrls(c.llm.baseUrl);
  const baseUrl = urls.length > 1 ? urls : (urls[0] ?? (c.llm.provider === 'openai' ? 'http://127.0.0.1:8080' : 'http://127.0.0.1:11434'));
  return {
    ...c,
    roots,
    node,
    pm2Bin,
    probes,
    stateDir,
    backupDir,
    logs,
    llm: { ...c.llm, baseUrl },
    file: opts.file,
    baseDir: opts.baseDir,
  };
}

export async function loadConfig(opts: LoadOptions = {}): Promise<Config> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  // PM2 and systemd set MECHANIC_CONFIG where passing --config is awkward.
  const explicit = opts.configPath ?? (opts.env ?? process.env).MECHANIC_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : findConfigFile(cwd);
  if (explicit && !fs.existsSync(file!)) throw new ConfigError(`${opts.configPath ? '--config' : 'MECHANIC_CONFIG'}: ${file} does not exist`);
  if (!file) return resolveConfig({}, { file: undefined, baseDir: cwd, env: opts.env });
  const raw = await readRaw(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`config ${file} is invalid:\n  (top level): expected an object of settings`);
  return resolveConfig(raw, { file, baseDir: path.dirname(file), env: opts.env });
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** As the seed ran it: Homebrew's node on macOS, then the usual places, then the running node. */
export function resolveNodeBinary(): string {
  for (const candidate of NODE_CANDIDATES) if (isExecutable(candidate)) return candidate;
  return process.execPath;
}

/**
 * State lives outside the roots by default (never inside the code it repairs):
 * `$XDG_STATE_HOME/code-mechanic/<first root's name>-<hash of the roots>`.
 */
function defaultStateDir(roots: readonly string[], env: NodeJS.ProcessEnv, home: string): string {
  const base = env.XDG_STATE_HOME ? path.resolve(env.XDG_STATE_HOME) : path.join(home, '.local', 'state');
  const hash = createHash('sha256').update(roots.join('\0')).digest('hex').slice(0, 10);
  const name = (path.basename(roots[0] ?? 'root') || 'root').replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(base, 'code-mechanic', `${name}-${hash}`);
}
