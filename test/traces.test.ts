// Every shape of trace a Node process or a logger writes, read into a runtime bug at the right
// place. The traces are produced for real (node scripts that throw, run here), then reshaped the
// way loggers, consoles and pasted reports reshape them; the old-core shapes, which today's node
// no longer prints, are written as node 0.10-6 printed them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseErrorLog } from '../src/discover/logs/parse.js';
import { groupErrors } from '../src/discover/logs/group.js';
import { projectPathResolver } from '../src/discover/logs/project-path.js';
import { countCallSites, localise } from '../src/discover/localise.js';
import { box } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { callChainSections } from '../src/repair/formats/chain.js';
import { windowFormat } from '../src/repair/formats/window.js';
import { WINDOW_PROMPT_TEMPLATE } from '../src/llm/settings.js';

/** The project whose scripts throw: real files, so that frames resolve to them. */
const SCRIPTS: Record<string, string> = {
  'lib/reference.js': `'use strict';
function runCycle() {
  return readCorrectionFile('/var/lib/corrections.json');
}
setTimeout(runCycle, 1);
`,
  'lib/native.js': `'use strict';
[1, 2].forEach(function (n) {
  if (n === 2) null.x;
});
`,
  'lib/esm.mjs': `export function pick(o) {
  return o.a.b;
}
pick({});
`,
  'lib/cause.js': `'use strict';
function parse(input) {
  return input.trim();
}
function load(x) {
  try {
    return parse(x);
  } catch (e) {
    throw new Error('load failed', { cause: e });
  }
}
load(undefined);
`,
  'lib/aggregate.js': `'use strict';
async function main() {
  await Promise.any([
    Promise.reject(new TypeError('first failed')),
    Promise.reject(new RangeError('second failed')),
  ]);
}
main();
`,
  'lib/thrown-string.js': `'use strict';
function check(v) {
  if (!v) throw 'no value';
}
check(0);
`,
  'src/services/very/deeply/nested/folder/structure/for/a/long/path/handler-module.js': `'use strict';
function handleIncomingRequestWithAVeryLongFunctionName(req) {
  return req.body.payload;
}
handleIncomingRequestWithAVeryLongFunctionName({});
`,
  'lib/logged.js': `'use strict';
function work() {
  return undefinedHelper();
}
try {
  work();
} catch (err) {
  console.error('job failed:', err);
}
`,
};

let root = '';
const real: Record<string, string> = {};
const tmp: string[] = [];
before(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-traces-')));
  tmp.push(root);
  for (const [rel, text] of Object.entries(SCRIPTS)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    const r = spawnSync(process.execPath, [p], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
    real[rel] = r.stderr;
  }
  // The oracle is node itself: each script really failed the way its case says.
  assert.match(real['lib/cause.js']!, /\[cause\]: TypeError/);
  assert.match(real['lib/aggregate.js']!, /\[errors\]: \[/);
  assert.match(real['lib/esm.mjs']!, /file:\/\/\//);
});
after(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

// ---- reshaping, as loggers, consoles and pasted reports do

/** Frames without their indentation (loggers that trim, reports pasted into an issue). */
const unindent = (t: string) => t.replace(/^[ \t]+(at |\.\.\. )/gm, '$1');
/** A console 80 columns wide: long lines broken into 80-character lines. */
const wrap = (t: string, cols = 80) =>
  t
    .split('\n')
    .flatMap((l) => (l.length <= cols ? [l] : (l.match(new RegExp(`.{1,${cols}}`, 'g')) ?? [l])))
    .join('\n');
/** The same crash on a Windows box: `C:\Users\dev\proj\lib\x.js`, file URLs `file:///C:/Users/...`. */
const windows = (t: string) =>
  t
    .replace(new RegExp(`file://${escape(root)}/([^\\s:)]+)`, 'g'), (_m, rel: string) => `file:///C:/Users/dev/proj/${rel}`)
    .replace(new RegExp(`${escape(root)}/([^\\s:)]+)`, 'g'), (_m, rel: string) => `C:\\Users\\dev\\proj\\${rel.replace(/\//g, '\\')}`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every line behind a logger's prefix (winston's simple format in a file). */
const prefixed = (t: string) =>
  t
    .split('\n')
    .map((l) => (l ? `2026-11-24T18:10:12.345Z ${l}` : l))
    .join('\n');

interface Case {
  what: string;
  log: () => string;
  errorType: string;
  message: string | RegExp;
  /** Where the bug is, relative to the project. */
  file: string;
  line: number;
  /** The errors nested in it, by type. */
  nested?: string[];
}

const cases: Case[] = [
  { what: 'node 20: banner, source line, caret above the error', log: () => real['lib/reference.js']!, errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: 'lib/reference.js', line: 3 },
  { what: 'frames without the four-space indent', log: () => unindent(real['lib/reference.js']!), errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: 'lib/reference.js', line: 3 },
  { what: '`at file:line:col` frame without a function, `(<anonymous>)` frame', log: () => real['lib/native.js']!, errorType: 'TypeError', message: "Cannot read properties of null (reading 'x')", file: 'lib/native.js', line: 3 },
  { what: 'unindented `at file:line:col` and `(<anonymous>)`', log: () => unindent(real['lib/native.js']!), errorType: 'TypeError', message: "Cannot read properties of null (reading 'x')", file: 'lib/native.js', line: 3 },
  { what: 'ES module: file:// banner and frames', log: () => real['lib/esm.mjs']!, errorType: 'TypeError', message: "Cannot read properties of undefined (reading 'b')", file: 'lib/esm.mjs', line: 2 },
  { what: 'Windows paths (C:\\...) matched by their project-relative tail', log: () => windows(real['lib/native.js']!), errorType: 'TypeError', message: "Cannot read properties of null (reading 'x')", file: 'lib/native.js', line: 3 },
  { what: 'Windows file URLs (file:///C:/...) of an ES module', log: () => windows(real['lib/esm.mjs']!), errorType: 'TypeError', message: "Cannot read properties of undefined (reading 'b')", file: 'lib/esm.mjs', line: 2 },
  { what: 'Windows paths, unindented, as pasted into an issue', log: () => unindent(windows(real['lib/reference.js']!)), errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: 'lib/reference.js', line: 3 },
  {
    what: 'lines wrapped by an 80-column console (a long path broken inside its frame)',
    log: () => wrap(real['src/services/very/deeply/nested/folder/structure/for/a/long/path/handler-module.js']!),
    errorType: 'TypeError',
    message: "Cannot read properties of undefined (reading 'payload')",
    file: 'src/services/very/deeply/nested/folder/structure/for/a/long/path/handler-module.js',
    line: 3,
  },
  {
    what: 'wrapped and unindented',
    log: () => wrap(unindent(real['src/services/very/deeply/nested/folder/structure/for/a/long/path/handler-module.js']!), 60),
    errorType: 'TypeError',
    message: "Cannot read properties of undefined (reading 'payload')",
    file: 'src/services/very/deeply/nested/folder/structure/for/a/long/path/handler-module.js',
    line: 3,
  },
  { what: 'Error.cause: `[cause]:` block with its own frames', log: () => real['lib/cause.js']!, errorType: 'Error', message: 'load failed', file: 'lib/cause.js', line: 9, nested: ['TypeError'] },
  { what: 'AggregateError: no frame of its own, its [errors] frames locate it', log: () => real['lib/aggregate.js']!, errorType: 'AggregateError', message: 'All promises were rejected', file: 'lib/aggregate.js', line: 4, nested: ['TypeError', 'RangeError'] },
  { what: 'a thrown string: the banner is the only location', log: () => real['lib/thrown-string.js']!, errorType: 'throw', message: 'no value', file: 'lib/thrown-string.js', line: 3 },
  { what: "console.error('job failed:', err): the error inside a console line", log: () => real['lib/logged.js']!, errorType: 'ReferenceError', message: 'undefinedHelper is not defined', file: 'lib/logged.js', line: 3 },
  { what: "a logger's timestamp prefix on every line", log: () => prefixed(real['lib/cause.js']!), errorType: 'Error', message: 'load failed', file: 'lib/cause.js', line: 9, nested: ['TypeError'] },
  {
    what: 'old core paths (events.js:82:20, module.js:456:26) and `(native)` frames (node 0.10-6)',
    log: () =>
      [
        `${root}/lib/native.js:3`,
        '  if (n === 2) null.x;',
        '                    ^',
        "TypeError: Cannot read property 'x' of null",
        `    at ${root}/lib/native.js:3:21`,
        '    at Array.forEach (native)',
        `    at Object.<anonymous> (${root}/lib/native.js:2:8)`,
        '    at Module._compile (module.js:456:26)',
        "    at Object.Module._extensions..js (module.js:474:10)",
        '    at EventEmitter.emit (events.js:82:20)',
        '    at node.js:906:3',
        '',
      ].join('\n'),
    errorType: 'TypeError',
    message: "Cannot read property 'x' of null",
    file: 'lib/native.js',
    line: 3,
  },
  {
    what: "pino's err.stack with `caused by:` (pino-std-serializers)",
    log: () =>
      JSON.stringify({
        level: 50,
        time: 1795000000000,
        err: {
          type: 'Error',
          message: 'load failed: x',
          stack: `Error: load failed\n    at load (${root}/lib/cause.js:9:11)\n    at Object.<anonymous> (${root}/lib/cause.js:12:1)\ncaused by: TypeError: Cannot read properties of undefined (reading 'trim')\n    at parse (${root}/lib/cause.js:3:16)\n    at load (${root}/lib/cause.js:7:12)`,
        },
      }) + '\n',
    errorType: 'Error',
    message: 'load failed',
    file: 'lib/cause.js',
    line: 9,
    nested: ['TypeError'],
  },
];

describe('reading every trace shape', () => {
  for (const c of cases) {
    it(c.what, () => {
      const text = c.log();
      const errors = parseErrorLog(text, 'app-error.log');
      assert.equal(errors.length, 1, `one error, got:\n${JSON.stringify(errors, null, 1)}\nfrom:\n${text}`);
      const e = errors[0]!;
      assert.equal(e.errorType, c.errorType);
      if (typeof c.message === 'string') assert.equal(e.message, c.message);
      else assert.match(e.message, c.message);
      const [g] = groupErrors(errors, { isProjectFile: () => false, resolve: projectPathResolver([root]), now: Date.now() });
      assert.ok(g, `located in the project, from:\n${text}\nframes: ${JSON.stringify(e.frames)}`);
      assert.equal(g.file, path.join(root, c.file));
      assert.equal(g.line, c.line);
      assert.deepEqual(e.nested?.map((x) => x.errorType) ?? [], c.nested ?? []);
    });
  }

  it('a wrapped frame is one frame: the location is whole, not cut at the wrap', () => {
    const rel = 'src/services/very/deeply/nested/folder/structure/for/a/long/path/handler-module.js';
    const text = wrap(real[rel]!);
    assert.ok(text.split('\n').some((l) => l.length === 80), 'the console really wrapped a line');
    const [e] = parseErrorLog(text, 'x');
    assert.deepEqual(e!.frames?.[0], { file: path.join(root, rel), line: 3, column: 19 });
  });

  it('prose that starts with "at" is not a frame; a Windows path with no project file is not located', () => {
    const errors = parseErrorLog('Error: boom\nat the end of the day we retry\n', 'x');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.frames, undefined);
    const resolve = projectPathResolver([root]);
    assert.equal(resolve('C:\\Users\\dev\\proj\\lib\\missing.js'), undefined);
    assert.equal(resolve('C:\\Users\\dev\\proj\\lib\\native.js'), path.join(root, 'lib/native.js'));
    // The longest tail wins: lib/native.js, not a native.js at the root.
    fs.writeFileSync(path.join(root, 'native.js'), '');
    assert.equal(resolve('D:\\work\\lib\\native.js'), path.join(root, 'lib/native.js'));
  });
});

describe('mechanic scan reads them from a PM2 error log', () => {
  it('a Windows trace pasted into the log becomes a bug in the project file', async () => {
    const sb = box();
    for (const rel of ['lib/native.js']) sb.write(rel, SCRIPTS[rel]!);
    const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, unindent(windows(real['lib/native.js']!)));
    sb.config({ roots: ['.'], llm: { provider: 'none' } });
    const scan = await sb.runJson(['scan']);
    assert.equal(scan.json.bugs.length, 1, JSON.stringify(scan.json));
    const bug = scan.json.bugs[0];
    assert.equal(bug.kind, 'runtime');
    assert.equal(bug.file, path.join(sb.app, 'lib/native.js'));
    assert.equal(bug.line, 3);
  });
});

// ---- localising: where to fix, not only where it threw

/** A project with a helper `displayName` used by two modules; `run.js` crashes through one of them. */
const HELPER_PROJECT: Record<string, string> = {
  'lib/names.js': `'use strict';
const defaults = {};
function displayName(user) {
  const first = user.profile.first;
  return first + ' ' + user.profile.last;
}
function siteTitle() {
  return defaults.site.title;
}
module.exports = { displayName, siteTitle };
`,
  'lib/orders.js': `'use strict';
const { displayName, siteTitle } = require('./names');
function describeOrder(order) {
  const who = displayName(order.customer);
  return who + ' ordered ' + order.items.length + ' items';
}
function header() {
  return siteTitle();
}
module.exports = { describeOrder, header };
`,
  'lib/invoices.js': `'use strict';
const { displayName, siteTitle } = require('./names');
function describeInvoice(inv) {
  return displayName(inv.owner) + ': ' + inv.total;
}
function footer() {
  return siteTitle();
}
module.exports = { describeInvoice, footer };
`,
};

async function scanCrash(entry: string): Promise<any> {
  const sb = box();
  for (const [rel, text] of Object.entries(HELPER_PROJECT)) sb.write(rel, text);
  const main = sb.write('run.js', entry);
  const r = spawnSync(process.execPath, [main], { cwd: sb.app, encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'the app really crashed');
  const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, r.stderr);
  sb.config({ roots: ['.'], llm: { provider: 'none' } });
  const scan = await sb.runJson(['scan']);
  assert.equal(scan.json.bugs.length, 1, `${r.stderr}\n${JSON.stringify(scan.json)}`);
  return { bug: scan.json.bugs[0], app: sb.app, stderr: r.stderr };
}

describe('localising like a debugger', () => {
  it('a shared helper that reads a property of its undefined parameter: the caller that passed it ranks first', async () => {
    const { bug, app, stderr } = await scanCrash(`require('./lib/orders').describeOrder({ items: [] });\n`);
    assert.match(stderr, /Cannot read properties of undefined \(reading 'profile'\)\n\s+at displayName \(.*names\.js:4:/);
    assert.equal(bug.file, path.join(app, 'lib/orders.js'));
    assert.equal(bug.line, 4);
    assert.equal(bug.places[0].function, 'describeOrder');
    assert.match(bug.places[0].why, /displayName is a helper called from 2 places.*parameter `user`/);
    assert.deepEqual(
      bug.places.map((p: any) => [path.relative(app, p.file), p.line, p.frame]),
      [
        ['lib/orders.js', 4, 1],
        ['lib/names.js', 4, 0],
        ['run.js', 1, 2],
      ],
    );
    assert.match(bug.places[1].why, /threw here, in the shared helper displayName/);
  });

  it('a shared helper whose error is not about its input (module state): the top frame stays first', async () => {
    const { bug, app } = await scanCrash(`require('./lib/orders').header();\n`);
    assert.equal(bug.file, path.join(app, 'lib/names.js'));
    assert.equal(bug.line, 8);
    assert.equal(bug.places[0].frame, 0);
    assert.equal(bug.places[0].function, 'siteTitle');
    assert.match(bug.places[0].why, /not about siteTitle's parameters/);
  });

  it('an error not about input at all (a ReferenceError) keeps the top frame; so does a helper with one caller', () => {
    const code = { read: (f: string) => HELPER_PROJECT[f], callSites: (n: string) => countCallSites(Object.values(HELPER_PROJECT), n) };
    const frames = [
      { file: 'lib/names.js', line: 4, column: 22 },
      { file: 'lib/orders.js', line: 4, column: 15 },
    ];
    const ref = localise({ errorType: 'ReferenceError', message: 'x is not defined' }, frames, code);
    assert.deepEqual(ref.map((p) => p.file), ['lib/names.js', 'lib/orders.js']);
    assert.equal(ref[0]!.why, 'threw here (top project frame)');
    // The same input error with displayName called from one place only.
    const lonely = { ...code, callSites: () => 1 };
    const one = localise({ errorType: 'TypeError', message: "Cannot read properties of undefined (reading 'profile')" }, frames, lonely);
    assert.equal(one[0]!.file, 'lib/names.js');
    assert.match(one[0]!.why, /called from 1 place only/);
    // Counting calls: definitions and method definitions are not calls.
    assert.equal(countCallSites(Object.values(HELPER_PROJECT), 'displayName'), 2);
    assert.equal(countCallSites(['class A {\n  run(x) {\n    return run(x);\n  }\n}\n', 'obj.run(1); run(2)'], 'run'), 3);
  });

  it('"Invalid ..." thrown by a helper after checking its argument raises the caller', () => {
    const files: Record<string, string> = {
      'url.js': `function parseUrl(input) {\n  if (typeof input !== 'string') {\n    throw new TypeError('Invalid URL: ' + input);\n  }\n  return new URL(input);\n}\nmodule.exports = { parseUrl };\n`,
      'a.js': `const { parseUrl } = require('./url');\nfunction connect(cfg) {\n  return parseUrl(cfg.endpoint);\n}\nparseUrl('http://x');\n`,
    };
    const code = { read: (f: string) => files[f], callSites: (n: string) => countCallSites(Object.values(files), n) };
    const places = localise({ errorType: 'TypeError', message: 'Invalid URL: undefined' }, [
      { file: 'url.js', line: 3, column: 11 },
      { file: 'a.js', line: 3, column: 10 },
    ], code);
    assert.deepEqual(places.map((p) => [p.file, p.function]), [
      ['a.js', 'connect'],
      ['url.js', 'parseUrl'],
    ]);
  });
});

// ---- the call chain in the prompt

describe('the call chain shown to the model', () => {
  it('the prompt holds the error, the edited window, the frame that threw and the callers, labelled with files and lines', async () => {
    const sb = box();
    for (const [rel, text] of Object.entries(HELPER_PROJECT)) sb.write(rel, text);
    const main = sb.write('run.js', `require('./lib/orders').describeOrder({ items: [] });\n`);
    const r = spawnSync(process.execPath, [main], { cwd: sb.app, encoding: 'utf8' });
    const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    // Fresh (stamped) so that the bug is acted on.
    fs.writeFileSync(log, r.stderr.split('\n').map((l) => (l ? `${new Date().toISOString()}: ${l}` : l)).join('\n'));
    const past = new Date(Date.now() - 3600_000);
    for (const rel of [...Object.keys(HELPER_PROJECT), 'run.js']) fs.utimesSync(path.join(sb.app, rel), past, past);
    const server = await startModelServer({ answers: () => ({ text: 'no blocks here' }) });
    try {
      sb.config({ roots: ['.'], repairers: ['llm'], llm: { baseUrl: server.url, editFormat: 'window', feedbackRetry: false } });
      await sb.runJson(['run']);
      const prompt = server.modelCalls()[0]?.body?.prompt as string;
      assert.ok(prompt, 'the model was asked');
      // The error first, then the chain, then the edited window.
      const at = (s: string) => prompt.indexOf(s);
      assert.ok(at("TypeError: Cannot read properties of undefined (reading 'profile')") >= 0);
      assert.match(prompt, /FILE: lib\/orders\.js/);
      assert.match(prompt, /CALL CHAIN/);
      assert.match(prompt, /lib\/names\.js lines 1-11, in displayName: THE FRAME THAT THREW; threw here, in the shared helper displayName/);
      assert.match(prompt, />\s*4\| {3}const first = user\.profile\.first;/);
      assert.match(prompt, /run\.js lines 1-2: frame 3 of the trace \(a caller\)/);
      assert.ok(at('CALL CHAIN') < at('LINES '), 'the chain comes with the error, before the lines to edit');
      assert.match(prompt, />\s*4\| {3}const who = displayName\(order\.customer\);/);
    } finally {
      await server.close();
    }
  });

  it("a method that throws on the instance's own state brings its class's constructor, and definitions are shown with their bodies", () => {
    const filler = Array.from({ length: 50 }, (_, i) => `  m${i}() {\n    return ${i};\n  }`).join('\n');
    const node = [
      'class Node {',
      '  constructor(defaults = {}) {',
      '    for (const name in defaults) {',
      "      if (name === 'nodes') this.nodes = defaults.nodes.map((n) => n.clone());",
      '      else this[name] = defaults[name];',
      '    }',
      '  }',
      filler,
      '  before(add) {',
      '    this.parent.insertBefore(this, add);',
      '    return this;',
      '  }',
      '}',
      'module.exports = Node;',
    ].join('\n');
    const lines = node.split('\n');
    const throwAt = lines.findIndex((l) => l.includes('this.parent.insertBefore')) + 1;
    const pad = Array.from({ length: 80 }, (_, i) => `const k${i} = ${i};`).join('\n');
    const helpers = `function shout(s) {\n  const t = String(s);\n  return t.toUpperCase();\n}\n${pad}\nfunction other(x) {\n  return shout(x);\n}\nmodule.exports = { shout, other };\n`;
    const run = `const Node = require('./node');\nconst { shout } = require('./helpers');\nnew Node({}).before(shout('x'));\n`;
    const files: Record<string, string> = { '/p/node.js': node, '/p/helpers.js': helpers, '/p/run.js': run };
    const bug = {
      id: 'b', file: '/p/node.js', kind: 'runtime' as const, line: throwAt, column: 17, message: "Cannot read properties of undefined (reading 'insertBefore')", errorType: 'TypeError', priority: 60, source: 'error-log', detail: 'TypeError: x',
      places: [
        { file: '/p/node.js', line: throwAt, column: 17, frame: 0, function: 'before', why: 'threw here' },
        { file: '/p/run.js', line: 3, column: 13, frame: 1, why: 'called' },
      ],
    };
    const read = (f: string) => (files[f] ? { name: path.basename(f), text: files[f] } : undefined);
    const sections = callChainSections(bug, read, { frames: 3, maxLines: 40 });
    const ctor = sections.find((s) => s.text.includes('the constructor of Node'));
    assert.ok(ctor, 'the constructor is shown: ' + sections.map((s) => s.text.split('\n')[0]).join(' | '));
    // the whole constructor, from its first line to its closing brace, and no further
    assert.deepEqual([ctor.start, ctor.end], [2, 7]);
    assert.match(ctor.text, /this\.nodes = defaults\.nodes\.map/);
    // without a read of `this` on the line that threw, no constructor
    const plain = { ...bug, places: bug.places.map((p, i) => (i === 0 ? { ...p, line: throwAt + 1 } : p)), line: throwAt + 1 };
    assert.ok(!callChainSections(plain, read, { frames: 3, maxLines: 40 }).some((s) => s.text.includes('the constructor of')));
    // a definition called on the line that threw is shown with its body (run.js calls shout)
    const fromRun = { ...bug, file: '/p/run.js', line: 3, places: [{ file: '/p/run.js', line: 3, column: 13, frame: 0, why: 'threw here' }, { file: '/p/helpers.js', line: 87, column: 10, frame: 1, why: 'called' }] };
    const def = callChainSections(fromRun, read, { frames: 2, maxLines: 40 }).find((s) => s.text.includes('the definition of shout'));
    assert.ok(def, 'the definition of shout is shown');
    assert.deepEqual([def.start, def.end], [1, 4]);
  });

  it('a short budget drops the chain before it shrinks the window; a single-frame error gets no chain', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `  x${i} = f(${i});`);
    const text = ['function big() {', ...lines, '}'].join('\n');
    const bug = {
      id: 'b', file: '/p/a.js', kind: 'runtime' as const, line: 200, column: 3, message: 'm', errorType: 'TypeError', priority: 60, source: 'error-log', detail: 'TypeError: m',
      places: [
        { file: '/p/a.js', line: 200, column: 3, frame: 0, why: 'threw here' },
        { file: '/p/b.js', line: 2, column: 1, frame: 1, why: 'called' },
      ],
    };
    const files: Record<string, string> = { '/p/a.js': text, '/p/b.js': `const a = require('./a');\na.big();\n`.repeat(1) };
    const sections = callChainSections(bug, (f) => (files[f] ? { name: path.basename(f), text: files[f] } : undefined), { frames: 3, maxLines: 40 });
    assert.equal(sections.length, 1);
    const fmt = windowFormat({ template: WINDOW_PROMPT_TEMPLATE, contextLines: 30, maxLines: 200 });
    const without = fmt.plan({ bug: { ...bug, places: undefined }, text, displayName: 'a.js', error: 'TypeError: m' }, 100_000);
    const withChain = fmt.plan({ bug, text, displayName: 'a.js', error: 'TypeError: m', context: sections }, 100_000);
    assert.ok('prompt' in without && 'prompt' in withChain);
    assert.ok(withChain.prompt.includes('b.js lines 1-3') && !without.prompt.includes('CALL CHAIN'));
    // A budget the window alone fits: the chain goes, the window stays as large.
    const tight = fmt.plan({ bug, text, displayName: 'a.js', error: 'TypeError: m', context: sections }, without.prompt.length);
    assert.ok('prompt' in tight);
    assert.equal(tight.prompt, without.prompt);
    assert.deepEqual(tight.shown, without.shown);
  });
});
