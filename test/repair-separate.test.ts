// Evidence that tells a repair from its near rival (src/repair/deterministic/separate.ts), through
// the CLI with no model: where the file's own text says which of two repairs was meant, the rung
// writes it; where it does not, the file is left untouched and proposed, as before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { box } from './helpers/cli.ts';

interface Case {
  intended: string;
  slip: [from: string, to: string];
  /** The file's name under lib/ (default case.js). */
  name?: string;
}

function broken(c: Case): string {
  const [from, to] = c.slip;
  assert.equal(c.intended.split(from).length, 2, `the slip's text occurs once: ${from}`);
  return c.intended.replace(from, to);
}

const squeeze = (t: string): string => t.replace(/\s+/g, '');

/** `mechanic run` on the broken file: the fix record, the file on disk, the exit code. */
async function run(c: Case): Promise<{ fix: any; onDisk: string; code: number | null; text: string }> {
  const text = broken(c);
  const sb = box();
  const file = sb.write(`lib/${c.name ?? 'case.js'}`, text);
  sb.config({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { provider: 'none' } });
  const r = await sb.runJson(['run']);
  const fix = r.json.fixes.find((f: any) => f.file === file);
  assert.ok(fix, `an attempt on the file:\n${r.stdout}\n${r.stderr}`);
  return { fix, onDisk: fs.readFileSync(file, 'utf8'), code: r.code, text };
}

async function written(c: Case, evidence: RegExp): Promise<void> {
  const { fix, onDisk, code } = await run(c);
  const story = `${fix.outcome}: ${fix.reason}\n${JSON.stringify(fix.evidence)}\n--- on disk:\n${onDisk}`;
  assert.equal(fix.outcome, 'applied', story);
  assert.equal(code, 0, story);
  assert.equal(squeeze(onDisk), squeeze(c.intended), story);
  assert.ok(fix.confidence >= 0.7, story);
  assert.ok(fix.evidence.some((e: string) => evidence.test(e)), `the evidence says why: ${story}`);
}

async function proposed(c: Case, evidence: RegExp): Promise<void> {
  const { fix, onDisk, code, text } = await run(c);
  const story = `${fix.outcome}: ${fix.reason}\n${JSON.stringify(fix.evidence)}`;
  assert.equal(onDisk, text, `untouched: ${story}`);
  assert.equal(code, 1, story);
  assert.equal(fix.outcome, 'proposed', story);
  assert.ok(fix.confidence < 0.7, story);
  assert.ok(!(fix.evidence ?? []).some((e: string) => evidence.test(e)), `no such evidence: ${story}`);
}

// a lost `]` after a key: `out[key = source[key];` closes after `key` or after `source[key]`
const SEEN = /the file writes '\[ key \]' elsewhere, and never the rival's/;
const subscriptSeen: Case = {
  intended: `'use strict';
function copy(source, keys) {
  const out = {};
  for (const key of keys) {
    if (source[key] === undefined) continue;
    out[key] = source[key];
  }
  return out;
}
module.exports = { copy };
`,
  slip: ['out[key] = source[key];', 'out[key = source[key];'],
};
// the same slip where the file writes no `[name]` anywhere else: nothing tells the two apart
const subscriptUnseen: Case = {
  intended: `'use strict';
function copy(source, keys, name) {
  const out = {};
  for (const key of keys) out[name] = source.get(key);
  return out;
}
module.exports = { copy };
`,
  slip: ['out[name] = source.get(key);', 'out[name = source.get(key);'],
};
// the file writes `[start]`, but the key going on with an operator (`[start + index]`) is as
// natural: the evidence does not count, and the (wrong) closer after `start` stays a proposal
const subscriptContinued: Case = {
  intended: `'use strict';
function rest(args, start) {
  var first = args[start];
  var index = -1, out = [];
  while (++index < 3) {
    out[index] = args[start + index];
  }
  return [first, out];
}
module.exports = { rest };
`,
  slip: ['args[start + index];', 'args[start + index;'],
};

// a `}` line typed twice: delete one, or make the second a lone `;` (or open a block after it)
const TWICE = /the repair undoes a '}' line typed twice/;
const doubled: Case = {
  intended: `'use strict';
function map(collection, iteratee) {
  var func = Array.isArray(collection) ? collection.map : null;
  return func.call(collection, iteratee);
}

module.exports = map;
`,
  slip: ['iteratee);\n}\n', 'iteratee);\n}\n}\n'],
};
// the same, in a file that writes a lone `;` line itself: the rival's reading is one it writes
const doubledWhereSemicolonLines: Case = {
  intended: `'use strict';
;[1, 2].forEach(function (n) {
  console.log(n);
});
;
function map(collection, iteratee) {
  var func = Array.isArray(collection) ? collection.map : null;
  return func.call(collection, iteratee);
}

module.exports = map;
`,
  slip: ['iteratee);\n}\n', 'iteratee);\n}\n}\n'],
};

// a `}` typed at a line's end: delete it, or open an empty block after the statement
// either reading of it: the rule for a deleted '}' against a '{' after a statement, or the rival's own finding
const BLOCK = /the rival opens a bare block/;
const lineEnd: Case = {
  intended: `'use strict';
var range = createRange();

function createRange() {
  return function (a, b) {
    return [a, b];
  };
}
module.exports = range;
`,
  slip: ['var range = createRange();', 'var range = createRange();}'],
};

// a stray '@' typed into a word: deleting it is the only repair, held back as an unlikely edit
// unless the word it leaves is one the file writes elsewhere
const STRAY = /deleting the stray '@' leaves 'weekdaysMin', a word the file writes/;
const strayKnown: Case = {
  intended: `'use strict';
const names = {
  weekdays: 'Sunday_Monday'.split('_'),
  weekdaysMin: 'Su_Mo'.split('_'),
};
function pick(config) {
  return config.weekdaysMin || names.weekdaysMin;
}
module.exports = { names, pick };
`,
  slip: ['names.weekdaysMin;', 'names.we@ekdaysMin;'],
};
// the same slip in a word the file writes nowhere else: no evidence, proposed
const strayUnknown: Case = {
  intended: `'use strict';
const names = {
  weekdays: 'Sunday_Monday'.split('_'),
};
function pick(config) {
  return config.weekdays || names.firstDay;
}
module.exports = { names, pick };
`,
  slip: ['names.firstDay;', 'names.fi@rstDay;'],
};

// a ')' typed before an array's item: delete it (`,⏎'b',` as the file writes it everywhere), or
// make it a ',' (`, ,⏎'b'`: a hole the file never writes)
const RUNS = /the repair's token runs .* occur \d+\+ times each elsewhere in the file, the rival's .* never/;
const runsSeen: Case = {
  intended: `'use strict';
var months = [
  'January',
  'February',
  'March',
  'April',
  'May',
];
var days = [
  'Sunday',
  'Monday',
  'Tuesday',
];
module.exports = { months, days };
`,
  slip: ["  'February',", "  )'February',"],
};
// a lost ',' between two names, where the rival's `iteratee.callback` reads like the file's own
// `iteratee.bind`: both runs are the file's, proposed
// `options.callback`: the file writes 'callback' as a property too, so the rival's `iteratee.callback` is no reading it never has
const runsBoth: Case = {
  intended: `'use strict';
function run(coll, iteratee, callback) {
  var each = coll.each;
  return each(coll, iteratee, callback);
}
function walk(coll, iteratee, options) {
  return run(coll, iteratee.bind(options), options.callback);
}
module.exports = { run, walk };
`,
  slip: ['iteratee, callback);', 'iteratee callback);'],
};

// a lost ',' between two arguments: put in a ',' (`object, source`) or a '.' (`object. source`),
// spaced as the file never spaces its many '.'
const SPACED = /the rival's '\.' is spaced as the file never spaces its \d+ others \(tight\/space\), the repair's ',' as the file does/;
const spacedDot: Case = {
  intended: `'use strict';
var baseMerge = require('./_baseMerge'),
    createAssigner = require('./_createAssigner');

var merge = createAssigner(function(object, source, srcIndex) {
  baseMerge(object, source, srcIndex);
});

function mergeAll(objects) {
  var result = {};
  objects.forEach(function(item) {
    merge(result, item.value);
  });
  return result.length ? result.slice(0) : result;
}

module.exports = { merge: merge, mergeAll: mergeAll };
`,
  slip: ['baseMerge(object, source', 'baseMerge(object source'],
};

// a function's last '}' lost before the module's export: on its own line, or after the return's
// last line (`: string;}`), which closes a block after code as the file never does
const FINDINGS = /the rival reads as the file never writes, the repair does not: the rival ends a block with a '\}' after code on its line/;
const padStart = `import createPadding from './_createPadding.js';
import stringSize from './_stringSize.js';
import toString from './toString.js';

function padStart(string, length, chars) {
  string = toString(string);
  var strLength = length ? stringSize(string) : 0;
  return (length && strLength < length)
    ? (createPadding(length - strLength, chars) + string)
    : string;
}

export default padStart;
`;
const lostLastBrace: Case = { name: 'pad-start.mjs', intended: padStart, slip: ['    : string;\n}\n', '    : string;\n'] };
// the same where the file itself ends a block after code on its line: that reading is its own
const lostLastBraceMidLineFile: Case = {
  name: 'pad-start.mjs',
  intended: padStart.replace('export default', 'function noop(value) {\n  return value; }\n\nexport default'),
  slip: ['    : string;\n}\n', '    : string;\n'],
};

// a string's closing quote lost in `require('./eachOf.js);`: close it before `)`, or before
// `.js`, which reads a property no string has
const STRING_PROP = /the rival reads as the file never writes, the repair does not: the rival reads a property no string has off a string literal/;
const requirePath: Case = {
  intended: `'use strict';

Object.defineProperty(exports, "__esModule", {
    value: true
});
exports.default = parallel;

var _eachOf = require('./eachOf.js');

var _eachOf2 = _interopRequireDefault(_eachOf);

function _interopRequireDefault(obj) { return obj && obj.__esModule ? obj : { default: obj }; }

function parallel(tasks, callback) {
    return (0, _eachOf2.default)(tasks, callback);
}
module.exports = exports.default;
`,
  slip: ["require('./eachOf.js');", "require('./eachOf.js);"],
};

// a '.' typed after a block's '{': delete it, or make it a ';' (an empty statement the file writes
// nowhere); a ';' typed before a number: delete it, or make it a '.' (`= .0`, a number spelt as the file never does)
const IDLE = /the rival makes a statement that does nothing \(a lone ';' or a bare name/;
const FRACTION = /the rival makes a number of a '\.' and the digits after it/;
const limiter = `'use strict';

const kDone = Symbol('kDone');
const kRun = Symbol('kRun');

class Limiter {
  constructor(concurrency) {
    this[kDone] = () => {
      this.pending--;
      this[kRun]();
    };
    this.concurrency = concurrency || Infinity;
    this.jobs = [];
    this.pending = 0;
  }

  add(job) {
    this.jobs.push(job);
    this[kRun]();
  }

  [kRun]() {
    if (this.pending === this.concurrency) return;
    if (this.jobs.length) {
      const job = this.jobs.shift();
      this.pending++;
      job(this[kDone]);
    }
  }
}

module.exports = Limiter;
`;
const dotAfterBrace: Case = { intended: limiter, slip: ['if (this.jobs.length) {', 'if (this.jobs.length) {.'] };
// the same in a file that writes an empty statement itself (a leading ';'): proposed
const dotAfterBraceWithEmpty: Case = { intended: `;${limiter}`, slip: ['if (this.jobs.length) {', 'if (this.jobs.length) {.'] };
const semicolonBeforeNumber: Case = { intended: limiter, slip: ['this.pending = 0;', 'this.pending = ;0;'] };
// the same in a file that writes `.5`: proposed
const semicolonBeforeNumberWithFraction: Case = {
  intended: limiter.replace("this.jobs = [];", "this.jobs = [];\n    this.ratio = .5;"),
  slip: ['this.pending = 0;', 'this.pending = ;0;'],
};

// a stray backtick opens a template that runs to the end of the file, swallowing `export default`:
// what the template holds is read as written, so deleting the backtick no longer "adds an export"
const strayBacktick: Case = {
  name: 'times.mjs',
  intended: `import baseTimes from './_baseTimes.js';
import castFunction from './_castFunction.js';
import toInteger from './toInteger.js';

var MAX_SAFE_INTEGER = 9007199254740991;
var MAX_ARRAY_LENGTH = 4294967295;
var nativeMin = Math.min;

function times(n, iteratee) {
  n = toInteger(n);
  if (n < 1 || n > MAX_SAFE_INTEGER) {
    return [];
  }
  var index = MAX_ARRAY_LENGTH,
      length = nativeMin(n, MAX_ARRAY_LENGTH);

  iteratee = castFunction(iteratee);
  n -= MAX_ARRAY_LENGTH;

  var result = baseTimes(length, iteratee);
  while (++index < n) {
    iteratee(index);
  }
  return result;
}

export default times;
`,
  slip: ['castFunction(iteratee);', 'castFunction(iteratee)`;'],
};

// a lost `]` before `||`: the rival closes it after the next operand (`suffixes[b || suffixes[c]]`),
// a key with a logical operator, which none of the file's other subscripts holds
const LOOSE_KEY = /the rival's subscript key \('b \|\| suffixes \[ c \]'\) holds an assignment, comparison or logical operator/;
const suffixed = `'use strict';
const suffixes = {
  1: '-inci',
  5: '-inci',
  3: '-üncü',
  4: '-ünci',
  100: '-üncü',
  6: '-njy',
  9: '-unjy',
  10: '-unjy',
};

function ordinal(number) {
  if (number === 0) {
    return number + '-njy';
  }
  const a = number % 10;
  const b = (number % 100) - a;
  const c = number >= 100 ? 100 : null;
  return number + (suffixes[a] || suffixes[b] || suffixes[c]);
}

function names(list) {
  const out = [];
  for (let i = 0; i < list.length; i++) out.push(list[i].name);
  return out;
}

module.exports = { ordinal, names };
`;
const looseKeyRival: Case = { intended: suffixed, slip: ['suffixes[b] ||', 'suffixes[b ||'] };
// the same in a file that writes such a key itself (`cache[key || 'none']`): proposed
const looseKeyInFile: Case = {
  intended: suffixed.replace('function names(list) {', "function cached(cache, key) {\n  return cache[key || 'none'];\n}\n\nfunction names(list) {"),
  slip: ['suffixes[b] ||', 'suffixes[b ||'],
};

// a lost `]` in a call's argument: the rival makes the `[` a `,` (`decodeURIComponent(match, 3)`),
// one argument more than the callee takes, by the language (a global) or by its declaration in the file
const ARITY = /the rival passes '(decodeURIComponent|unquote)' 2 arguments, the repair 1/;
const cookie = `'use strict';
function read(cookie, name) {
  const match = cookie.match(new RegExp('(^|;\\\\s*)(' + name + ')=([^;]*)'));
  return match ? decodeURIComponent(match[3]) : null;
}

function write(name, value, days) {
  const expires = new Date(Date.now() + days * 864e5).toUTCString();
  return name + '=' + encodeURIComponent(value) + '; expires=' + expires;
}

module.exports = { read, write };
`;
const arityGlobal: Case = { intended: cookie, slip: ['match[3])', 'match[3)'] };
const unquoted = cookie
  .replace('decodeURIComponent(match[3])', 'unquote(match[3])')
  .replace('function read(', "function unquote(text) {\n  return text.replace(/^\"|\"$/g, '');\n}\n\nfunction read(");
const arityDeclared: Case = { intended: unquoted, slip: ['match[3])', 'match[3)'] };
// the same where the file's function takes a second parameter: the rival's two arguments fit it too
const arityFits: Case = { intended: unquoted.replace('function unquote(text) {', 'function unquote(text, all) {\n  if (all) return text;'), slip: ['match[3])', 'match[3)'] };

describe('evidence that separates a repair from its near rival', { concurrency: 3 }, () => {
  it("a lost ']': the file writes the repair's subscript elsewhere and never the rival's: written", () => written(subscriptSeen, SEEN));
  it("a lost ']' whose subscript the file writes nowhere else: proposed, untouched", () => proposed(subscriptUnseen, /the file writes/));
  it("a lost ']' where the rival's key goes on with an operator (`[start + index]`): proposed, untouched", () => proposed(subscriptContinued, /the file writes/));
  it("a '}' line typed twice: the repair undoes it, the rival keeps both lines: written", () => written(doubled, TWICE));
  it("a '}' line typed twice in a file that writes lone ';' lines: proposed, untouched", () => proposed(doubledWhereSemicolonLines, TWICE));
  it("a '}' typed at a line's end: the rival opens a bare block after the statement: written", () => written(lineEnd, BLOCK));
  it("a stray '@' in a word the file writes elsewhere: written", () => written(strayKnown, STRAY));
  it("a stray '@' in a word the file writes nowhere else: proposed, untouched", () => proposed(strayUnknown, /deleting the stray/));
  it("a ')' typed before an item: the repair's runs are the file's, the rival's ', ,' never: written", () => written(runsSeen, RUNS));
  it("a lost ',' where the rival's runs are the file's too: proposed, untouched", () => proposed(runsBoth, /token runs/));
  it("a lost ',' where the rival's '.' is spaced as the file never spaces one: written", () => written(spacedDot, SPACED));
  it("a lost ',' in a file with too few '.' to tell their spacing: proposed, untouched", () => proposed(runsBoth, /is spaced as the file never/));
  it("a function's last '}' lost: the rival ends the block after code on a line, as the file never does: written", () => written(lostLastBrace, FINDINGS));
  it("the same in a file that ends a block after code itself: proposed, untouched", () => proposed(lostLastBraceMidLineFile, /the rival reads as the file never writes/));
  it("a '.' typed after a block's '{': the rival makes it an empty statement the file writes nowhere: written", () => written(dotAfterBrace, IDLE));
  it("the same in a file with an empty statement of its own: proposed, untouched", () => proposed(dotAfterBraceWithEmpty, IDLE));
  it("a ';' typed before a number: the rival makes it '.0', a number the file never spells so: written", () => written(semicolonBeforeNumber, FRACTION));
  it("the same in a file that writes '.5': proposed, untouched", () => proposed(semicolonBeforeNumberWithFraction, FRACTION));
  it('a stray backtick whose template swallows the export at the end of the file: written', () => written(strayBacktick, /no other repair within/));
  it("a require path's quote lost: the rival reads a property no string has (`'./eachOf'.js`): written", () => written(requirePath, STRING_PROP));
  it("a lost ']' before '||': the rival's key holds the '||', as no other subscript of the file does: written", () => written(looseKeyRival, LOOSE_KEY));
  it("the same in a file that writes a key with '||' itself: proposed, untouched", () => proposed(looseKeyInFile, /holds an assignment, comparison or logical operator/));
  it("a lost ']' in a call: the rival passes a global one argument more than it takes: written", () => written(arityGlobal, ARITY));
  it("a lost ']' in a call: the rival passes the file's function one argument more than it declares: written", () => written(arityDeclared, ARITY));
  it('the same where the function declares a second parameter: proposed, untouched', () => proposed(arityFits, /the rival passes/));
});
