import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { nodeVersionOf } from '../engine/checker.js';
import { detectsModuleSyntax } from '../analysis/format.js';
import { expandLogGlobs } from '../discover/logs/read.js';
import { checkModelServers } from '../llm/doctor.js';
import { modelServerHealth, type ModelServerHealth } from '../llm/servers.js';
import { errorMessage } from '../util/errors.js';
import { liveHolder } from '../workspace/lock.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** A finding worth knowing that does not make the setup unusable. */
  warn?: boolean;
  detail: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  /** With several model servers (`llm.baseUrl` a list): the state of each, in configured order. */
  modelServers?: ModelServerHealth[];
}

/** Everything the mechanic needs, checked once: the seed's Step 1 and the rest of the setup. */
export async function doctor(config: Config): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let modelServers: ModelServerHealth[] | undefined;
  checks.push({ name: 'config', ok: true, detail: config.file ?? 'no config file: embedded defaults on the current folder' });
  checks.push({ name: 'roots', ok: true, detail: config.roots.join(', ') });
  try {
    const v = await nodeVersionOf(config.node);
    checks.push({
      name: 'node',
      ok: true,
      detail: `${config.node} ${v.raw}${detectsModuleSyntax(v) ? ' (detects ES module syntax in typeless .js)' : ''}${v.raw === process.version ? '' : `; the mechanic runs on ${process.version} and confirms errors with this binary`}`,
    });
  } catch (err) {
    checks.push({ name: 'node', ok: false, detail: errorMessage(err) });
  }
  for (const [name, dir] of [
    ['state folder', config.stateDir],
    ['backup folder', config.backupDir],
  ] as const) {
    checks.push({ name, ...folderCheck(dir) });
  }
  const holder = liveHolder(config.stateDir);
  checks.push({ name: 'lock', ok: true, detail: holder ? `held by pid ${holder.pid} (${holder.command} since ${holder.since})` : 'free' });
  try {
    const logs = await expandLogGlobs(config.logs, process.env.HOME ?? os.homedir());
    checks.push({ name: 'error logs', ok: true, detail: `${logs.length} file(s) match ${config.logs.join(', ') || '(none configured)'}` });
  } catch (err) {
    checks.push({ name: 'error logs', ok: false, warn: true, detail: errorMessage(err) });
  }
  if (config.llm.provider === 'none') {
    checks.push({ name: 'model', ok: true, warn: true, detail: 'llm.provider is "none": only the deterministic repairer runs' });
  } else {
    const reports = await checkModelServers(config.llm);
    if (reports.length === 1) for (const step of reports[0]!.steps) checks.push({ name: `model: ${step.name}`, ok: step.ok, detail: step.detail });
    else {
      // A pool works while one server does: the others' failures are warnings, not failures.
      const working = reports.filter((r) => r.ok).length;
      for (const r of reports)
        for (const step of r.steps) checks.push({ name: `model ${r.baseUrl}: ${step.name}`, ok: step.ok, ...(!step.ok && working ? { warn: true } : {}), detail: step.detail });
      modelServers = modelServerHealth(config.llm);
      const each = reports.map((r, i) => `${r.baseUrl} ${modelServers![i]?.state ?? 'unknown'}${r.ok ? '' : r.steps.some((x) => x.name === 'reachable' && x.ok) ? ' (fails its checks)' : ''}`);
      checks.push({
        name: 'model servers',
        ok: working === reports.length,
        ...(working && working < reports.length ? { warn: true } : {}),
        detail: `${working} of ${reports.length} working, tried in order with failover: ${each.join(', ')}`,
      });
    }
  }
  checks.push({ name: 'probes', ok: true, detail: `${config.probes.length} configured${config.probes.length ? `: ${config.probes.map((p) => p.name).join(', ')}` : ''}` });
  return { ok: checks.every((c) => c.ok || c.warn), checks, ...(modelServers ? { modelServers } : {}) };
}

/**
 * Doctor only reports: a folder that is not there yet is judged by the nearest one above it
 * that is, since the first command that writes will create it from there.
 */
function folderCheck(dir: string): { ok: boolean; detail: string } {
  let missing = false;
  for (let at = dir; ; at = path.dirname(at)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(at) === at) return { ok: false, detail: `${dir}: ${errorMessage(err)}` };
      missing = true;
      continue;
    }
    if (!st.isDirectory()) return { ok: false, detail: `${dir}: ${at} is not a folder` };
    try {
      fs.accessSync(at, fs.constants.W_OK | fs.constants.X_OK);
    } catch {
      return { ok: false, detail: `${dir}: ${at} is not writable` };
    }
    return { ok: true, detail: missing ? `${dir} will be created (${at} is writable)` : `${dir} is writable` };
  }
}
