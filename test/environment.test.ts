// Environment defects: a bare `node` where cron or launchd gives no PATH, and bash 4+ constructs in
// scripts that macOS's bash 3.2 runs. Found from real files, fixed through backup, validation and revert.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { box } from './helpers/cli.ts';


const crontab = `SHELL=/bin/sh
# m h dom mon dow command
*/10 * * * * node /srv/app/engine/code-maintainer.js >> /srv/app/logs/mechanic.log 2>&1
0 3 * * * cd /srv/app && /usr/bin/env bash scripts/rotate.sh
`;

describe('a bare node in a crontab', () => {
  it('is reported only while no log confirms it', async () => {
    const sb = box();
    sb.write('cron/app.crontab', crontab);
    sb.config({ node: process.execPath, pm2Logs: false, llm: { provider: 'none' } });
    const scan = await sb.runJson(['scan']);
    const bug = scan.json.bugs.find((b: any) => b.kind === 'environment');
    assert.equal(bug.errorType, 'BareNode');
    assert.equal(bug.line, 3);
    assert.equal(bug.column, 14);
    assert.equal(bug.env.confirmed, false);
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.bug.kind === 'environment');
    assert.equal(fix.outcome, 'failed');
    assert.match(fix.reason, /reported only: no log shows the job failing to find node/);
    assert.equal(sb.read('cron/app.crontab'), crontab);
  });

  it('is rewritten to the resolved node once a log shows "node: not found"', async () => {
    const sb = box();
    sb.write('cron/app.crontab', crontab);
    sb.write('../logs/cron.log', 'Nov 24 03:10:01 box CRON[812]: (app) CMD (node /srv/app/engine/code-maintainer.js)\n/bin/sh: 1: node: not found\n');
    sb.config({ node: process.execPath, pm2Logs: false, logs: ['../logs/*.log'], llm: { provider: 'none' } });
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.bug.kind === 'environment');
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(fix.strategy, 'environment:node-path');
    assert.equal(sb.read('cron/app.crontab'), crontab.replace('*/10 * * * * node ', `*/10 * * * * ${process.execPath} `));
    assert.equal(fs.readFileSync(fix.backup, 'utf8'), crontab);
    assert.match(fix.diff, new RegExp(`\\+\\*/10 \\* \\* \\* \\* ${process.execPath.replace(/\//g, '\\/')} /srv/app`));
  });

  it('also in a launchd plist and a shell script, confirmed by spawn node ENOENT', async () => {
    const sb = box();
    const plist = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
  <key>Label</key><string>com.example.mechanic</string>
  <key>ProgramArguments</key>
  <array>
    <string>node</string>
    <string>/srv/app/engine/code-maintainer.js</string>
  </array>
</dict></plist>
`;
    sb.write('launchd/com.example.mechanic.plist', plist);
    sb.write('scripts/start.sh', '#!/bin/bash\nset -e\ncd "$(dirname "$0")"\nexec node server.js\n');
    sb.write('../logs/app.log', 'Error: spawn node ENOENT\n    at ChildProcess._handle.onexit (node:internal/child_process:284:19)\n');
    sb.config({ node: process.execPath, pm2Logs: false, logs: ['../logs/*.log'], llm: { provider: 'none' } });
    const run = await sb.runJson(['run']);
    const env = run.json.fixes.filter((f: any) => f.bug.kind === 'environment');
    assert.deepEqual(env.map((f: any) => f.outcome), ['applied', 'applied']);
    assert.ok(sb.read('launchd/com.example.mechanic.plist').includes(`<string>${process.execPath}</string>`));
    assert.ok(sb.read('scripts/start.sh').endsWith(`exec ${process.execPath} server.js\n`));
  });
});

const bash4 = `#!/usr/bin/env bash
set -eu
declare -A seen
name="Pipeline"
echo "\${name,,}"
echo "\${name^^}"
printf 'b\\na\\n' > /tmp/__mechanic_lines_$$
mapfile -t lines < /tmp/__mechanic_lines_$$
echo "\${#lines[@]} \${lines[-1]}"
ls /definitely/missing |& head -1 | sed 's/.*No such.*/missing/'
echo done &>> /tmp/__mechanic_out_$$
cat /tmp/__mechanic_out_$$
rm -f /tmp/__mechanic_lines_$$ /tmp/__mechanic_out_$$
`;

describe('bash 4+ constructs in a script held to bash 3.2', () => {
  it('are reported with line and suggestion, rewritten where safe, and the script does the same', async () => {
    const sb = box();
    const file = sb.write('scripts/report.sh', bash4);
    sb.config({ pm2Logs: false, llm: { provider: 'none' } });
    const scan = await sb.runJson(['scan']);
    const bug = scan.json.bugs.find((b: any) => b.errorType === 'BashCompat');
    assert.ok(bug, JSON.stringify(scan.json.bugs));
    const found = bug.env.findings.map((f: any) => `${f.line}:${f.what}`);
    assert.deepEqual(found, [
      '3:associative array',
      '5:lowercase expansion',
      '6:uppercase expansion',
      '8:mapfile',
      '9:negative array index',
      '10:pipe of stderr (|&)',
      '11:append both streams (&>>)',
    ]);
    assert.match(bug.detail, /line 3:1: associative array \(bash 4\.0\+\)/);

    const before = spawnSync('bash', [file], { encoding: 'utf8' });
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.bug.errorType === 'BashCompat');
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.match(fix.reason, /left for a person: line 3: associative array/);
    assert.match(fix.leftForPerson, /^line 3: associative array/);
    assert.equal(run.code, 1, 'a fix that leaves work for a person does not end the run well');
    const text = sb.read('scripts/report.sh');
    assert.ok(!/,,\}|\^\^\}|mapfile|\[-1\]|\|&|&>>/.test(text), text);
    assert.equal(spawnSync('bash', ['-n', file]).status, 0);
    const afterRun = spawnSync('bash', [file], { encoding: 'utf8' });
    assert.equal(afterRun.stdout, before.stdout, 'the rewritten script prints the same');
    assert.equal(before.stdout, 'pipeline\nPIPELINE\n2 a\nmissing\ndone\n');

    // What is left needs a person: the next attempt says so and changes nothing.
    sb.config({ pm2Logs: false, llm: { provider: 'none' }, fileCooldownMs: 0 });
    const again = await sb.runJson(['run']);
    const left = again.json.fixes.find((f: any) => f.bug.errorType === 'BashCompat');
    assert.equal(left.outcome, 'failed');
    assert.match(left.reason, /needs a person: line 3: associative array/);
    assert.equal(sb.read('scripts/report.sh'), text);
  });

  it('are not reported when bashCompat is null or 4+', async () => {
    const sb = box();
    sb.write('scripts/report.sh', bash4);
    for (const bashCompat of [null, '5.1']) {
      sb.config({ pm2Logs: false, llm: { provider: 'none' }, bashCompat });
      const scan = await sb.runJson(['scan']);
      assert.equal(scan.json.bugs.filter((b: any) => b.kind === 'environment').length, 0);
    }
    sb.config({ bashCompat: 'three' });
    const bad = await sb.run(['scan']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bashCompat: expected a bash version such as "3\.2"/);
  });

  it('a rewrite that would break the script is reverted (bash -n)', async () => {
    const sb = box();
    // `|&` inside an unterminated here-string context: the rewrite cannot make a broken script parse.
    const script = '#!/bin/bash\nif true; then\n  ls |& cat\n';
    sb.write('scripts/broken.sh', script);
    sb.config({ pm2Logs: false, llm: { provider: 'none' } });
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.bug.errorType === 'BashCompat');
    assert.equal(fix.outcome, 'reverted');
    assert.match(fix.reason, /shell-syntax: bash -n: /);
    assert.equal(sb.read('scripts/broken.sh'), script);
    assert.equal(fs.readdirSync(path.join(sb.app, 'scripts')).length, 1, 'no temp file left');
  });
});
