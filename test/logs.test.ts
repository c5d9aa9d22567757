// Error logs → runtime bugs: parsing a corpus of real crashes, incremental reading of real files,
// grouping and ranking. The corpus is in test/fixtures/logs/ (recorded by record.mjs there).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseErrorLog, parseErrorLogDetailed, MAX_LINE_CHARS } from '../src/discover/logs/parse.js';
import { expandLogGlobs, readLogsIncrementally, type LogOffset } from '../src/discover/logs/read.js';
import { pm2ErrorLogGlob } from '../src/pm2/pm2.js';
import {
  groupErrors,
  MAX_DETAIL_CHARS,
  normalizeMessage,
  rankRuntime,
  runtimePriority,
  toBugs,
  type GroupedError,
} from '../src/discover/logs/group.js';
import type { LogError } from '../src/discover/types.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs');
const fixture = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
/** PM2's `--time` stamps are the box's local time: 2026-11-24 hh:mm:ss here, in ISO. */
const local = (h: number, m: number, s: number) => new Date(2026, 10, 24, h, m, s).toISOString();
/** The corpus's project: /srv/app, its node_modules excluded. */
const inApp = (f: string) => f.startsWith('/srv/app/') && !f.includes('/node_modules/');

/** An error without its raw text, to compare what was read from differently dressed logs. */
const withoutText = (e: LogError): Omit<LogError, 'text'> => {
  const { text: _text, ...rest } = e;
  return rest;
};

const tmpDirs: string[] = [];
after(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmpDir(prefix = 'mechanic-logs-test-'): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  tmpDirs.push(d);
  return d;
}

interface Expected {
  errorType: string;
  message: string | RegExp;
  file?: string;
  line?: number;
  column?: number;
  time?: string;
  code?: string;
}

const THIS_ERROR_ORIGINATED = /^This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with \.catch\(\)\. The promise rejected with the reason "(.+)"\.$/;

/** Each fixture: what crashed, and every error it must yield (in order, nothing more). */
const corpus: Array<{ fixture: string; what: string; errors: Expected[] }> = [
  // --- raw stderr of real crashes (PM2 without --time stores exactly this)
  {
    fixture: 'node/reference-error.log',
    what: "the seed's real bug: a ReferenceError thrown from a timer",
    errors: [{ errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/ref.js', line: 2, column: 16 }],
  },
  {
    fixture: 'node/node-modules-typeerror.log',
    what: 'a TypeError thrown inside node_modules: the caller in the project is the culprit',
    errors: [{ errorType: 'TypeError', message: 'fn is not a function', file: '/srv/app/nested.js', line: 4, column: 8 }],
  },
  {
    fixture: 'node/async-throw.log',
    what: 'a throw inside an async function (async frames)',
    errors: [{ errorType: 'Error', message: 'record 7 not found', file: '/srv/app/async.js', line: 3, column: 9 }],
  },
  {
    fixture: 'node/unhandled-rejection-error.log',
    what: 'an unhandled rejection with an Error',
    errors: [{ errorType: 'TypeError', message: 'bad id 3', file: '/srv/app/rej2.js', line: 3, column: 9 }],
  },
  {
    fixture: 'node/unhandled-rejection-value.log',
    what: 'an unhandled rejection with a string: all frames are node internals',
    errors: [{ errorType: 'UnhandledPromiseRejection', message: THIS_ERROR_ORIGINATED, code: 'ERR_UNHANDLED_REJECTION' }],
  },
  {
    fixture: 'node/esm-json.log',
    what: 'an ES module (file:// URL with %20) calling JSON.parse',
    errors: [
      {
        errorType: 'SyntaxError',
        message: "Expected property name or '}' in JSON at position 1",
        file: '/srv/app/esm dir.mjs',
        line: 2,
        column: 15,
      },
    ],
  },
  {
    fixture: 'node/esm-toplevel.log',
    what: 'a throw at the top level of an ES module (`at file:///...` frame)',
    errors: [{ errorType: 'RangeError', message: 'port is not set', file: '/srv/app/top.mjs', line: 3, column: 9 }],
  },
  {
    fixture: 'node/syntax-error-required.log',
    what: 'a load-time SyntaxError in a required file: the banner, not the requirer',
    errors: [{ errorType: 'SyntaxError', message: "Unexpected token ')'", file: '/srv/app/broken.js', line: 4, column: 21 }],
  },
  {
    fixture: 'node/syntax-error-esm.log',
    what: 'a load-time SyntaxError in an ES module (file:// banner)',
    errors: [{ errorType: 'SyntaxError', message: "Unexpected token ';'", file: '/srv/app/bad.mjs', line: 2, column: 13 }],
  },
  {
    fixture: 'node/esm-missing-export.log',
    what: 'an import of a missing export (caret of ^^^^, no blank line before the error)',
    errors: [
      {
        errorType: 'SyntaxError',
        message: "The requested module './ok.mjs' does not provide an export named 'nope'",
        file: '/srv/app/imp.mjs',
        line: 1,
        column: 10,
      },
    ],
  },
  {
    fixture: 'node/module-not-found-esm.log',
    what: 'Error [ERR_MODULE_NOT_FOUND]: the importer named by the message',
    errors: [
      {
        errorType: 'Error',
        message: "Cannot find module '/srv/app/missing.js' imported from /srv/app/nf.mjs",
        file: '/srv/app/nf.mjs',
        code: 'ERR_MODULE_NOT_FOUND',
      },
    ],
  },
  {
    fixture: 'node/module-not-found-cjs.log',
    what: 'a CommonJS require of a missing module (Require stack: lines, code block)',
    errors: [
      { errorType: 'Error', message: "Cannot find module './missing-dep'", file: '/srv/app/lib/helper.js', line: 1, column: 1, code: 'MODULE_NOT_FOUND' },
    ],
  },
  {
    fixture: 'node/string-throw.log',
    what: 'a thrown string: the value after the caret, the banner is the culprit',
    errors: [{ errorType: 'throw', message: 'plain string failure', file: '/srv/app/str.js', line: 1, column: 17 }],
  },
  {
    fixture: 'node/string-throw-traced.log',
    what: 'a thrown string with --trace-uncaught (Thrown at: frames)',
    errors: [{ errorType: 'throw', message: 'plain string failure', file: '/srv/app/str.js', line: 1, column: 17 }],
  },
  {
    fixture: 'node/object-throw.log',
    what: 'a thrown object literal',
    errors: [{ errorType: 'throw', message: "{ code: 42, reason: 'bad\\nthing' }", file: '/srv/app/obj.js', line: 1, column: 17 }],
  },
  {
    fixture: 'node/enoent.log',
    what: 'a system error from node:fs (banner in node:fs, property block with code)',
    errors: [
      {
        errorType: 'Error',
        message: "ENOENT: no such file or directory, open '/nonexistent/file.json'",
        file: '/srv/app/code.js',
        line: 2,
        column: 4,
        code: 'ENOENT',
      },
    ],
  },
  {
    fixture: 'node/assertion.log',
    what: 'an AssertionError whose message spans lines with blank lines in it',
    errors: [
      { errorType: 'AssertionError', message: 'Expected values to be strictly equal:', file: '/srv/app/assert.js', line: 2, column: 28, code: 'ERR_ASSERTION' },
    ],
  },
  {
    fixture: 'node/uncaught-handler.log',
    what: "console.error noise, a logged Error with a [cause] block, process.on('uncaughtException') printing 'Uncaught Exception:'",
    errors: [
      { errorType: 'Error', message: 'query failed', file: '/srv/app/handler.js', line: 6, column: 11 },
      { errorType: 'ReferenceError', message: 'undefinedThing is not defined', file: '/srv/app/handler.js', line: 8, column: 19 },
    ],
  },
  {
    fixture: 'node/worker-error.log',
    what: "a worker's error: `ReferenceError [Error]:`, `Emitted 'error' event ... at:`, no file of ours",
    errors: [{ errorType: 'ReferenceError', message: 'missingFn is not defined' }],
  },
  {
    fixture: 'node/rethrow-later.log',
    what: 'an error rethrown later (banner at `throw err;`): the stack says where it came from',
    errors: [{ errorType: 'Error', message: 'inner', file: '/srv/app/rethrow.js', line: 2, column: 30 }],
  },
  {
    fixture: 'node/noisy.log',
    what: 'console.error lines (one with an embedded newline) before a crash',
    errors: [{ errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/noisy.js', line: 3, column: 32 }],
  },
  {
    fixture: 'node/not-errors.log',
    what: 'console.trace() and --trace-warnings stacks are not errors; the crash after them is',
    errors: [{ errorType: 'Error', message: 'after the warnings', file: '/srv/app/warn.js', line: 7, column: 26 }],
  },
  // --- real PM2 error logs
  {
    fixture: 'pm2/fork-time.log',
    what: 'PM2 fork mode, --time: every line stamped YYYY-MM-DDTHH:mm:ss (local time)',
    errors: [
      { errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/ref.js', line: 2, column: 16, time: local(18, 10, 12) },
    ],
  },
  {
    fixture: 'pm2/fork-time-syntax.log',
    what: 'PM2 fork mode, --time: a load-time SyntaxError banner, stamped',
    errors: [{ errorType: 'SyntaxError', message: "Unexpected token ')'", file: '/srv/app/broken.js', line: 4, column: 21, time: local(18, 10, 12) }],
  },
  {
    fixture: 'pm2/fork-time-esm.log',
    what: 'PM2 fork mode, --time: an ES module',
    errors: [{ errorType: 'RangeError', message: 'port is not set', file: '/srv/app/top.mjs', line: 3, column: 9, time: local(18, 10, 12) }],
  },
  {
    fixture: 'pm2/fork-zone-format.log',
    what: "PM2 log_date_format 'YYYY-MM-DD HH:mm:ss Z': zoned stamps; @pm2/io prints the crash, then the app's handler",
    errors: [
      { errorType: 'Error', message: 'query failed', file: '/srv/app/handler.js', line: 6, column: 11, time: '2026-11-24T18:10:12.000Z' },
      { errorType: 'ReferenceError', message: 'undefinedThing is not defined', file: '/srv/app/handler.js', line: 8, column: 19, time: '2026-11-24T18:10:12.000Z' },
      { errorType: 'ReferenceError', message: 'undefinedThing is not defined', file: '/srv/app/handler.js', line: 8, column: 19, time: '2026-11-24T18:10:12.000Z' },
    ],
  },
  {
    fixture: 'pm2/fork-raw.log',
    what: 'PM2 fork mode without --time: the stack only, no banner',
    errors: [{ errorType: 'Error', message: 'record 7 not found', file: '/srv/app/async.js', line: 3, column: 9 }],
  },
  {
    fixture: 'pm2/json.log',
    what: 'PM2 --log-type json: one JSON object per write',
    errors: [{ errorType: 'Error', message: 'record 7 not found', file: '/srv/app/async.js', line: 3, column: 9, time: local(18, 10, 12) }],
  },
  {
    fixture: 'pm2/cluster-time-noise.log',
    what: "PM2 cluster mode, --time: only a write's first line is stamped; PM2's own handler writes the crash unstamped",
    errors: [{ errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/noisy.js', line: 3, column: 32 }],
  },
  {
    fixture: 'pm2/cluster-rejection-error.log',
    what: "PM2 cluster mode: 'You have triggered an unhandledRejection' then the error",
    errors: [{ errorType: 'TypeError', message: 'bad id 3', file: '/srv/app/rej2.js', line: 3, column: 9 }],
  },
  {
    fixture: 'pm2/cluster-rejection-value.log',
    what: "PM2 cluster mode: 'You have triggered an unhandledRejection' then a string reason",
    errors: [{ errorType: 'UnhandledPromiseRejection', message: 'nope' }],
  },
  // --- assembled from real captures
  {
    fixture: 'synthetic/mixed.log',
    what: 'a process restarted several times, console.error output between its crashes',
    errors: [
      { errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/ref.js', line: 2, column: 16 },
      { errorType: 'Error', message: 'record 7 not found', file: '/srv/app/async.js', line: 3, column: 9 },
      { errorType: 'Error', message: 'connection reset (retrying)' },
      { errorType: 'TypeError', message: 'fn is not a function', file: '/srv/app/nested.js', line: 4, column: 8 },
      { errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/ref.js', line: 2, column: 16 },
    ],
  },
  {
    fixture: 'synthetic/truncated.log',
    what: 'a log starting mid-stack (orphan frames ignored) and ending mid-frame',
    errors: [
      { errorType: 'Error', message: 'record 7 not found', file: '/srv/app/async.js', line: 3, column: 9 },
      { errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/ref.js', line: 2, column: 16 },
    ],
  },
  {
    fixture: 'synthetic/binary.log',
    what: 'binary garbage, invalid UTF-8, a 100 KB line and control characters around a real trace',
    errors: [
      {
        errorType: 'Error',
        message: "ENOENT: no such file or directory, open '/nonexistent/file.json'",
        file: '/srv/app/code.js',
        line: 2,
        column: 4,
        code: 'ENOENT',
      },
    ],
  },
  // --- forms of other Node versions (see transcribed/README.md)
  {
    fixture: 'transcribed/node18-rejection-value.log',
    what: 'Node 18: [UnhandledPromiseRejection: ...] { code } after a node:internal/process/promises banner',
    errors: [{ errorType: 'UnhandledPromiseRejection', message: THIS_ERROR_ORIGINATED, code: 'ERR_UNHANDLED_REJECTION' }],
  },
  {
    fixture: 'transcribed/node18-rejection-custom-stack.log',
    what: 'Node 18: a rejection whose stack does not start with Name: message',
    errors: [
      {
        errorType: 'Error',
        message: 'page.setViewportSize: viewportSize.height: expected number, got object',
        file: '/srv/app/search.js',
        line: 23,
        column: 14,
      },
    ],
  },
  {
    fixture: 'transcribed/node14-rejection-warning.log',
    what: 'Node 14: (node:PID) UnhandledPromiseRejectionWarning: and its companion warnings',
    errors: [{ errorType: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', file: '/srv/app/db.js', line: 14, column: 11 }],
  },
  {
    fixture: 'transcribed/repl-uncaught.log',
    what: 'Uncaught ReferenceError: (REPL, inspector)',
    errors: [{ errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/cycle.js', line: 41, column: 7 }],
  },
];

function check(got: LogError, want: Expected, where: string): void {
  assert.equal(got.errorType, want.errorType, `${where}: errorType`);
  if (want.message instanceof RegExp) assert.match(got.message, want.message, `${where}: message`);
  else assert.equal(got.message, want.message, `${where}: message`);
  assert.equal(got.file, want.file, `${where}: file`);
  assert.equal(got.line, want.line, `${where}: line`);
  assert.equal(got.column, want.column, `${where}: column`);
  assert.equal(got.time, want.time, `${where}: time`);
  assert.equal(got.code, want.code, `${where}: code`);
}

describe('parseErrorLog: a corpus of real crashes', () => {
  for (const c of corpus) {
    it(`${c.fixture}: ${c.what}`, () => {
      const errors = parseErrorLog(fixture(c.fixture), c.fixture);
      assert.equal(
        errors.length,
        c.errors.length,
        `expected ${c.errors.length} error(s), got:\n${errors.map((e) => `${e.errorType}: ${e.message}`).join('\n')}`,
      );
      errors.forEach((e, i) => {
        check(e, c.errors[i]!, `${c.fixture} #${i}`);
        assert.equal(e.log, c.fixture);
        assert.ok(e.text.includes(e.message.split('\n')[0]!), 'the text holds the message');
      });
    });
  }

  it('the corpus covers every fixture file', () => {
    const files = ['node', 'pm2', 'synthetic', 'transcribed'].flatMap((d) =>
      fs.readdirSync(path.join(FIXTURES, d)).filter((f) => f.endsWith('.log')).map((f) => `${d}/${f}`),
    );
    assert.deepEqual(files.sort(), corpus.map((c) => c.fixture).sort());
  });

  it('keeps the error text as read: banner, source, caret, message and stack', () => {
    const [e] = parseErrorLog(fixture('node/reference-error.log'), 'x');
    assert.equal(
      e!.text,
      [
        '/srv/app/ref.js:2',
        "  const data = readCorrectionFile('/var/lib/pipeline/corrections.json');",
        '               ^',
        '',
        'ReferenceError: readCorrectionFile is not defined',
        '    at Timeout.runCycle [as _onTimeout] (/srv/app/ref.js:2:16)',
        '    at listOnTimeout (node:internal/timers:581:17)',
        '    at process.processTimers (node:internal/timers:519:7)',
      ].join('\n'),
    );
    // PM2 prefixes are not part of the text.
    const [p] = parseErrorLog(fixture('pm2/fork-time.log'), 'x');
    assert.ok(p!.text.startsWith('ReferenceError: readCorrectionFile is not defined\n    at Timeout.runCycle'));
  });

  it('lists the candidate frames, node_modules and node:internal left out', () => {
    const [e] = parseErrorLog(fixture('node/node-modules-typeerror.log'), 'x');
    assert.deepEqual(e!.frames, [
      { file: '/srv/app/nested.js', line: 4, column: 8 },
      { file: '/srv/app/nested.js', line: 6, column: 1 },
    ]);
    // A load-time SyntaxError: only the banner (the requirer's frame is not the culprit).
    const [s] = parseErrorLog(fixture('node/syntax-error-required.log'), 'x');
    assert.deepEqual(s!.frames, [{ file: '/srv/app/broken.js', line: 4, column: 21 }]);
  });

  it('reads the same from CRLF line ends and ANSI-coloured output', () => {
    const text = fixture('synthetic/mixed.log');
    const plain = parseErrorLog(text, 'x').map(withoutText);
    const crlf = parseErrorLog(text.replace(/\n/g, '\r\n'), 'x').map(withoutText);
    const ansi = parseErrorLog(text.replace(/^(\w*Error)/gm, '\u001b[31m$1\u001b[39m'), 'x').map(withoutText);
    assert.deepEqual(crlf, plain);
    assert.deepEqual(ansi, plain);
  });

  const stamps: Array<{ prefix: string; time: string; what: string }> = [
    { prefix: '2026-11-24T18:10:12: ', time: local(18, 10, 12), what: "--time (PM2's YYYY-MM-DDTHH:mm:ss)" },
    { prefix: '2026-11-24 18:10:12 +00:00: ', time: '2026-11-24T18:10:12.000Z', what: 'YYYY-MM-DD HH:mm:ss Z' },
    { prefix: '2026-11-24 18:10:12 +0530: ', time: '2026-11-24T12:40:12.000Z', what: 'YYYY-MM-DD HH:mm:ss ZZ' },
    { prefix: '2026-11-24 18:10 -02:00: ', time: '2026-11-24T20:10:00.000Z', what: "YYYY-MM-DD HH:mm Z (PM2's schema example)" },
    { prefix: '2026-11-24T18:10:12.345Z: ', time: '2026-11-24T18:10:12.345Z', what: 'ISO with milliseconds' },
    { prefix: '2026-11-24-18:10:12: ', time: local(18, 10, 12), what: 'YYYY-MM-DD-HH:mm:ss (the pm2 logs default)' },
    { prefix: '3|worker  | 2026-11-24T18:10:12: ', time: local(18, 10, 12), what: 'pm2 logs output saved to a file' },
  ];
  for (const s of stamps) {
    it(`strips a PM2 line prefix and keeps its time: ${s.what}`, () => {
      const text = fixture('node/reference-error.log')
        .split('\n')
        .map((l) => s.prefix + l)
        .join('\n');
      const [e, ...rest] = parseErrorLog(text, 'x');
      assert.equal(rest.length, 0);
      check(e!, { errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: '/srv/app/ref.js', line: 2, column: 16, time: s.time }, s.what);
    });
  }

  it('reads zone-less stamps in the local time zone of the box (as PM2 writes them)', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Kolkata';
      const [e] = parseErrorLog(fixture('pm2/fork-time.log'), 'x');
      assert.equal(e!.time, '2026-11-24T12:40:12.000Z');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('does not give a stackless error the stack of the next one', () => {
    const text = [
      'Error: connection reset (retrying)',
      'retry 2 of 5',
      'request failed: TypeError: rows.map is not a function',
      '    at listUsers (/srv/app/users.js:12:20)',
      'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      '',
      '1 !== 2',
      '',
      '    at check (/srv/app/assert.js:2:28)',
      '',
    ].join('\n');
    assert.deepEqual(
      parseErrorLog(text, 'x').map((e) => [e.errorType, e.message, e.file, e.line]),
      [
        ['Error', 'connection reset (retrying)', undefined, undefined],
        ['TypeError', 'rows.map is not a function', '/srv/app/users.js', 12],
        ['AssertionError', 'Expected values to be strictly equal:', '/srv/app/assert.js', 2],
      ],
    );
  });

  it("reads error stacks from JSON loggers' lines (pino, bunyan, winston json)", () => {
    const stack = 'TypeError: rows.map is not a function\n    at listUsers (/srv/app/users.js:12:20)\n    at async handler (/srv/app/server.js:40:5)';
    const lines = [
      // pino: epoch ms, the error under err
      JSON.stringify({ level: 50, time: Date.parse('2026-11-24T18:10:12.000Z'), pid: 7, hostname: 'box', err: { type: 'TypeError', message: 'rows.map is not a function', stack }, msg: 'request failed' }),
      // bunyan: ISO time, the error under err
      JSON.stringify({ name: 'api', hostname: 'box', pid: 7, level: 50, err: { message: 'rows.map is not a function', name: 'TypeError', stack }, msg: 'request failed', time: '2026-11-24T18:11:00.000Z', v: 0 }),
      // winston's json format with errors({ stack: true })
      JSON.stringify({ level: 'error', message: 'rows.map is not a function', stack, timestamp: '2026-11-24T18:12:00.000Z' }),
      // a JSON line with no stack: not an error of ours
      JSON.stringify({ level: 30, time: 1, msg: 'TypeError: not a stack' }),
    ];
    const errors = parseErrorLog(lines.join('\n') + '\n', 'app.log');
    assert.deepEqual(
      errors.map((e) => [e.errorType, e.message, e.file, e.line, e.column, e.time]),
      ['2026-11-24T18:10:12.000Z', '2026-11-24T18:11:00.000Z', '2026-11-24T18:12:00.000Z'].map((t) => [
        'TypeError',
        'rows.map is not a function',
        '/srv/app/users.js',
        12,
        20,
        t,
      ]),
    );
  });

  it('tells when the input ends inside an error that may still be being written', () => {
    assert.equal(parseErrorLogDetailed(fixture('node/reference-error.log'), 'x').openFromLine, undefined, 'Node.js footer: finished');
    assert.equal(parseErrorLogDetailed(fixture('node/enoent.log'), 'x').openFromLine, undefined);
    const cut = parseErrorLogDetailed(fixture('synthetic/truncated.log'), 'x');
    assert.equal(cut.openFromLine, cut.entries[1]!.startLine);
    assert.equal(parseErrorLogDetailed('ReferenceError: x is not defined\n', 'x').openFromLine, 0, 'a header, its stack not yet written');
    assert.equal(parseErrorLogDetailed('noise\n/srv/app/a.js:3\n  foo(;\n', 'x').openFromLine, 1, 'a banner without its caret');
    assert.equal(parseErrorLogDetailed('/srv/app/a.js:3\n  foo(;\n     ^\n\n', 'x').openFromLine, 0, 'a banner without its error');
  });

  it('never throws, whatever the input', () => {
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const inputs: string[] = [
      '',
      '\n\n\n',
      '\u0000'.repeat(1000),
      'x'.repeat(MAX_LINE_CHARS + 10),
      `Error: ${'y'.repeat(MAX_LINE_CHARS * 2)}\n    at f (/a.js:1:1)\n`,
      '    at f (/a.js:1:1)\n'.repeat(5000),
      'TypeError: x\n' + '    at f (/a.js:1:1) {\n'.repeat(10) + '  [cause]: {\n'.repeat(1000),
      '{"message":' + '"x'.repeat(10) + '}\n{"message":"a\\n","timestamp":"garbage","type":"err"}\n',
      '/a.js:1\n\n^\n\n\n',
      'Error [\n[Error: ]\n[x: y] {\n}\nError\n    at\n    at (\n    at )\n    at file://%%%:1:1\n',
      '2026-13-45T99:99:99: Error: bad date\n    at f (/srv/app/a.js:1:1)\n',
    ];
    // Every cut of every fixture, and random bytes.
    for (const c of corpus) {
      const text = fixture(c.fixture);
      for (let i = 0; i < 12; i++) inputs.push(text.slice(0, rnd(text.length + 1)), text.slice(rnd(text.length + 1)));
    }
    for (let i = 0; i < 50; i++) inputs.push(Buffer.from(Array.from({ length: 2000 }, () => rnd(256))).toString('utf8'));
    for (const input of inputs) {
      const r = parseErrorLogDetailed(input, 'fuzz');
      assert.ok(Array.isArray(r.entries));
      for (const { error } of r.entries) {
        assert.equal(typeof error.errorType, 'string');
        assert.equal(typeof error.message, 'string');
        assert.ok(!error.text.includes('\u0000'), 'garbage lines are never part of an error');
      }
    }
    // A date that does not exist: the prefix is stripped, no time invented.
    const [bad] = parseErrorLog('2026-13-45T99:99:99: Error: bad date\n    at f (/srv/app/a.js:1:1)\n', 'x');
    assert.equal(bad!.message, 'bad date');
    assert.equal(bad!.time, undefined);
  });

  it('parses a large log quickly', () => {
    const text = fixture('synthetic/mixed.log').repeat(600); // ~1 MB, 3000 errors
    const t0 = performance.now();
    const errors = parseErrorLog(text, 'x');
    const ms = performance.now() - t0;
    assert.equal(errors.length, 3000);
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('readLogsIncrementally: real files', () => {
  const REF = fixture('node/reference-error.log');
  const ASYNC = fixture('node/async-throw.log');
  const NESTED = fixture('node/node-modules-typeerror.log');
  const messages = (errors: LogError[]) => errors.map((e) => e.message);

  it('reads only the tail of a log seen for the first time, from a line boundary', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    // An old crash whose header line straddles the start of the window, then noise, then a new crash.
    const old = NESTED;
    const noise = Array.from({ length: 40 }, (_, i) => `worker ${i} started\n`).join('');
    fs.writeFileSync(log, 'x'.repeat(5000) + '\n' + old + noise + REF);
    const size = fs.statSync(log).size;
    const headerAt = Buffer.byteLength('x'.repeat(5000) + '\n' + old.slice(0, old.indexOf('TypeError')));
    const maxBytesPerRead = size - headerAt - 5; // the window starts inside "TypeError: fn is not..."
    const r = readLogsIncrementally([log], {}, { maxBytesPerRead });
    assert.deepEqual(messages(r.errors), ['readCorrectionFile is not defined'], 'the cut header and its orphan frames are skipped');
    assert.equal(r.offsets[log]!.offset, size);
    assert.equal(r.offsets[log]!.size, size);
    assert.deepEqual(r.problems, []);
  });

  it('reads what a real crashing process appended, and nothing twice', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    fs.writeFileSync(path.join(dir, 'a.js'), "function run() { return readCorrectionFile('x'); }\nrun();\n");
    fs.writeFileSync(path.join(dir, 'b.js'), "async function f() { await null; throw new TypeError('bad id 3'); }\nf();\n");
    const crash = (script: string) => {
      const fd = fs.openSync(log, 'a');
      try {
        spawnSync(process.execPath, [script], { cwd: dir, stdio: ['ignore', 'ignore', fd] });
      } finally {
        fs.closeSync(fd);
      }
    };
    crash('a.js');
    const r1 = readLogsIncrementally([log], {});
    assert.deepEqual(messages(r1.errors), ['readCorrectionFile is not defined']);
    check(r1.errors[0]!, { errorType: 'ReferenceError', message: 'readCorrectionFile is not defined', file: path.join(dir, 'a.js'), line: 1, column: 18 }, 'a'); // V8 points at `return`
    assert.ok(r1.errors[0]!.observedAt, 'no timestamps: the time it was seen is kept');

    const r2 = readLogsIncrementally([log], r1.offsets);
    assert.deepEqual(r2.errors, [], 'nothing new');
    assert.deepEqual(r2.offsets, r1.offsets);

    crash('b.js');
    crash('a.js');
    const r3 = readLogsIncrementally([log], r2.offsets);
    assert.deepEqual(messages(r3.errors), ['bad id 3', 'readCorrectionFile is not defined']);
    assert.equal(r3.offsets[log]!.offset, fs.statSync(log).size);
  });

  it('does not consume a last line without its newline', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    fs.writeFileSync(log, REF);
    const r1 = readLogsIncrementally([log], {});
    fs.appendFileSync(log, ASYNC.slice(0, 40)); // "/srv/app/async.js:3\n  throw new Error(`rec"
    const r2 = readLogsIncrementally([log], r1.offsets, { now: Date.now() + 60_000 });
    assert.deepEqual(r2.errors, []);
    assert.equal(r2.offsets[log]!.offset, r1.offsets[log]!.offset + ASYNC.indexOf('\n') + 1, 'up to the last complete line... ');
    fs.appendFileSync(log, ASYNC.slice(40));
    const r3 = readLogsIncrementally([log], r2.offsets, { now: Date.now() + 60_000 });
    assert.deepEqual(messages(r3.errors), ['record 7 not found'], '...and the banner line was not lost');
    check(r3.errors[0]!, { errorType: 'Error', message: 'record 7 not found', file: '/srv/app/async.js', line: 3, column: 9 }, 'async');
  });

  it('waits for the rest of an error still being written when nothing located it yet', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    // PM2 style: no banner, the header and internal frames written, the project frame not yet.
    const head = 'TypeError: Cannot read properties of undefined\n    at Array.map (<anonymous>)\n';
    fs.writeFileSync(log, head);
    const r1 = readLogsIncrementally([log], {});
    assert.deepEqual(r1.errors, [], 'held back: the log just changed');
    assert.equal(r1.offsets[log]!.offset, 0);
    fs.appendFileSync(log, '    at load (/srv/app/users.js:12:20)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n');
    const r2 = readLogsIncrementally([log], r1.offsets);
    assert.equal(r2.errors.length, 1);
    check(r2.errors[0]!, { errorType: 'TypeError', message: 'Cannot read properties of undefined', file: '/srv/app/users.js', line: 12, column: 20 }, 'located');
    // Once the log has been quiet, an unfinished error is taken as it is.
    const dir2 = tmpDir();
    const log2 = path.join(dir2, 'app-error.log');
    fs.writeFileSync(log2, head);
    const r3 = readLogsIncrementally([log2], {}, { now: Date.now() + 60_000 });
    assert.equal(r3.errors.length, 1);
    assert.equal(r3.errors[0]!.file, undefined);
    assert.equal(r3.offsets[log2]!.offset, Buffer.byteLength(head));
  });

  it('starts over when the log was truncated', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    fs.writeFileSync(log, NESTED + REF);
    const r1 = readLogsIncrementally([log], {});
    assert.equal(r1.errors.length, 2);
    fs.truncateSync(log, 0);
    fs.appendFileSync(log, ASYNC);
    const r2 = readLogsIncrementally([log], r1.offsets);
    assert.deepEqual(messages(r2.errors), ['record 7 not found']);
    assert.equal(r2.offsets[log]!.offset, Buffer.byteLength(ASYNC));
  });

  it('starts over when the log was truncated and regrew past the old offset (copy-and-truncate rotation)', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    fs.writeFileSync(log, REF);
    const r1 = readLogsIncrementally([log], {});
    const ino = fs.statSync(log).ino;
    fs.truncateSync(log, 0);
    fs.appendFileSync(log, ASYNC + NESTED + ASYNC);
    assert.equal(fs.statSync(log).ino, ino, 'same inode');
    assert.ok(fs.statSync(log).size > r1.offsets[log]!.offset);
    const r2 = readLogsIncrementally([log], r1.offsets);
    assert.deepEqual(messages(r2.errors), ['record 7 not found', 'fn is not a function', 'record 7 not found']);
  });

  it('reads a rotated log (a new file under the name) from its start, not the old file again', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    fs.writeFileSync(log, REF);
    const r1 = readLogsIncrementally([log], {});
    fs.appendFileSync(log, NESTED); // written before the rotation, after our read: lost, by design
    fs.renameSync(log, `${log}.1`);
    fs.writeFileSync(log, ASYNC);
    const r2 = readLogsIncrementally([log], r1.offsets);
    assert.deepEqual(messages(r2.errors), ['record 7 not found']);
    assert.notEqual(r2.offsets[log]!.ino, r1.offsets[log]!.ino);
    const r3 = readLogsIncrementally([log], r2.offsets);
    assert.deepEqual(r3.errors, []);
  });

  it('reads only the newest bytes when more than maxBytesPerRead was appended', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'app-error.log');
    fs.writeFileSync(log, REF);
    const r1 = readLogsIncrementally([log], {});
    fs.appendFileSync(log, NESTED.repeat(50) + ASYNC);
    const r2 = readLogsIncrementally([log], r1.offsets, { maxBytesPerRead: Buffer.byteLength(ASYNC) + 10 });
    assert.deepEqual(messages(r2.errors), ['record 7 not found']);
    assert.equal(r2.offsets[log]!.offset, fs.statSync(log).size);
  });

  it('reports logs it cannot read, reads the others, and keeps no offset for them', () => {
    const dir = tmpDir();
    const ok = path.join(dir, 'ok-error.log');
    fs.writeFileSync(ok, REF);
    const missing = path.join(dir, 'missing-error.log');
    const folder = path.join(dir, 'folder-error.log');
    fs.mkdirSync(folder);
    const stale: LogOffset = { dev: 1, ino: 2, size: 3, offset: 3 };
    const r = readLogsIncrementally([missing, folder, ok], { [missing]: stale });
    assert.deepEqual(messages(r.errors), ['readCorrectionFile is not defined']);
    assert.deepEqual(Object.keys(r.offsets), [ok]);
    assert.deepEqual(
      r.problems.map((p) => p.log),
      [missing, folder],
    );
    assert.match(r.problems[0]!.reason, /ENOENT/);
  });

  it('reads binary garbage without failing, and offsets from an older state shape', () => {
    const dir = tmpDir();
    const log = path.join(dir, 'bin-error.log');
    fs.copyFileSync(path.join(FIXTURES, 'synthetic/binary.log'), log);
    const r = readLogsIncrementally([log], { [log]: { dev: 0, ino: 0, size: 0, offset: 0, head: 'nonsense' } });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(messages(r.errors), ["ENOENT: no such file or directory, open '/nonexistent/file.json'"]);
  });

  it('keeps PM2 timestamps as the time, and the read time otherwise', () => {
    const dir = tmpDir();
    const a = path.join(dir, 'a-error.log');
    const b = path.join(dir, 'b-error.log');
    fs.copyFileSync(path.join(FIXTURES, 'pm2/fork-time.log'), a);
    fs.copyFileSync(path.join(FIXTURES, 'pm2/fork-raw.log'), b);
    const mtime = new Date('2026-11-24T19:00:00.000Z');
    fs.utimesSync(b, mtime, mtime);
    const r = readLogsIncrementally([a, b], {});
    assert.equal(r.errors[0]!.time, local(18, 10, 12));
    assert.equal(r.errors[0]!.observedAt, undefined);
    assert.equal(r.errors[1]!.time, undefined);
    assert.equal(r.errors[1]!.observedAt, '2026-11-24T19:00:00.000Z');
  });
});

describe('log globs', () => {
  it("PM2's error logs: fork and cluster names, not out logs, not pm2-logrotate copies", async () => {
    const home = tmpDir();
    const pm2Home = path.join(home, 'pm2 home (test)');
    const logs = path.join(pm2Home, 'logs');
    fs.mkdirSync(logs, { recursive: true });
    for (const f of [
      'app-error.log',
      'app-error-0.log',
      'app-error-12.log',
      'app-out.log',
      'foo-error-handler-out.log',
      'app-error__2026-11-24_00-00-00.log',
      'app-error-1__2026-11-24_00-00-00.log',
    ])
      fs.writeFileSync(path.join(logs, f), '');
    const glob = pm2ErrorLogGlob({ PM2_HOME: pm2Home }, home);
    assert.deepEqual(await expandLogGlobs([glob], home), [
      path.join(logs, 'app-error-0.log'),
      path.join(logs, 'app-error-12.log'),
      path.join(logs, 'app-error.log'),
    ]);
    // No PM2_HOME: ~/.pm2/logs.
    assert.equal(pm2ErrorLogGlob({}, '/home/u'), '/home/u/.pm2/logs/*-error{,-+([0-9])}.log');
    assert.equal(pm2ErrorLogGlob({ PM2_HOME: '~/pm2' }, '/home/u'), '/home/u/pm2/logs/*-error{,-+([0-9])}.log');
  });

  it('expands ~/, dedupes, sorts, leaves out rotated and compressed logs', async () => {
    const home = tmpDir();
    fs.mkdirSync(path.join(home, 'logs'));
    for (const f of ['b.err', 'a.err', 'c.err.gz', 'x.log']) fs.writeFileSync(path.join(home, 'logs', f), '');
    assert.deepEqual(await expandLogGlobs(['~/logs/*.err', `${home}/logs/a.err`, '~/logs/*.err*', '', '~/nowhere/*.log'], home), [
      path.join(home, 'logs', 'a.err'),
      path.join(home, 'logs', 'b.err'),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('groupErrors, rankRuntime, toBugs', () => {
  const NOW = Date.parse('2026-11-24T20:00:00.000Z');
  const parse = (rel: string) => parseErrorLog(fixture(rel), rel);
  const stamp = (text: string, iso: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} +00:00: ${l}\n`)
      .join('');

  it('groups repeats of one error, drops errors with no location in the project', () => {
    const groups = groupErrors(parse('synthetic/mixed.log'), { isProjectFile: inApp, now: NOW });
    const byFile = Object.fromEntries(groups.map((g) => [`${g.file}:${g.line}`, g.count]));
    assert.deepEqual(byFile, { '/srv/app/ref.js:2': 2, '/srv/app/async.js:3': 1, '/srv/app/nested.js:4': 1 });
    assert.equal(groups[0]!.file, '/srv/app/ref.js', 'the most frequent first');
    assert.deepEqual(groupErrors(parse('synthetic/mixed.log'), { isProjectFile: () => false, now: NOW }), []);
  });

  it('takes the first frame inside the roots: files outside them are treated like node_modules', () => {
    const text = 'TypeError: x.map is not a function\n    at helper (/opt/shared/lib.js:10:3)\n    at run (/srv/app/main.js:5:1)\n';
    const [e] = parseErrorLog(text, 'x');
    assert.equal(e!.file, '/opt/shared/lib.js');
    const [g] = groupErrors([e!], { isProjectFile: inApp, now: NOW });
    assert.equal(g!.file, '/srv/app/main.js');
    assert.equal(g!.line, 5);
    assert.equal(g!.column, 1);
    // The node_modules case: the caller.
    const [n] = groupErrors(parse('node/node-modules-typeerror.log'), { isProjectFile: () => true, now: NOW });
    assert.equal(n!.file, '/srv/app/nested.js');
    // A throwing isProjectFile is a no.
    assert.deepEqual(groupErrors([e!], { isProjectFile: () => { throw new Error('boom'); }, now: NOW }), []);
  });

  it('counts and dates occurrences from the log timestamps', () => {
    const ref = fixture('node/reference-error.log');
    const text = stamp(ref, '2026-11-24T18:00:00Z') + stamp(ref, '2026-11-24T19:30:00Z') + stamp(ref, '2026-11-24T16:00:00Z');
    const [g, ...rest] = groupErrors(parseErrorLog(text, 'a-error.log'), { isProjectFile: inApp, now: NOW });
    assert.equal(rest.length, 0);
    assert.equal(g!.count, 3);
    assert.equal(g!.firstSeen, '2026-11-24T16:00:00.000Z');
    assert.equal(g!.lastSeen, '2026-11-24T19:30:00.000Z');
    assert.deepEqual(g!.logs, ['a-error.log']);
  });

  it('uses when the reader saw an error when the log has no timestamps', () => {
    const errors = parse('node/reference-error.log').map((e) => ({ ...e, observedAt: '2026-11-24T19:00:00.000Z' }));
    const [g] = groupErrors(errors, { isProjectFile: inApp, now: NOW });
    assert.equal(g!.lastSeen, '2026-11-24T19:00:00.000Z');
    const [none] = groupErrors(parse('node/reference-error.log'), { isProjectFile: inApp, now: NOW });
    assert.equal(none!.lastSeen, undefined);
  });

  it('one bug for messages that differ only by numbers; the newest message speaks for it', () => {
    const base = fixture('node/async-throw.log');
    const text = stamp(base, '2026-11-24T18:00:00Z') + stamp(base.replace(/record 7/g, 'record 12'), '2026-11-24T19:00:00Z');
    const groups = groupErrors(parseErrorLog(text, 'x'), { isProjectFile: inApp, now: NOW });
    assert.equal(groups.length, 1);
    assert.equal(groups[0]!.count, 2);
    assert.equal(groups[0]!.message, 'record 12 not found');
    assert.equal(normalizeMessage('record 12 not found at 0x1f, id 3f2504e0-4f89-11d3-9a0c-0305e82c3301'), 'record # not found at #, id #');
  });

  it('priority: frequency and recency, always below syntax bugs (100)', () => {
    const h = 3_600_000;
    const table: Array<[count: number, ageHours: number | undefined, priority: number]> = [
      [1, 0, 75], // 50 + 10 + 15
      [3, 0, 85], // 50 + 20 + 15
      [7, 0, 95], // 50 + 30 + 15: the most a runtime bug gets
      [1000, 0, 95],
      [1, 6, 67.5], // 50 + 10 + 7.5
      [3, 12, 73.8], // 50 + 20 + 3.75
      [1, 48, 60.1],
      [1, undefined, 60],
      [0, undefined, 60],
      [1, -5, 75], // a clock skew: a time in the future counts as now
    ];
    for (const [count, age, priority] of table) {
      const lastSeen = age === undefined ? undefined : new Date(NOW - age * h).toISOString();
      assert.equal(runtimePriority(count, lastSeen, NOW), priority, `count ${count}, ${age} h`);
    }
    const mk = (file: string, count: number, lastSeen?: string): GroupedError => ({
      key: file,
      errorType: 'Error',
      message: 'm',
      file,
      count,
      text: 'Error: m',
      logs: [],
      priority: 0,
      ...(lastSeen ? { lastSeen } : {}),
    });
    const ranked = rankRuntime(
      [mk('/old-once', 1, '2026-11-20T00:00:00Z'), mk('/recent-often', 9, '2026-11-24T19:59:00Z'), mk('/recent-once', 1, '2026-11-24T19:59:00Z'), mk('/undated', 2)],
      NOW,
    );
    assert.deepEqual(
      ranked.map((g) => g.file),
      ['/recent-often', '/recent-once', '/undated', '/old-once'],
    );
    assert.ok(ranked.every((g) => g.priority < 100));
  });

  it('bugs: kind runtime, source error-log, a stable id, the error text as detail', () => {
    const errors = ['node', 'pm2', 'synthetic', 'transcribed'].flatMap((d) =>
      fs.readdirSync(path.join(FIXTURES, d)).filter((f) => f.endsWith('.log')).flatMap((f) => parse(`${d}/${f}`)),
    );
    const bugs = toBugs(groupErrors(errors, { isProjectFile: inApp, now: NOW }));
    assert.ok(bugs.length >= 20);
    for (const b of bugs) {
      assert.equal(b.kind, 'runtime');
      assert.equal(b.source, 'error-log');
      assert.match(b.id, /^[0-9a-f]{12}$/);
      assert.ok(inApp(b.file), `${b.file} is in the project`);
      assert.ok(b.priority < 100 && b.priority >= 60);
      assert.ok(b.detail.length <= MAX_DETAIL_CHARS + 2);
      assert.ok(b.detail.includes(b.message.split('\n')[0]!));
      assert.ok((b.count ?? 0) >= 1);
    }
    assert.equal(new Set(bugs.map((b) => b.id)).size, bugs.length, 'one bug per id');
    const seed = bugs.find((b) => b.file === '/srv/app/ref.js')!;
    assert.equal(seed.errorType, 'ReferenceError');
    assert.equal(seed.message, 'readCorrectionFile is not defined');
    assert.equal(seed.line, 2);
    assert.equal(seed.column, 16);
    assert.equal(seed.count, 5, 'node/, pm2/fork-time, synthetic/truncated and twice in synthetic/mixed');
    assert.equal(seed.lastSeen, local(18, 10, 12));
    assert.ok(seed.detail.includes('ReferenceError: readCorrectionFile is not defined\n    at Timeout.runCycle'));
    // Unknown line: 0.
    const nf = bugs.find((b) => b.file === '/srv/app/nf.mjs')!;
    assert.equal(nf.line, 0);
    assert.equal(nf.column, 0);
    // The id depends on kind, file, type and message only.
    const again = toBugs(groupErrors(parse('node/reference-error.log'), { isProjectFile: inApp, now: NOW + 86_400_000 }));
    assert.equal(again[0]!.id, seed.id);
  });

  it('the same error at two lines of a file (edited between crashes) is one bug, at the newest line', () => {
    const ref = fixture('node/reference-error.log');
    const moved = ref.replace(/ref\.js:2/g, 'ref.js:9');
    const text = stamp(ref, '2026-11-24T18:00:00Z') + stamp(moved, '2026-11-24T19:00:00Z') + stamp(moved, '2026-11-24T19:10:00Z');
    const groups = groupErrors(parseErrorLog(text, 'x'), { isProjectFile: inApp, now: NOW });
    assert.equal(groups.length, 2);
    const bugs = toBugs(groups);
    assert.equal(bugs.length, 1);
    assert.equal(bugs[0]!.line, 9);
    assert.equal(bugs[0]!.count, 3);
    assert.equal(bugs[0]!.firstSeen, '2026-11-24T18:00:00.000Z');
    assert.equal(bugs[0]!.lastSeen, '2026-11-24T19:10:00.000Z');
  });

  it('caps the detail at about 4 KB', () => {
    const frames = Array.from({ length: 400 }, (_, i) => `    at f${i} (/srv/app/deep.js:${i + 1}:1)`).join('\n');
    const [b] = toBugs(groupErrors(parseErrorLog(`RangeError: too deep\n${frames}\n`, 'x'), { isProjectFile: inApp, now: NOW }));
    assert.ok(b!.detail.length <= MAX_DETAIL_CHARS + 2, `${b!.detail.length}`);
    assert.ok(b!.detail.startsWith('RangeError: too deep\n    at f0 (/srv/app/deep.js:1:1)'));
    assert.ok(b!.detail.endsWith('\n…'));
  });
});
