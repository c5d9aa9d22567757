#!/usr/bin/env node
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../config/load.js';
import { runCycle, type ProgressEvent } from '../cycle.js';
import { historyOnly } from '../discover/sources.js';
import { daemonControl, runDaemon } from '../daemon.js';
import { runProbes, summarize } from '../probes/run.js';
import { doctor } from '../ops/doctor.js';
import { retry, snooze } from '../ops/holds.js';
import { status } from '../ops/status.js';
import { historyReport, LOG_KINDS, readLogFiltered } from '../ops/history.js';
import { readLog } from '../state/log.js';
import { loadState } from '../state/state.js';
import { systemClock } from '../util/clock.js';
import { scrubberFor } from '../util/secrets.js';
import { BusyError, ConfigError, errorMessage, SafetyError, StateError, UsageError } from '../util/errors.js';
import { toHealthCheck } from '../probes/health-format.js';
// The server, init, apply and revert are imported by their commands' actions: a scan does not load them.
import { DEFAULT_HOST, DEFAULT_PORT, parseHostPort, parsePort } from '../serve/address.js';
import type { MechanicServer } from '../serve/server.js';
import { deliverLocked, deliverOnce, sendTest, type SendReport } from '../notify/deliver.js';
import { bold, dim, formatBugs, formatNeedsPerson, formatCycle, formatDaemonCycle, formatFix, formatHistory, formatLogEntry, formatProbes, green, print, printError, printJson, progressBar, red, rel, scrubOutputWith, yellow } from './output.js';

const EXIT = { ok: 0, problems: 1, usage: 2, busy: 3 } as const;

const program = new Command('mechanic')
  .description('Keeps a box of Node.js services healthy: probes the pipeline, finds broken JavaScript and repairs it safely.')
  .option('-c, --config <file>', 'config file (default: mechanic.config.{json,yaml,yml,mjs} found from here upward)')
  .version(readVersion(), '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
Exit codes: 0 all well, 1 problems found or left (or the mechanic itself failed), 2 usage or config error, 3 another mechanic holds the state folder.

Examples:
  $ mechanic init                 write a commented mechanic.config.yaml for this folder and its PM2 apps
  $ mechanic doctor               is the node binary there, is the model there and does it answer?
  $ mechanic scan --json          list the bugs, change nothing
  $ mechanic fix --dry-run        show the fixes as diffs, write nothing
  $ mechanic run                  one cycle: probes, bugs, fixes, record
  $ mechanic daemon               a cycle every cycleIntervalMs until SIGTERM`,
  );

async function config(): Promise<Config> {
  const opts = program.opts<{ config?: string }>();
  const c = await loadConfig(opts.config ? { configPath: opts.config } : {});
  scrubOutputWith(scrubberFor(c));
  return c;
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;
}

program
  .command('init')
  .description("write a commented starter config for this machine: this folder and the PM2 apps it runs; --seed: the seed's production setup")
  .option('--seed', "the seed's eleven-probe production setup instead")
  .option('-f, --force', 'overwrite an existing config file')
  .option('-o, --output <file>', 'where to write it (.yaml or .yml)', 'mechanic.config.yaml')
  .option('--dry-run', 'print the config instead of writing it')
  .option('--pm2-bin <path>', 'the pm2 program that lists the apps (default: pm2 on the PATH)')
  .addHelpText('after', examples('mechanic init', 'mechanic init --dry-run', 'mechanic init --seed -o /etc/mechanic/mechanic.config.yaml'))
  .action(async (opts: { seed?: boolean; force?: boolean; output: string; dryRun?: boolean; pm2Bin?: string }) => {
    const { initConfig } = await import('../ops/init.js');
    const r = await initConfig({ cwd: process.cwd(), output: opts.output, seed: !!opts.seed, force: !!opts.force, dryRun: !!opts.dryRun, ...(opts.pm2Bin ? { pm2Bin: opts.pm2Bin } : {}) });
    if (!r.written) return void print(r.text);
    const found = opts.seed
      ? ["the seed's eleven probes: point them at your own components"]
      : [
          `roots: ${r.roots.filter((x) => !x.commented).map((x) => x.folder).join(', ')}`,
          r.apps.length ? `PM2 apps as probes: ${r.apps.join(', ')}` : `no PM2 apps (${r.pm2Note ?? 'none found'})`,
          ...r.roots.filter((x) => x.commented).map((x) => `left out (commented): ${x.folder}, ${x.note}`),
        ];
    print(`wrote ${r.file}\n${found.map((l) => `  ${l}\n`).join('')}next: mechanic doctor, then mechanic scan\n`);
  });

program
  .command('doctor')
  .description('check the setup: config, node binary, state folder, the model server (the seed\'s Step 1)')
  .option('--json', 'print JSON')
  .addHelpText('after', examples('mechanic doctor', 'mechanic doctor --json | jq .checks'))
  .action(async (opts: { json?: boolean }) => {
    const report = await doctor(await config());
    if (opts.json) printJson(report);
    else {
      for (const c of report.checks) print(`  ${c.ok ? green('ok  ') : c.warn ? yellow('warn') : red('FAIL')}  ${c.name}: ${c.detail}\n`);
      print(report.ok ? green('all checks passed\n') : red('some checks failed\n'));
    }
    process.exitCode = report.ok ? EXIT.ok : EXIT.problems;
  });

program
  .command('probe')
  .description('Layer 1: check every configured component once and print the summary')
  .option('--json', 'print the draft-inadarei-api-health-check format')
  .addHelpText('after', examples('mechanic probe', 'mechanic probe --json | jq .status'))
  .action(async (opts: { json?: boolean }) => {
    const c = await config();
    const state = loadState(c.stateDir);
    const results = await runProbes(c.probes, { clock: systemClock, baseDir: c.baseDir, history: state.probeHistory });
    const summary = summarize(results);
    if (opts.json) printJson(toHealthCheck(results, summary));
    else print(formatProbes(results, summary) + '\n');
    process.exitCode = results.every((r) => r.status === 'healthy') ? EXIT.ok : EXIT.problems;
  });

program
  .command('scan')
  .description('Layer 2, read only: find syntax errors and runtime errors from the logs; change nothing')
  .option('--json', 'print { "bugs": [...] }')
  .addOption(new Option('--first <n>', 'stop the syntax scan at the first n files that do not parse (in path order)').argParser((v) => positiveInt(v, '--first')))
  .addHelpText('after', examples('mechanic scan', 'mechanic scan --first 1', 'mechanic scan --json | jq \'.bugs[] | .file\''))
  .action(async (opts: { json?: boolean; first?: number }) => {
    const c = await config();
    const bar = progressBar(!opts.json);
    // Cleared on a failure too (a syntax engine that cannot start): its error starts a line of its own.
    const report = await runCycle({
      config: c,
      mode: 'scan',
      // A verdict a file reported to a bar that draws nothing was a call chain a file of a rescan.
      ...(bar.live ? { onProgress: (e: ProgressEvent) => e.type === 'scan' && bar.update(e.done, e.total) } : {}),
      ...(opts.first !== undefined ? { syntaxLimit: opts.first } : {}),
    }).finally(() => bar.end());
    if (opts.json)
      printJson({
        bugs: report.bugs.map((b) => ({ ...b, protected: !!b.protected, ...(b.kind === 'runtime' ? { history: !!b.history } : {}) })),
        skipped: report.skippedFiles,
        filesScanned: report.filesScanned,
        ...(report.scan ? { scan: report.scan } : {}),
        warnings: report.warnings,
      });
    else {
      const s = report.scan;
      const how = s ? ` in ${s.durationMs} ms (${s.read} read, ${s.cached} unchanged since the last scan${s.notChecked ? `, ${s.notChecked} not checked after the first ${opts.first}` : ''})` : '';
      print(`scanned ${report.filesScanned} files${how}${report.skippedFiles.length ? `, ${report.skippedFiles.length} skipped` : ''}\n`);
      print(formatBugs(report.bugs, c.roots) + '\n');
      for (const s of report.skippedFiles) print(dim(`  skipped ${rel(s.file, c.roots)}: ${s.reason}\n`));
    }
    process.exitCode = report.bugs.some((b) => !historyOnly(b)) ? EXIT.problems : EXIT.ok;
    // Nothing of a scan runs on (its engines are closed): no need to wait for node to free the heap.
    exitOnceWritten();
  });

for (const mode of ['fix', 'run'] as const) {
  program
    .command(mode)
    .description(
      mode === 'fix'
        ? 'Layer 2: find bugs and repair at most maxFixesPerRun of them'
        : 'one whole cycle: probes, then bugs and fixes, then the record',
    )
    .option('--dry-run', 'show each fix as a diff; write nothing, record nothing')
    .option('--json', 'print the cycle report as JSON')
    .addHelpText('after', examples(`mechanic ${mode}`, `mechanic ${mode} --dry-run`, `mechanic ${mode} --json | jq '.fixes[] | {file, outcome, reason}'`))
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      const c = await config();
      const bar = progressBar(!opts.json);
      const report = await runCycle({
        config: c,
        mode,
        dryRun: !!opts.dryRun,
        warn: (m) => printError(yellow(`warning: ${m}\n`)),
        ...(bar.live ? { onProgress: (e: ProgressEvent) => e.type === 'scan' && bar.update(e.done, e.total) } : {}),
      }).finally(() => bar.end());
      if (opts.json) printJson(report);
      else print(formatCycle(report, c.roots) + '\n');
      process.exitCode = report.exitCode;
      // What is not delivered in time stays in the outbox for the next run or the daemon.
      if (!opts.dryRun) await deliverOnce(c, { budgetMs: ONE_SHOT_NOTIFY_MS });
    });
}

program
  .command('daemon')
  .description('run a cycle every cycleIntervalMs until SIGTERM/SIGINT; one per state folder')
  .addOption(new Option('--cycles <n>', 'stop after n cycles').argParser((v) => positiveInt(v, '--cycles')))
  .option('--json', 'print each cycle report as one JSON line')
  .addOption(new Option('--http <host:port>', 'also serve the dashboard, /metrics, /health and /api here (see `mechanic serve`)').argParser((v) => parseHostPort(v)))
  .addHelpText('after', examples('mechanic daemon', 'pm2 start examples/pm2/ecosystem.config.js', 'mechanic daemon --cycles 1 --json', 'mechanic daemon --http 127.0.0.1:9464'))
  .action(async (opts: { cycles?: number; json?: boolean; http?: { host: string; port: number } }) => {
    const c = await config();
    const control = opts.http ? daemonControl() : undefined;
    let server: MechanicServer | undefined;
    const controller = new AbortController();
    const stop = (sig: string) => {
      if (controller.signal.aborted) return;
      printError(`${new Date().toISOString()} ${sig}: finishing the step under way, then stopping\n`);
      controller.abort();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // With --json, stdout holds the cycle reports alone: every other line goes to stderr.
    const line = (s: string) => (opts.json ? printError : print)(`${new Date().toISOString()} ${s}\n`);
    if (!opts.json) line(`mechanic daemon (pid ${process.pid}) every ${c.cycleIntervalMs} ms on ${c.roots.join(', ')}; state ${c.stateDir}`);
    if (opts.http && control) {
      // Listening first: a port that is taken stops the daemon before its first cycle.
      server = await (await import('../serve/server.js')).startServer({ config: c, ...opts.http, control, warn: (m) => line(`warning: ${m}`) });
      line(`serving ${server.url} (metrics ${server.url}metrics)`);
    }
    let anyProblem = false;
    let cycles: number;
    try {
      cycles = await runDaemon({
        config: c,
        signal: controller.signal,
        ...(control ? { control } : {}),
        ...(opts.cycles ? { maxCycles: opts.cycles } : {}),
        warn: (m) => line(`warning: ${m}`),
        onIdleFill: (f) =>
          line(
            `idle: ${f.filled} export surface(s) recorded of ${f.read} file(s) read (${(f.bytes / 1048576).toFixed(1)} MB, ${Math.round(f.durationMs)} ms)` +
              `${f.left ? `, ${f.left} left` : ''}${f.stopped === 'signal' ? ', stopped' : ''}`,
          ),
        onError: (m) => {
          anyProblem = true;
          line(`cycle failed: ${m}`);
        },
        onCycle: (r, n) => {
          anyProblem = r.exitCode !== 0;
          server?.metrics.observeCycle(r.startedAt, r.finishedAt);
          if (opts.json) printJson({ cycle: n, ...r }, true);
          else {
            line(formatDaemonCycle(r, n));
            for (const f of r.fixes.filter((x) => x.outcome !== 'skipped')) line(`  ${f.outcome} ${rel(f.file, c.roots)}: ${f.reason}`);
            for (const m of r.remedies.filter((x) => x.outcome !== 'skipped')) line(`  remedy ${m.outcome} ${m.probe}: ${m.action.join(' ')}: ${m.reason}`);
          }
        },
      });
    } finally {
      await server?.close();
    }
    if (!opts.json) line(`stopped after ${cycles} cycle(s)`);
    // Stopped by a signal is a clean stop (systemd would mark anything else as a failure).
    process.exitCode = controller.signal.aborted ? EXIT.ok : anyProblem ? EXIT.problems : EXIT.ok;
  });

program
  .command('status')
  .description('totals, the last cycle, the last probe results, whether a daemon is running, and what needs a person')
  .option('--json', 'print JSON')
  .option('--history', "each probe's last results and its uptime over 24 h and 7 d")
  .addHelpText('after', examples('mechanic status', 'mechanic status --json | jq .totalFixes', 'mechanic status --history', "mechanic status --history --json | jq '.history[] | {name, up: .uptime7d.ratio}'"))
  .action(async (opts: { json?: boolean; history?: boolean }) => {
    const c = await config();
    const s = status(c);
    const history = opts.history ? historyReport(c) : undefined;
    // as `run` does for what it leaves: a script or a monitor reads the answer from the exit code
    const { escalated, proposed, leftForPerson } = s.needsPerson;
    process.exitCode = escalated.length + proposed.length + leftForPerson.length > 0 || s.cycleFailure ? EXIT.problems : EXIT.ok;
    if (opts.json) return printJson(history ? { ...s, history } : s);
    const out = [
      `${bold('code-mechanic')}  config ${s.config}`,
      `  roots: ${s.roots.join(', ')}`,
      `  state: ${s.stateDir}`,
      `  ${s.running ? green(`running: pid ${s.running.pid} (${s.running.command} since ${s.running.since})`) : dim('not running')}`,
      `  cycles ${s.totalCycles}, fixes ${s.totalFixes}, reverts ${s.totalReverts}, open runtime bugs ${s.openRuntimeBugs}`,
      s.lastCycle ? `  last cycle ${s.lastCycle.finishedAt}: ${s.lastCycle.summary}; ${s.lastCycle.bugs} bug(s), ${s.lastCycle.fixes} fixed` : '  no cycle yet',
    ];
    if (s.cycleFailure) out.push(red(`  cycles failing since ${s.cycleFailure.since} (${s.cycleFailure.cycles} in a row, the last ${s.cycleFailure.lastAt}): ${s.cycleFailure.message}`));
    if (s.nextCycleDue) out.push(`  next cycle due ${s.nextCycleDue}`);
    for (const z of s.snoozes) out.push(yellow(`  snoozed ${rel(z.file, s.roots)} until ${z.until} (${z.left} left)`));
    for (const n of s.notify.channels.filter((x) => x.pending)) out.push(yellow(`  notify ${n.name}: ${n.pending} owed${n.lastError ? ` (last error: ${n.lastError})` : ''}`));
    out.push(...formatNeedsPerson(s.needsPerson, s.roots));
    if (s.lastProbes.length) out.push(formatProbes(s.lastProbes, summarize(s.lastProbes)));
    if (history) out.push(formatHistory(history));
    print(out.join('\n') + '\n');
  });

program
  .command('log')
  .description('the rolling mechanic log: fixes, reverts, probe changes, remedies, recoveries (newest last)')
  .option('--json', 'print JSON')
  .option('--diff', 'show the diff of each fix')
  .addOption(new Option('-n, --limit <n>', 'show the newest n entries').default(20).argParser((v) => positiveInt(v, '--limit')))
  .option('--since <time|duration>', 'entries since a time (2026-01-31, 2026-01-31T08:00:00Z) or for a while back (30m, 2h, 7d)')
  .option('--kind <kinds>', `only these kinds, comma-separated or repeated: ${LOG_KINDS.join(', ')}`, (v: string, all: string[] = []) => [...all, v])
  .option('--file <path>', 'only entries about this file (or the files under this folder)')
  .addHelpText('after', examples('mechanic log', 'mechanic log --diff -n 5', 'mechanic log --since 24h --kind fix,revert', 'mechanic log --file src/worker.js --diff', 'mechanic log --json | jq \'.[] | select(.outcome=="applied")\''))
  .action(async (opts: { json?: boolean; diff?: boolean; limit: number; since?: string; kind?: string[]; file?: string }) => {
    const c = await config();
    const filtered = opts.since !== undefined || opts.kind !== undefined || opts.file !== undefined;
    const entries = (filtered ? readLogFiltered(c, { ...(opts.since !== undefined ? { since: opts.since } : {}), ...(opts.kind ? { kinds: opts.kind } : {}), ...(opts.file !== undefined ? { file: opts.file } : {}) }) : readLog(c.stateDir)).slice(-opts.limit);
    if (opts.json) return printJson(entries);
    if (!entries.length) return void print(filtered ? 'no log entries match\n' : 'the log is empty\n');
    print(entries.map((e) => formatLogEntry(e, c.roots, !!opts.diff)).join('\n') + '\n');
  });

program
  .command('revert')
  .description('undo an applied fix: the file gets its pre-fix bytes back (what it held is backed up)')
  .argument('<fix-id|file>', 'a fix id from `mechanic log` (a unique prefix will do), or a fixed file')
  .option('--force', 'revert even if the file changed after the fix')
  .option('--json', 'print JSON')
  .addHelpText('after', examples('mechanic revert 20261124-181012-a1b2c3', 'mechanic revert src/worker.js'))
  .action(async (target: string, opts: { force?: boolean; json?: boolean }) => {
    const c = await config();
    const { revertFix } = await import('../ops/revert.js');
    const r = await revertFix({ config: c, target, force: !!opts.force });
    if (opts.json) printJson(r);
    else
      print(
        `reverted fix ${r.fixId}: ${r.file} restored from ${r.restoredFrom}\n  (what it held is kept in ${r.savedCurrent})\n` +
          (r.others ?? []).map((o) => `  and ${o.file} restored from ${o.restoredFrom}\n  (what it held is kept in ${o.savedCurrent})\n`).join('') +
          `${r.git ? `  git: ${r.git}\n` : ''}`,
      );
    await deliverOnce(c, { budgetMs: ONE_SHOT_NOTIFY_MS });
  });

program
  .command('apply')
  .description('put a proposed fix in place: validated again against the file as it is now (a commit in git.mode commit)')
  .argument('<fix-id>', 'the id of a proposed fix from `mechanic log` (a unique prefix will do)')
  .option('--json', 'print JSON')
  .addHelpText('after', examples('mechanic apply 20261124-181012-a1b2c3', 'mechanic log --json | jq \'.[] | select(.outcome=="proposed") | .id\''))
  .action(async (target: string, opts: { json?: boolean }) => {
    const c = await config();
    const { applyProposal } = await import('../ops/apply.js');
    const r = await applyProposal({ config: c, target });
    if (opts.json) printJson(r);
    else print(`${r.fix.outcome === 'applied' ? 'applied' : 'not applied'}: proposal ${r.proposal} to ${rel(r.file, c.roots)}\n${formatFix(r.fix, c.roots, false)}\n`);
    await deliverOnce(c, { budgetMs: ONE_SHOT_NOTIFY_MS });
    process.exitCode = r.fix.outcome === 'applied' ? EXIT.ok : EXIT.problems;
  });

program
  .command('retry')
  .description('attempt a file again at the next cycle: lift its cooldown, backoff, snooze, escalation or the hold a revert leaves')
  .argument('<file|fix-id>', 'a file the mechanic attempted or snoozed, or a fix or escalation id from `mechanic log` (a unique prefix will do)')
  .option('--json', 'print JSON')
  .addHelpText('after', examples('mechanic retry src/worker.js', 'mechanic retry 20261124-181012-a1b2c3'))
  .action(async (target: string, opts: { json?: boolean }) => {
    const c = await config();
    const r = retry({ config: c, target });
    if (opts.json) printJson(r);
    else print(`${rel(r.file, c.roots)}: ${r.lifted.length ? `${r.lifted.join(' and ')} lifted` : 'nothing was holding it'}; the next cycle may attempt it\n`);
  });

program
  .command('snooze')
  .description('hold the bugs in a file back on purpose for a while (30m, 2h, 1d); `mechanic retry` lifts it')
  .argument('<file>', 'a file under the roots')
  .argument('<duration>', 'how long: a number and s, m, h or d')
  .option('--json', 'print JSON')
  .addHelpText('after', examples('mechanic snooze src/worker.js 2h', 'mechanic snooze lib/legacy.js 1d'))
  .action(async (target: string, duration: string, opts: { json?: boolean }) => {
    const c = await config();
    const r = snooze({ config: c, target, duration });
    if (opts.json) printJson(r);
    else print(`snoozed ${rel(r.file, c.roots)} until ${r.until}\n`);
  });

program
  .command('notify')
  .description('send what the notification outbox owes now; --test: send a test event to every channel and show what each answered')
  .option('--test', 'a test event to every channel (filters and flood control left out)')
  .option('--json', 'print JSON')
  .addHelpText('after', examples('mechanic notify --test', 'mechanic notify', 'mechanic notify --test --json | jq \'.[] | select(.ok | not)\''))
  .action(async (opts: { test?: boolean; json?: boolean }) => {
    const c = await config();
    if (c.notify.length === 0) throw new UsageError('no channels to notify: add a `notify:` list to the config');
    const line = (s: SendReport) => `  ${s.ok ? green('ok  ') : red('FAIL')}  ${s.channel} (${s.type}): ${s.detail} ${dim(`${s.durationMs} ms`)}\n`;
    if (opts.test) {
      const sent = await sendTest(c);
      if (opts.json) printJson(sent);
      else print(sent.map(line).join(''));
      process.exitCode = sent.every((s) => s.ok) ? EXIT.ok : EXIT.problems;
      return;
    }
    const r = await deliverLocked(c, { budgetMs: 60_000 });
    if (opts.json) printJson(r);
    else print(`${r.sent.map(line).join('')}${r.sent.length ? '' : '  nothing due\n'}  ${r.pending} still owed${r.expired ? `, ${r.expired} expired` : ''}\n`);
    process.exitCode = r.pending ? EXIT.problems : EXIT.ok;
  });

program
  .command('serve')
  .description('serve the dashboard, Prometheus /metrics, /health and the /api on this machine (actions need the page\'s token)')
  .addOption(new Option('--host <host>', 'address to listen on; beyond loopback only with MECHANIC_HTTP_TOKEN set').default(DEFAULT_HOST))
  .addOption(new Option('--port <port>', 'port (0: any free one)').default(DEFAULT_PORT).argParser((v) => parsePort(v)))
  .addHelpText('after', examples('mechanic serve', 'mechanic serve --port 9500', 'MECHANIC_HTTP_TOKEN=$(openssl rand -hex 24) mechanic serve --host 0.0.0.0'))
  .action(async (opts: { host: string; port: number }) => {
    const c = await config();
    const server = await (await import('../serve/server.js')).startServer({ config: c, host: opts.host, port: opts.port, warn: (m) => printError(`${new Date().toISOString()} warning: ${m}\n`) });
    print(`serving ${server.url} (metrics ${server.url}metrics, health ${server.url}health); state ${c.stateDir}\n`);
    if (server.tokenRequired) print('every request needs the token from MECHANIC_HTTP_TOKEN\n');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    // An action or a cycle under way finishes first.
    await server.close();
  });

/** How long a one-shot command (`run`, `fix`, `revert`) spends delivering before it exits. */
const ONE_SHOT_NOTIFY_MS = 10_000;

/**
 * Exit as soon as stdout and stderr are written, with process.exitCode: a natural exit first
 * frees the whole heap, 20-40 ms of a warm rescan for memory the system takes back anyway.
 * Only where nothing else is under way. (Writes to a pipe may be asynchronous, as on macOS.)
 */
function exitOnceWritten(): void {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  let left = pending.length;
  if (!left) process.exit();
  for (const s of pending) s.once('drain', () => --left || process.exit());
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name}: expected a positive whole number, got "${v}"`);
  return n;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  // A reader that went away (`mechanic log | head`) is not a crash: the rest of the output is
  // dropped and the command finishes as it would (a daemon keeps its lock discipline).
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
      return;
    }
    const code = err instanceof ConfigError || err instanceof UsageError || err instanceof StateError ? EXIT.usage : err instanceof BusyError ? EXIT.busy : EXIT.problems;
    const label = err instanceof SafetyError ? 'refused' : 'error';
    printError(`mechanic: ${label}: ${errorMessage(err)}\n`);
    process.exitCode = code;
  }
}

// Not awaited: the CLI is also bundled as a script (scripts/bundle.mjs), where `await` cannot be.
void main();
