// The validation ladder on runtime fixes: each step rejects what it is for, and the log names it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

const broken = `'use strict';
const fs = require('fs');
function load(name) {
  return readCorrectionFile(name);
}
function count(name) {
  return load(name).length;
}
module.exports = { load, count };
`;
const good = broken.replace("'use strict';\n", "'use strict';\nfunction readCorrectionFile(name) {\n  return fs.existsSync(name) ? fs.readFileSync(name, 'utf8') : '';\n}\n");

/** A real crash of the app, kept where PM2 keeps its error log. */
function setup(): Sandbox {
  const sb = sandbox();
  sandboxes.push(sb);
  const file = sb.write('lib/corrections.js', broken);
  sb.write('index.js', "require('./lib/corrections').load('x');\n");
  const past = new Date(Date.now() - 3_600_000);
  fs.utimesSync(file, past, past);
  const r = spawnSync(process.execPath, [path.join(sb.app, 'index.js')], { encoding: 'utf8' });
  const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, r.stderr);
  return sb;
}

const cases: { name: string; answer: string; extra?: object; step: string; reason: RegExp }[] = [
  {
    name: 'an answer that defines the name but drops an export (the loss guard, before validation)',
    answer: good.replace('module.exports = { load, count };', 'module.exports = { load };'),
    step: 'loss-guard',
    reason: /loss-guard: answer rejected \(whole\): answer drops exports: count/,
  },
  {
    name: 'an answer that defines the name but changes the export surface',
    answer: good.replace('module.exports = { load, count };', 'module.exports = { load, count, extra: 1 };'),
    step: 'exports',
    reason: /exports: export surface changed: added extra/,
  },
  {
    name: 'an answer that introduces another undefined name',
    answer: broken.replace('return readCorrectionFile(name);', 'return readCorrectionFileSafely(name);').replace("'use strict';\n", "'use strict';\nconst readCorrectionFile = null;\n"),
    step: 'undefined-names',
    reason: /undefined-names: introduces undefined name: readCorrectionFileSafely \(line 5\)/,
  },
  {
    name: 'an answer that leaves the name undefined',
    answer: broken.replace('function count(name) {', '// a comment is not a fix\nfunction count(name) {'),
    step: 'error-gone',
    reason: /error-gone: readCorrectionFile is still not defined/,
  },
  {
    name: 'an answer whose module throws when loaded (load step on)',
    answer: good.replace("module.exports = { load, count };", "module.exports = { load, count };\nif (!process.env.NEVER_SET) throw new Error('boom at load');"),
    extra: { validators: ['syntax', 'exports', 'undefined-names', 'error-gone', 'load'] },
    step: 'load',
    reason: /load: the module does not load: Error: boom at load/,
  },
  {
    name: "an answer that breaks the project's own tests (tests step on)",
    answer: good.replace("fs.readFileSync(name, 'utf8') : ''", "fs.readFileSync(name, 'utf8') : null"),
    extra: { validators: ['syntax', 'exports', 'undefined-names', 'error-gone', 'tests'], testCommand: [process.execPath, 'test-count.js'] },
    step: 'tests',
    reason: /tests: `.*test-count\.js` failed \(exit 1\)/,
  },
];

describe('the validation ladder rejects, reverts and names the step', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const sb = setup();
      sb.write('test-count.js', "const { count } = require('./lib/corrections');\nif (count('missing') !== 0) process.exit(1);\n");
      const server = await startModelServer({ answers: [{ text: c.answer }] });
      try {
        sb.config({ llm: { baseUrl: server.url }, ...(c.extra ?? {}) });
        const r = await sb.runJson(['run']);
        const fix = r.json.fixes.find((f: any) => f.bug.kind === 'runtime');
        // The loss guard refuses an answer before anything is written: nothing to revert.
        assert.equal(fix.outcome, c.step === 'loss-guard' ? 'failed' : 'reverted', JSON.stringify(fix));
        assert.match(fix.reason, c.reason);
        assert.equal(sb.read('lib/corrections.js'), broken, 'the original, byte for byte');
        const log = await sb.runJson(['log']);
        const entry = log.json.find((e: any) => e.type === 'fix');
        assert.match(entry.reason, new RegExp(`${c.step}: `));
      } finally {
        await server.close();
      }
    });
  }

  it('passes a good answer through every step, load and tests included', async () => {
    const sb = setup();
    sb.write('test-count.js', "const { count } = require('./lib/corrections');\nif (count('missing') !== 0) process.exit(1);\n");
    const server = await startModelServer({ answers: [{ text: good }] });
    try {
      sb.config({
        llm: { baseUrl: server.url },
        validators: ['syntax', 'exports', 'undefined-names', 'error-gone', 'load', 'tests'],
        testCommand: [process.execPath, 'test-count.js'],
      });
      const r = await sb.runJson(['run']);
      const fix = r.json.fixes.find((f: any) => f.bug.kind === 'runtime');
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.equal(sb.read('lib/corrections.js'), good);
    } finally {
      await server.close();
    }
  });

  it('keeps a baseline: names undefined before the fix do not reject it', async () => {
    const sb = setup();
    const withLegacy = broken.replace('function count(name) {', 'function legacy() {\n  return LEGACY_GLOBAL;\n}\nfunction count(name) {');
    fs.writeFileSync(path.join(sb.app, 'lib/corrections.js'), withLegacy);
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(sb.app, 'lib/corrections.js'), past, past);
    const answer = withLegacy.replace("'use strict';\n", "'use strict';\nfunction readCorrectionFile() {\n  return '';\n}\n");
    const server = await startModelServer({ answers: [{ text: answer }] });
    try {
      sb.config({ llm: { baseUrl: server.url } });
      const r = await sb.runJson(['run']);
      const fix = r.json.fixes.find((f: any) => f.bug.kind === 'runtime');
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    } finally {
      await server.close();
    }
  });
});
