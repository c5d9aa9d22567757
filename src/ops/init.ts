import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { CONFIG_FILE_NAMES } from '../config/defaults.js';
import { exampleConfigYaml } from '../config/example.js';
import { resolveConfig } from '../config/load.js';
import { starterConfig, type StarterInput, type StarterRoot } from './starter.js';
import { listPm2, pm2DaemonRunning } from '../pm2/pm2.js';
import { systemClock, type Clock } from '../util/clock.js';
import { ConfigError, errorMessage, UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../workspace/atomic.js';

export interface InitOptions {
  /** The folder init runs in: the first root, and where the config goes by default. */
  cwd: string;
  /** The config file to write (`.yaml` or `.yml`); default `mechanic.config.yaml` in `cwd`. */
  output?: string;
  /** The seed's eleven-probe production setup instead of a starter for this machine. */
  seed?: boolean;
  /** Replace the file if it exists. */
  force?: boolean;
  /** Make the text, write nothing. */
  dryRun?: boolean;
  /** The pm2 program that lists the apps (default `pm2` on the PATH). */
  pm2Bin?: string;
  clock?: Clock;
}

export interface InitReport {
  file: string;
  text: string;
  written: boolean;
  /** Empty for `seed`: its roots are the example's. */
  roots: StarterRoot[];
  /** PM2 apps written as probes. */
  apps: string[];
  /** Why no PM2 apps were listed, when none were. */
  pm2Note?: string;
}

/**
 * `mechanic init`: a commented config for this machine (or the seed's), validated as the loader
 * will read it before anything is written, and never over an existing config unless forced.
 */
export async function initConfig(opts: InitOptions): Promise<InitReport> {
  const cwd = path.resolve(opts.cwd);
  const file = path.resolve(cwd, opts.output ?? 'mechanic.config.yaml');
  if (!/\.ya?ml$/.test(file)) throw new UsageError(`--output: ${file}: init writes YAML (comments and all); name it .yaml or .yml`);
  const dir = path.dirname(file);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--output: ${dir} is not a folder`);
  if (!opts.dryRun) refuseExisting(file, !!opts.force);

  let report: InitReport;
  if (opts.seed) report = { file, text: exampleConfigYaml(), written: false, roots: [], apps: [] };
  else {
    const pm2Bin = opts.pm2Bin && opts.pm2Bin.includes('/') ? path.resolve(cwd, opts.pm2Bin) : opts.pm2Bin;
    const pm2 = await findPm2Apps(pm2Bin ?? 'pm2');
    const input: StarterInput = {
      cwd: fs.realpathSync(cwd),
      file,
      home: process.env.HOME ?? os.homedir(),
      hostname: os.hostname(),
      now: new Date((opts.clock ?? systemClock).now()),
      pm2,
      ...(process.env.PM2_HOME ? { pm2Home: path.resolve(process.env.PM2_HOME) } : {}),
      ...(pm2Bin && pm2Bin !== 'pm2' ? { pm2Bin } : {}),
      self: fileURLToPath(new URL('../..', import.meta.url)),
    };
    const s = starterConfig(input);
    report = { file, text: s.text, written: false, roots: s.roots, apps: s.apps, ...('none' in pm2 ? { pm2Note: pm2.none } : {}) };
  }
  // What is written must load as it is: a config init cannot read back is a bug, never a file.
  try {
    resolveConfig(YAML.parse(report.text), { file, baseDir: dir });
  } catch (err) {
    throw new ConfigError(`init made a config that does not load (nothing written): ${errorMessage(err)}`);
  }
  if (opts.dryRun) return report;
  try {
    writeFileAtomic(file, report.text, { exclusive: !opts.force });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists; use --force to overwrite it`);
    throw new UsageError(`cannot write ${file}: ${errorMessage(err)}`);
  }
  return { ...report, written: true };
}

/**
 * The target, or another config file beside it that the loader would read instead of it (or
 * it instead of that one): both are someone's settings, and init does not overwrite them.
 */
function refuseExisting(file: string, force: boolean): void {
  if (fs.existsSync(file) && !force) throw new UsageError(`${file} exists; use --force to overwrite it`);
  const others = CONFIG_FILE_NAMES.map((n) => path.join(path.dirname(file), n)).filter((f) => f !== file && fs.existsSync(f));
  if (others.length)
    throw new UsageError(`${others.join(', ')} already configures ${path.dirname(file)}; edit ${others.length > 1 ? 'those' : 'it'}, or remove ${others.length > 1 ? 'them' : 'it'} first`);
}

/** The apps PM2 runs, without starting a PM2 daemon where none runs. */
async function findPm2Apps(pm2Bin: string): Promise<StarterInput['pm2']> {
  const home = process.env.PM2_HOME ?? '~/.pm2';
  if (!pm2DaemonRunning()) return { none: `no PM2 daemon runs for ${home}` };
  try {
    const apps = await listPm2({ pm2Bin });
    return apps.length ? { apps } : { none: `the PM2 daemon of ${home} runs no apps` };
  } catch (err) {
    return { none: `listing them failed (${errorMessage(err)}; --pm2-bin names the pm2 program)` };
  }
}
