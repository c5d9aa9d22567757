// Precision over recall: a repair that parses but means something else than what was written is
// worse than none. Slips as people type them, through the CLI, with no model: each file ends as
// what was meant, or (where the table allows it) untouched and left for a person. Never a third
// text. Then the gate itself: a repair below it is not written by the deterministic rung; the
// model gets the file, or a person gets the proposal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';
import { box, closedPort } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { resolveConfig, SyntaxChecker } from '../dist/index.js';
import { fixBug } from '../dist/repair/fix.js';
import { deterministicRepairer } from '../dist/repair/repairers/deterministic.js';
import { repairInEngine } from '../dist/repair/deterministic/index.js';
import { validatorsByName } from '../dist/validate/registry.js';
import { undefinedNamesValidator } from '../dist/validate/undefined-names.js';
import { settleReference } from '../dist/validate/last-good.js';
import { journalFor } from '../dist/workspace/journal.js';
import { systemClock } from '../dist/util/clock.js';
import type { Bug } from '../src/discover/types.ts';
import type { Repairer } from '../src/repair/types.ts';

/**
 * `repaired`: the file on disk afterwards is the intended text (byte for byte, or the same
 * tokens). `repaired-or-untouched`: that, or the file's bytes unchanged, the run exiting 1 and
 * the log holding a `proposed` or `failed` entry for it. Anything else on disk fails the case.
 */
type Expect = 'repaired' | 'repaired-or-untouched';

interface PrecisionCase {
  name: string;
  expect: Expect;
  /** What the person meant: a small CommonJS module. */
  intended: string;
  /** The slip: `from` (found exactly once in `intended`) typed as `to`. */
  slip: [from: string, to: string];
  /** Other files of the little project. */
  files?: Record<string, string>;
  /** Where the case is written (default lib/case.js; lib/case.mjs for an ES module). */
  path?: string;
}

/** A moment.js locale file as published: a UMD wrapper, then statements ended with `;`. */
const MOMENT_WRAPPER = `;(function (global, factory) {
   typeof exports === 'object' && typeof module !== 'undefined'
       && typeof require === 'function' ? factory(require('../moment')) :
   typeof define === 'function' && define.amd ? define(['../moment'], factory) :
   factory(global.moment)
}(this, (function (moment) { 'use strict';

    var sv = moment.defineLocale('sv', {
        months: 'januari_februari_mars_april_maj_juni_juli_augusti_september_oktober_november_december'.split('_'),
        weekdays: 'söndag_måndag_tisdag_onsdag_torsdag_fredag_lördag'.split('_'),
        week: {
            dow: 1, // Monday is the first day of the week.
            doy: 4, // The week that contains Jan 4th is the first week of the year.
        },
    });

    return sv;

})));
`;

// The table. Edit `expect` per case as the repairer learns.
const CASES: PrecisionCase[] = [
  {
    // the rival closes it after the call (`cache['delete'(key)]`), which calls the string: code that can only throw
    name: "a lost ']' after a quoted key before a call: cache['delete'(key);",
    expect: 'repaired',
    intended: `'use strict';
function forget(cache, key) {
  if (cache.has(key)) {
    cache['delete'](key);
  }
  return cache;
}
module.exports = { forget };
`,
    slip: ["cache['delete'](key);", "cache['delete'(key);"],
  },
  {
    // both near repairs are wrong (`require=>'./x';`, `require=>'./x'()`): that the rival calls a string makes the first no likelier
    name: "a '(' typed as '=>' before a require path: require=>'./internal/once.js');",
    expect: 'repaired-or-untouched',
    intended: `'use strict';
var _once = require('./internal/once.js');
var _onlyOnce = require('./internal/onlyOnce.js');
function run(fn) {
  return _once(_onlyOnce(fn));
}
module.exports = { run };
`,
    slip: ["require('./internal/once.js')", "require=>'./internal/once.js')"],
  },
  {
    name: 'a mistyped keyword: retrun total;',
    expect: 'repaired',
    intended: `'use strict';
function sum(items) {
  let total = 0;
  for (const x of items) total += x;
  return total;
}
module.exports = { sum };
`,
    slip: ['  return total;', '  retrun total;'],
  },
  {
    // the tolerant parse reads `export { defaut, total }`: a list no brace opens, not exports to keep
    name: 'a mistyped default in an ES module: export defaut total;',
    expect: 'repaired',
    path: 'lib/case.mjs',
    intended: `function total(rows) {
  let sum = 0;
  for (const r of rows) sum += r.amount;
  return sum;
}

export default total;
`,
    slip: ['export default total;', 'export defaut total;'],
  },
  {
    // `\u` begins an escape only before four hex digits or a braced code point: `\ult` is a slip
    name: "a stray '\\' before a u in an ES module: export defa\\ult locale",
    expect: 'repaired',
    path: 'lib/case.mjs',
    intended: `import moment from './moment.mjs';

export default moment.defineLocale('tzm', {
    months: 'innayr_brayr_mars'.split('_'),
});
`,
    files: { 'lib/moment.mjs': 'export default { defineLocale: (name, spec) => ({ name, spec }) };\n' },
    slip: ['export default moment', 'export defa\\ult moment'],
  },
  {
    name: 'a mistyped declaration after export: export varr root = ...',
    expect: 'repaired',
    path: 'lib/case.mjs',
    intended: `export var root = typeof globalThis == 'object' ? globalThis : {};

export function now() {
  return root.Date.now();
}
`,
    slip: ['export var root', 'export varr root'],
  },
  {
    // V8 puts the error at the line's start ("missing ) after argument list"), not at the backtick
    name: 'a stray backtick after a call\'s parenthesis: require(`\'./_baseWhile\')',
    expect: 'repaired',
    files: { 'lib/_baseWhile.js': 'module.exports = (a) => a;\n', 'lib/_baseIteratee.js': 'module.exports = (f) => f;\n' },
    intended: `'use strict';
var baseIteratee = require('./_baseIteratee'),
    baseWhile = require('./_baseWhile');

/**
 * Creates a slice of \`array\` with elements taken from the end.
 */
function takeRightWhile(array, predicate) {
  return baseWhile(array, baseIteratee(predicate, 3), false, true);
}
module.exports = takeRightWhile;
`,
    slip: ["require('./_baseWhile')", "require(`'./_baseWhile')"],
  },
  {
    // a ',' parses too (`hh, translate`), reading 'hh' as a variable nothing declares; the literal's other lines say `key: value`
    name: "a key's lost ':' in a literal written one `key: value` a line: hh translate,",
    expect: 'repaired',
    intended: `'use strict';
function translate(number, withoutSuffix, key) {
  return number + ' ' + key;
}
var relativeTime = {
  future: 'in %s',
  past: '%s ago',
  m: translate,
  mm: translate,
  h: translate,
  hh: translate,
};
module.exports = { relativeTime };
`,
    slip: ['  hh: translate,', '  hh translate,'],
  },
  {
    name: 'a mistyped declaration: conts opts = require(...)',
    expect: 'repaired',
    intended: `'use strict';
const opts = require('./x');
function get(key) {
  return opts[key];
}
module.exports = { get };
`,
    slip: ['const opts', 'conts opts'],
    files: { 'lib/x.js': 'module.exports = { a: 1 };\n' },
  },
  {
    name: "if (...) missing its '{' over an indented two-line block",
    expect: 'repaired',
    intended: `'use strict';
function check(x, log) {
  if (x > 10) {
    log('big');
    return true;
  }
  return false;
}
module.exports = { check };
`,
    slip: ['if (x > 10) {', 'if (x > 10)'],
  },
  {
    name: "for (...) missing its '{' over an indented two-line block",
    expect: 'repaired',
    intended: `'use strict';
function total(rows) {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) {
    sum += rows[i].amount;
    sum -= rows[i].discount;
  }
  return sum;
}
module.exports = { total };
`,
    slip: ['i++) {', 'i++)'],
  },
  {
    name: "an arrow typed as '=': (err, res) = {",
    expect: 'repaired',
    intended: `'use strict';
const fs = require('fs');
function read(file, done) {
  fs.readFile(file, 'utf8', (err, res) => {
    if (err) return done(err);
    done(null, res.trim());
  });
}
module.exports = { read };
`,
    slip: ['(err, res) => {', '(err, res) = {'],
  },
  {
    name: "an extra '}' line inside a function",
    expect: 'repaired',
    intended: `'use strict';
function bump(a) {
  if (a > 0) {
    a += 1;
  }
  return a;
}
module.exports = { bump };
`,
    slip: ['  }\n  return a;', '  }\n  }\n  return a;'],
  },
  {
    name: "a missing ']' in a one-line array",
    expect: 'repaired',
    intended: `'use strict';
const a = [1, 2, 3];
module.exports = { a };
`,
    slip: ['3];', '3;'],
  },
  {
    name: "a missing ']' in a multi-line array",
    expect: 'repaired',
    intended: `'use strict';
const ROUTES = [
  '/home',
  '/about',
  '/contact',
];
module.exports = { ROUTES };
`,
    slip: ['\n];', '\n;'],
  },
  {
    name: "a missing ':' in a multi-line object literal",
    expect: 'repaired',
    intended: `'use strict';
const defaults = {
  a: 1,
  b: 2,
  c: 3,
};
module.exports = { defaults };
`,
    slip: ['b: 2', 'b 2'],
  },
  {
    name: "a stray '@' in a line",
    expect: 'repaired',
    intended: `'use strict';
function price(unit, qty) {
  const total = unit * qty;
  return total;
}
module.exports = { price };
`,
    slip: ['unit * qty', 'unit *@ qty'],
  },
  {
    name: "a stray '\\' in a line",
    expect: 'repaired',
    intended: `'use strict';
function add(a, b) {
  return a + b;
}
module.exports = { add };
`,
    slip: ['a + b', 'a +\\ b'],
  },
  {
    name: "a stray '#' in a line",
    expect: 'repaired',
    intended: `'use strict';
function size(items) {
  const n = items.length;
  return n;
}
module.exports = { size };
`,
    slip: ['items.length;', 'items.length#;'],
  },
  {
    // the word the deletion leaves is written nowhere else in the file, but is a global of the language
    name: "a stray '@' typed into a global the file reads once: is@NaN",
    expect: 'repaired',
    intended: `'use strict';
var _isNaN = isNaN,
  _isFinite = isFinite;
function check(n) {
  return !_isNaN(n) && _isFinite(n);
}
module.exports = { check };
`,
    slip: ['= isNaN', '= is@NaN'],
  },
  {
    // `suffixes.c` parses too: the file subscripts `suffixes` and never reads a member of it
    name: "a lost ']' of a subscript the file writes beside it: suffixes[a] || suffixes[b] || suffixes[c",
    expect: 'repaired',
    intended: `'use strict';
var suffixes = { 1: '-inci', 5: '-inci', 3: '-üncü', 100: '-üncü' };
function ordinal(number) {
  var a = number % 10,
    b = (number % 100) - a,
    c = number >= 100 ? 100 : null;
  return number + (suffixes[a] || suffixes[b] || suffixes[c]);
}
module.exports = { ordinal };
`,
    slip: ['suffixes[c]', 'suffixes[c'],
  },
  {
    // `array.mid` parses too: `mid` is a variable of the file, never a member
    name: "a lost ']' of a subscript by a variable: computed = iteratee(array[mid",
    expect: 'repaired',
    intended: `'use strict';
function search(array, value, iteratee) {
  var low = 0,
    high = array.length;
  while (low < high) {
    var mid = (low + high) >>> 1,
      computed = iteratee(array[mid]);
    if (computed < value) low = mid + 1;
    else high = mid;
  }
  return high;
}
module.exports = { search };
`,
    slip: ['iteratee(array[mid])', 'iteratee(array[mid)'],
  },
  {
    // `(a. b) = a.index - b.index` parses too: an assignment to a target in parentheses
    name: "an arrow typed as '=' in a comparator: sort((a, b) = a.index - b.index)",
    expect: 'repaired',
    intended: `'use strict';
function ordered(results) {
  return results.sort((a, b) => a.index - b.index).map((v) => v.value);
}
module.exports = { ordered };
`,
    slip: ['(a, b) => a.index', '(a, b) = a.index'],
  },
  {
    // `; {` after the call would parse, and leave the block unguarded
    name: "a mistyped 'if' that reads as a call: f (x > limit) {",
    expect: 'repaired-or-untouched',
    intended: `'use strict';
function clamp(x, limit) {
  if (x > limit) {
    x = limit;
  }
  return x;
}
module.exports = { clamp };
`,
    slip: ['if (x > limit)', 'f (x > limit)'],
  },
  {
    // closing the quote at the line's end would turn code into the string
    name: 'a string whose quote was lost before code: typeof v === \'string ? v : String(v)',
    expect: 'repaired-or-untouched',
    intended: `'use strict';
function text(v) {
  return typeof v === 'string' ? v : String(v);
}
module.exports = { text };
`,
    slip: ["'string' ?", "'string ?"],
  },
  {
    // replacing the `;` with the `}` makes the same program; the file writes its `;`, so the repair does too
    name: "a wrapper's closing } lost before ))): the file's own ; is kept",
    expect: 'repaired',
    intended: MOMENT_WRAPPER,

    slip: ['    return sv;\n\n})));', '    return sv;\n\n)));'],
    files: { 'moment.js': `module.exports = { defineLocale: (name, config) => ({ name, config }) };\n` },
  },
  {
    // `f(x));` and `f(x))` less a `)` are one program: a doubled keystroke undone beats the file's `;` habit
    name: 'a doubled ) in a wrapper that writes no ; there: factory(global.moment))',
    expect: 'repaired',
    intended: MOMENT_WRAPPER,
    slip: ['   factory(global.moment)\n}', '   factory(global.moment))\n}'],
    files: { 'moment.js': `module.exports = { defineLocale: (name, config) => ({ name, config }) };\n` },
  },
  {
    // `i` is a loop variable here, so it is no orphan: `i (…); return` still reads as a lost `if` head
    name: "a mistyped if: i (p.includes('w')) return …",
    expect: 'repaired-or-untouched',
    intended: `'use strict';
function suffix(num, period) {
  var p = period.toLowerCase();
  for (var i = 0; i < 3; i++) num += i;
  if (p.includes('w')) return num + '.';
  return num + '-';
}
module.exports = { suffix };
`,
    slip: ["if (p.includes('w'))", "i (p.includes('w'))"],
  },
  {
    // closing the string at once (`''`) or after the space (`' '`) both parse: the text does not say which
    name: "a string's closing quote lost after a space: c === '  && !open",
    expect: 'repaired-or-untouched',
    intended: `'use strict';
function count(s) {
  var n = 0;
  var open = false;
  for (var c of s) {
    if (c === ' ' && !open) n++;
  }
  return n;
}
module.exports = { count };
`,
    slip: ["' ' &&", "'  &&"],
  },
  {
    // V8 stops inside the body; `x >= {` compares with an object literal, which no one writes
    name: "an arrow typed as '>=' before a block: limit >= {",
    expect: 'repaired',
    intended: `'use strict';
exports.default = limit => {
    return (obj, iteratee, callback) => {
        callback = callback || function () {};
        let running = 0;
        for (const key of Object.keys(obj)) {
            if (running >= limit) break;
            running += 1;
            iteratee(obj[key], callback);
        }
    };
};
module.exports = exports.default;
`,
    slip: ['limit => {', 'limit >= {'],
  },
  {
    // in a class body a lone ';' is no statement: the `;` habit does not ask for it, the '}' goes
    name: "an extra '}' line closing a class method: not made a ';'",
    expect: 'repaired',
    intended: `'use strict';
class Part {
  constructor(name) {
    this.name = name;
  }

  static escape(name) {
    return String(name).replace(/[\\r\\n"]/g, (match) => ({
      '\\r': '%0D',
      '\\n': '%0A',
      '"': '%22',
    }[match]));
  }
}

module.exports = { Part };
`,
    slip: ['    }[match]));\n  }\n}', '    }[match]));\n  }\n  }\n}'],
  },
  {
    // V8 stops at the line's start; the arrow after it is what was typed for '['
    name: "a '[' typed as '=>' in a subscript: flags.aliases=>key].push(c)",
    expect: 'repaired-or-untouched',
    intended: `'use strict';
function extend(flags, key, c) {
  flags.aliases[key] = flags.aliases[key] || [];
  if (flags.aliases[key].indexOf(c) === -1) {
    flags.aliases[key].push(c);
  }
  return flags.aliases;
}
module.exports = { extend };
`,
    slip: ['    flags.aliases[key].push(c);', '    flags.aliases=>key].push(c);'],
  },
  {
    // a '}' typed for ':' closes the object: the repair that keeps it opens a block after a regex
    name: "a ':' typed as '}' before a regex: meridiemParse} /am|pm/,",
    expect: 'repaired-or-untouched',
    intended: `'use strict';
const moment = { defineLocale: (name, config) => ({ name, config }) };
const locale = moment.defineLocale('xx', {
    longDateFormat: {
        LT: 'HH:mm',
        llll: 'YYYY-M-D HH:mm',
    },
    meridiemParse: /凌晨|早上|上午|中午|下午|晚上/,
    meridiemHour: function (hour, meridiem) {
        if (hour === 12) {
            hour = 0;
        }
        return meridiem === '凌晨' ? hour : hour + 12;
    },
});
module.exports = { locale };
`,
    slip: ['meridiemParse: /', 'meridiemParse} /'],
  },
  {
    name: 'a subscript left open: self[key = self[key] = {…}',
    expect: 'repaired-or-untouched',
    intended: `'use strict';
function accessor(self, key) {
  var internals = self[key] = self[key] = {
    accessors: {}
  };
  return internals;
}
module.exports = { accessor };
`,
    slip: ['self[key] = self', 'self[key = self'],
  },
  {
    // V8 stops at the '{' after the parameters, too far from the word for the error's window
    name: 'a mistyped function before a long parameter list: meridiem: ufnction (hour, minute, isLower) {',
    expect: 'repaired',
    intended: `'use strict';
var locale = {
  meridiemParse: /AM|PM/,
  meridiem: function (hour, minute, isLower) {
    if (hour < 12) {
      return isLower ? 'am' : 'AM';
    }
    return isLower ? 'pm' : 'PM';
  },
};
module.exports = { locale };
`,
    slip: ['meridiem: function', 'meridiem: ufnction'],
  },
  {
    // the body read as an object literal fails on its first statement, a line below the `=`
    name: 'an arrow typed as = before a body: (limit) = {⏎ return (items, iteratee) => {',
    expect: 'repaired',
    intended: `'use strict';
var eachLimit = (limit) => {
  return (items, iteratee) => {
    var out = [];
    for (var i = 0; i < items.length && i < limit; i++) out.push(iteratee(items[i]));
    return out;
  };
};
module.exports = { eachLimit };
`,
    slip: ['(limit) =>', '(limit) ='],
  },
  {
    // the block's head runs over two lines; its `}` goes at the indentation of the head's first line
    name: "an if with a head over two lines lost its closing }: it goes back at the if's indentation",
    expect: 'repaired',
    intended: `'use strict';
var baseTag = require('./base');
var getTag = baseTag;

if ((typeof Map == 'function' && getTag(new Map()) != 'map') ||
    (typeof Set == 'function' && getTag(new Set()) != 'set')) {
  getTag = function(value) {
    var result = baseTag(value);
    if (result) {
      return result;
    }
    return 'object';
  };
}

module.exports = getTag;
`,
    slip: ['}\n\nmodule', '\nmodule'],
  },
  {
    // the string's own text ends with one of the marks that end its line: the quote goes between them
    name: "a string that ends with ';' lost its quote before the line's ',': '&quot;,",
    expect: 'repaired',
    intended: `'use strict';
var escapeMap = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '\`': '&#x60;'
};
function escape(s) {
  return s.replace(/[&<>"'\`]/g, function (c) { return escapeMap[c]; });
}
module.exports = { escape };
`,
    slip: ["'&quot;',", "'&quot;,"],
  },
  {
    // the only 'return' of the file: the word the deletion leaves is known as a keyword, not from the file
    name: "a stray '#' typed into the file's one keyword of its kind: retu#rn clone(…)",
    expect: 'repaired',
    intended: `'use strict';
var clone = require('./clone');
function cloneWith(value, customizer) {
  customizer = typeof customizer == 'function' ? customizer : undefined;
  return clone(value, customizer);
}
module.exports = { cloneWith };
`,
    slip: ['return clone', 'retu#rn clone'],
  },
  {
    // its rival, `path.castFunction(u)`, reads as a property a name the file only ever writes as a variable
    name: "a lost ',' between arguments: baseUpdate(object, path castFunction(updater))",
    expect: 'repaired',
    intended: `'use strict';
var baseUpdate = require('./_baseUpdate'),
    castFunction = require('./_castFunction');

function update(object, path, updater) {
  return object == null ? object : baseUpdate(object, path, castFunction(updater));
}
module.exports = { update };
`,
    slip: ['path, castFunction', 'path castFunction'],
  },
];

function broken(c: Pick<PrecisionCase, 'intended' | 'slip'>): string {
  const [from, to] = c.slip;
  assert.equal(c.intended.split(from).length, 2, `the slip's text occurs once: ${from}`);
  return c.intended.replace(from, to);
}

/** The same tokens (whitespace and line breaks aside), read as CommonJS reads them. */
/** A token's value as text; a regular expression's is its pattern and flags. */
function tokenValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const re = v as { pattern?: string; flags?: string };
    return `/${re.pattern ?? ''}/${re.flags ?? ''}`;
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : typeof v;
}

function tokens(text: string): string[] | undefined {
  try {
    const out: string[] = [];
    for (const t of acorn.tokenizer(text, { ecmaVersion: 'latest', allowReturnOutsideFunction: true, allowHashBang: true }))
      out.push(`${t.type.label}:${tokenValue((t as { value?: unknown }).value)}`);
    return out;
  } catch {
    return undefined;
  }
}

function meant(actual: string, intended: string): boolean {
  if (actual === intended) return true;
  const a = tokens(actual);
  return a !== undefined && JSON.stringify(a) === JSON.stringify(tokens(intended));
}

describe('precision: each slip ends as what was meant, or untouched', { concurrency: 4 }, () => {
  for (const c of CASES) {
    it(`${c.name} (${c.expect})`, async () => {
      const text = broken(c);
      assert.ok(!meant(text, c.intended), 'the slip changes the tokens');
      const sb = box();
      for (const [rel, t] of Object.entries(c.files ?? {})) sb.write(rel, t);
      const file = sb.write(c.path ?? 'lib/case.js', text);
      sb.config({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { provider: 'none' } });
      const run = await sb.runJson(['run']);
      const fix = run.json.fixes.find((f: any) => f.file === file);
      assert.ok(fix, `an attempt on the file:\n${run.stdout}\n${run.stderr}`);
      const onDisk = fs.readFileSync(file, 'utf8');
      const story = `${fix.outcome} (${fix.strategy}): ${fix.reason}\n--- on disk:\n${onDisk}`;

      if (meant(onDisk, c.intended)) {
        assert.equal(fix.outcome, 'applied', story);
        assert.equal(run.code, 0, story);
        assert.equal(fix.strategy, 'deterministic');
        assert.equal(typeof fix.confidence, 'number');
        assert.ok(fix.confidence >= 0.7 && fix.confidence <= 1, story);
        assert.ok(Array.isArray(fix.evidence), 'the evidence is recorded');
        assert.deepEqual(fix.validated.slice(0, 3), ['syntax', 'exports', 'undefined-names']);
        assert.match(fix.reason, /; confidence [\d.]+; validated: syntax, exports, undefined-names$/);
        return;
      }
      assert.notEqual(c.expect, 'repaired', `not the intended text: ${onDisk === text ? 'the file was left untouched' : 'A THIRD TEXT'}\n${story}`);
      assert.ok(fs.readFileSync(file).equals(Buffer.from(text)), `a third text on disk:\n${story}`);
      assert.equal(run.code, 1, 'left for a person: exit 1');
      const log = await sb.runJson(['log']);
      const entry = log.json.find((e: any) => e.type === 'fix' && e.file === file);
      assert.ok(entry && ['proposed', 'failed'].includes(entry.outcome), `the log holds a proposed or failed entry: ${JSON.stringify(entry)}`);
      assert.equal(entry.backup, undefined, 'nothing written, nothing backed up');
    });
  }
});

// A slip that is ambiguous by nature: `return (a + b * c;` lost a `)`, but where? At the end,
// after `b` (another meaning), or the `(` is the stray one. Several repairs parse and mean
// different things, so no honest confidence is 1: with the gate at 1 the rung writes nothing.
const ambiguous = {
  intended: `'use strict';
function f(a, b, c) {
  return (a + b) * c;
}
module.exports = { f };
`,
  slip: ['(a + b) * c', '(a + b * c'] as [string, string],
};
const gateAtOne = { deterministic: { minConfidence: 1 } };

describe('the confidence gate', () => {
  let deadPort: number;
  before(async () => {
    deadPort = await closedPort();
  });

  it('the ambiguous case really is below 1 (else these tests would test nothing)', async () => {
    const checker = await SyntaxChecker.create(process.execPath, 1);
    try {
      const r = await repairInEngine(checker, broken(ambiguous), { filename: 'check.js', format: 'commonjs', maxEdits: 2, timeBudgetMs: 500 });
      assert.ok(r.ok, JSON.stringify(r));
      assert.ok(r.confidence < 1, `confidence ${r.confidence}: pick another slip that is ambiguous by nature`);
      assert.notEqual(r.text, ambiguous.intended, 'the model is needed to know which was meant');
    } finally {
      await checker.close();
    }
  });

  it('below the gate and no model: proposed with its diff, file untouched, exit 1, a backoff, not a revert', async () => {
    const sb = box();
    const text = broken(ambiguous);
    const file = sb.write('lib/check.js', text);
    sb.config({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { provider: 'ollama', baseUrl: `http://127.0.0.1:${deadPort}`, retries: 0 }, ...gateAtOne });

    // A dry run shows it as a proposal, never as "would fix".
    const dry = await sb.run(['fix', '--dry-run']);
    assert.equal(dry.code, 1);
    assert.match(dry.stdout, /^\s+proposed\s+check\.js\s+deterministic: proposed, not written: /m, dry.stdout);
    assert.doesNotMatch(dry.stdout, /would fix/);
    assert.match(dry.stdout, /^\s+-\s+return \(a \+ b \* c;$/m, 'the dry run shows the diff');
    assert.equal(sb.read('lib/check.js'), text);

    const run = await sb.runJson(['run']);
    assert.equal(run.code, 1, 'left for a person');
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'proposed', JSON.stringify(fix));
    assert.equal(fix.strategy, 'deterministic');
    assert.match(fix.reason, /^proposed, not written: .+ at 3:\d+.*; confidence 0\.\d+ below the gate 1 \(.+\); validated in memory: syntax, exports, undefined-names; /);
    assert.match(fix.reason, /model call failed/, 'the model was asked, and could not answer');
    assert.ok(fix.confidence < 1);
    assert.ok(Array.isArray(fix.evidence) && fix.evidence.length > 0, 'the evidence says why');
    assert.equal(typeof fix.rival, 'string', 'the rival is named');
    assert.deepEqual(fix.validated, ['syntax', 'exports', 'undefined-names']);
    assert.match(fix.diff, /^- {2}return \(a \+ b \* c;\n\+ {2}return .+;$/m);
    assert.equal(fix.backup, undefined, 'no backup: nothing was written');
    assert.deepEqual(fix.steps.map((s: any) => `${s.strategy.split(':')[0]}:${s.result}`), ['deterministic:proposed', 'llm:no-candidate']);
    assert.ok(fs.readFileSync(file).equals(Buffer.from(text)), 'the file is untouched');
    assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'backups')), false);

    const log = await sb.run(['log', '--diff']);
    assert.match(log.stdout, /^\s+proposed\s+check\.js\s+deterministic: proposed, not written/m, log.stdout);
    assert.match(log.stdout, /^\s+-\s+return \(a \+ b \* c;$/m, 'log --diff shows the proposal');
    const logJson = await sb.runJson(['log']);
    const entry = logJson.json.find((e: any) => e.type === 'fix');
    assert.equal(entry.outcome, 'proposed');
    assert.equal(entry.diff, fix.diff);
    assert.equal(entry.confidence, fix.confidence);
    assert.equal(entry.rival, fix.rival);

    const status = await sb.runJson(['status']);
    assert.equal(status.json.totalFixes, 0);
    assert.equal(status.json.totalReverts, 0, 'a proposal is not a revert');

    const again = await sb.runJson(['run']);
    assert.equal(again.json.fixes[0].outcome, 'skipped');
    // The model was out, so the ladder never finished: the proposal stands, and the model is
    // asked again after a short backoff rather than the cooldown.
    assert.match(again.json.fixes[0].reason, /^backoff: .*\(the model server was out\)/);
    assert.equal(again.code, 1);
  });

  it('below the gate with a model: the file goes on to the model, whose validated fix is applied', async () => {
    const server = await startModelServer({ answers: [{ text: ambiguous.intended }] });
    try {
      const sb = box();
      const file = sb.write('lib/check.js', broken(ambiguous));
      sb.config({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url }, ...gateAtOne });
      const run = await sb.runJson(['run']);
      const fix = run.json.fixes[0];
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.match(fix.strategy, /^llm:ollama:/);
      assert.equal(fs.readFileSync(file, 'utf8'), ambiguous.intended);
      assert.equal(run.code, 0);
      assert.equal(fix.steps[0].strategy, 'deterministic');
      assert.equal(fix.steps[0].result, 'proposed');
      assert.match(fix.steps[0].reason, /below the gate 1/);
      assert.equal(server.modelCalls().length, 1, 'the model was asked once');
      assert.equal(fix.confidence, undefined, "the model's fix carries no deterministic confidence");
      assert.deepEqual(fix.validated, ['syntax', 'exports', 'undefined-names']);
      assert.match(fix.reason, /; validated: syntax, exports, undefined-names$/);
    } finally {
      await server.close();
    }
  });

  it('above the gate: applied, and the reason names the steps that passed, in memory and on disk', async () => {
    const c = CASES.find((x) => x.name.startsWith("an arrow"))!;
    const sb = box();
    const file = sb.write('lib/read.js', broken(c));
    sb.config({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, validators: ['syntax', 'exports', 'undefined-names', 'load'], deterministic: { minConfidence: 0 } });
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(fs.readFileSync(file, 'utf8'), c.intended);
    assert.deepEqual(fix.validated, ['syntax', 'exports', 'undefined-names', 'load']);
    assert.match(fix.reason, /^replaced '=' with '=>' at 4:40.*; confidence [\d.]+; validated: syntax, exports, undefined-names, load$/);
  });

  it('the config section: defaults, and errors that name the key', async () => {
    const sb = box();
    const c = resolveConfig({ pm2Logs: false }, { file: undefined, baseDir: sb.app });
    assert.deepEqual(c.deterministic, { minConfidence: 0.7, maxEdits: 2, timeBudgetMs: 500 });
    sb.write('ok.js', '1;\n');
    for (const [value, message] of [
      [{ minConfidence: 1.5 }, /deterministic\.minConfidence: /],
      [{ maxEdits: 0 }, /deterministic\.maxEdits: /],
      [{ timeBudgetMs: -1 }, /deterministic\.timeBudgetMs: /],
      [{ minConfidance: 0.5 }, /deterministic\.minConfidance: unknown key/],
    ] as const) {
      sb.config({ pm2Logs: false, deterministic: value });
      const r = await sb.run(['scan']);
      assert.equal(r.code, 2, JSON.stringify(value));
      assert.match(r.stderr, message);
    }
  });
});

describe('the ladder with a held-back proposal (in process)', () => {
  let checker: SyntaxChecker;
  before(async () => {
    checker = await SyntaxChecker.create(process.execPath, 1);
  });
  after(() => checker.close());

  function setup(text: string, extra: object = {}) {
    const sb = box();
    const file = sb.write('lib/m.js', text);
    const config = resolveConfig({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, ...extra }, { file: undefined, baseDir: sb.app });
    const bug: Bug = { id: 'b1', file, kind: 'syntax', line: 1, column: 1, message: 'x', errorType: 'SyntaxError', priority: 100, source: 'syntax', detail: 'x' };
    const ctx = (ladder: Repairer[]) => ({ config, checker, ladder, validators: validatorsByName(config.validators), journal: journalFor(config), clock: systemClock, dryRun: false });
    return { sb, file, bug, config, ctx };
  }
  const holding = (text: string): Repairer => ({
    name: 'held',
    description: 'holds its candidate back',
    handles: ['syntax'],
    repair() {
      return Promise.resolve({ ok: false, strategy: 'held', reason: 'held back', proposal: { text, note: 'a change', held: 'confidence 0.5 below the gate 0.7', confidence: 0.5, evidence: ['a rival parses'], rival: 'another change' } });
    },
  });
  const offering = (text: string): Repairer => ({
    name: 'offer',
    description: 'offers a candidate',
    handles: ['syntax'],
    repair() {
      return Promise.resolve({ ok: true, strategy: 'offer', text, note: 'its change' });
    },
  });

  it('the deterministic rung holds back a repair below its gate, and offers one at or above it', async () => {
    const text = broken(CASES.find((c) => c.name.startsWith('if (...)'))!);
    const real = await repairInEngine(checker, text, { filename: 'm.js', format: 'commonjs' });
    assert.ok(real.ok);
    const at = (confidence: number) => ({ call: () => Promise.resolve({ ...real, confidence, evidence: ['one edit'], rival: "deleted '}' at 6:3" }) }) as unknown as SyntaxChecker;
    const input = { bug: { kind: 'syntax' } as Bug, original: text, file: 'm.js', format: 'commonjs' as const };
    const low = await deterministicRepairer(at(0.6999), { maxEdits: 2, timeBudgetMs: 500, minConfidence: 0.7 }).repair(input);
    assert.equal(low.ok, false);
    assert.ok(!low.ok && low.proposal);
    assert.equal(low.proposal.text, real.text);
    assert.equal(low.reason, `confidence 0.6999 below the gate 0.7 (one edit; rival: deleted '}' at 6:3), not written: ${real.note}`);
    const ok = await deterministicRepairer(at(0.7), { maxEdits: 2, timeBudgetMs: 500, minConfidence: 0.7 }).repair(input);
    assert.ok(ok.ok && ok.confidence === 0.7 && ok.rival === "deleted '}' at 6:3");
  });

  it('a proposal that fails validation is not proposed, and the reason says so', async () => {
    const { file, bug, ctx } = setup('module.exports = { a: (1 };\n');
    const entry = await fixBug(bug, ctx([holding('module.exports = { a: (1, missing) };\n')]));
    assert.equal(entry.outcome, 'failed', entry.reason);
    assert.match(entry.reason, /the held proposal \(a change\) failed validation too \(undefined-names: introduces undefined name: missing \(line 1\)\), so it is not proposed/);
    assert.equal(entry.diff, undefined);
    assert.equal(entry.confidence, undefined);
    assert.equal(fs.readFileSync(file, 'utf8'), 'module.exports = { a: (1 };\n');
  });

  it('a proposal beats a later candidate that failed validation: proposed, with that rejection in the reason', async () => {
    const { file, bug, ctx } = setup('module.exports = { a: (1 };\n');
    const entry = await fixBug(bug, ctx([holding('module.exports = { a: (1) };\n'), offering('module.exports = { a: missing };\n')]));
    assert.equal(entry.outcome, 'proposed', entry.reason);
    assert.equal(entry.strategy, 'held');
    assert.match(entry.reason, /^proposed, not written: a change; confidence 0\.5 below the gate 0\.7; validated in memory: syntax, exports, undefined-names; offer: undefined-names: introduces undefined name: missing/);
    assert.equal(entry.confidence, 0.5);
    assert.deepEqual(entry.evidence, ['a rival parses']);
    assert.equal(entry.rival, 'another change');
    assert.match(entry.diff!, /^\+module\.exports = \{ a: \(1\) \};$/m);
    assert.equal(entry.backup, undefined);
    assert.equal(fs.readFileSync(file, 'utf8'), 'module.exports = { a: (1 };\n');
  });

  it('a later rung that fixes the file wins over the proposal', async () => {
    const { file, bug, ctx } = setup('module.exports = { a: (1 };\n');
    const entry = await fixBug(bug, ctx([holding('module.exports = { a: (1) };\n'), offering('module.exports = { a: 1 };\n')]));
    assert.equal(entry.outcome, 'applied', entry.reason);
    assert.equal(entry.strategy, 'offer');
    assert.equal(entry.reason, 'its change; validated: syntax, exports, undefined-names');
    assert.equal(fs.readFileSync(file, 'utf8'), 'module.exports = { a: 1 };\n');
  });
});

describe('undefined-names: the baseline of a file that does not parse', () => {
  const good = `'use strict';
function sum(items) {
  let total = 0;
  for (const x of items) total += x;
  return total;
}
module.exports = { sum, log: () => logger.info('x') };
`;
  const slipped = good.replace('  return total;', '  retrun total;');
  const check = (before: string, after: string, lastGood?: string) =>
    undefinedNamesValidator.validate({ before, after, format: 'commonjs', ...(lastGood !== undefined ? { lastGood } : {}) } as Parameters<typeof undefinedNamesValidator.validate>[0]);

  it('with no last good version: a name on a line the fix changed does not count as already undefined', async () => {
    const r = await check(slipped, slipped.replace('retrun total;', 'retrun, total;'));
    assert.deepEqual(r, { ok: false, reason: 'introduces undefined name: retrun (line 5)' });
    assert.deepEqual(await check(slipped, good), { ok: true }, 'logger is used on a line the fix left alone: already undefined');
  });

  it('with the last good version: its undefined names are the baseline', async () => {
    const r = await check(slipped, slipped.replace('retrun total;', 'retrun, total;'), good);
    assert.deepEqual(r, { ok: false, reason: 'introduces undefined name: retrun (line 5)' });
    assert.deepEqual(await check(slipped, good, good), { ok: true });
    // A name the last good version did not use, written since on a line the fix left alone, is
    // someone's edit, not the fix's doing.
    const edited = slipped.replace("'use strict';", "'use strict';\nmetrics.count('load');");
    assert.deepEqual(await check(edited, edited.replace('retrun total;', 'return total;'), good), { ok: true });
    // But the fix may not bring in a name neither had.
    const r2 = await check(slipped, good.replace('return total;', 'return totl;'), good);
    assert.deepEqual(r2, { ok: false, reason: 'introduces undefined name: totl (line 5)' });
  });

  it('the last good version is settled from git HEAD once, with the export reference', async () => {
    const sb = box();
    const file = sb.write('lib/sum.js', good);
    assert.equal(sb.git('init', '-q'), 0);
    assert.equal(sb.git('add', '.'), 0);
    assert.equal(sb.git('commit', '-qm', 'good'), 0);
    const bug = { id: 'b', file, kind: 'syntax', line: 5, column: 3, message: 'x', errorType: 'SyntaxError', priority: 100, source: 'syntax', detail: 'x' } as Bug;
    const near = await settleReference(bug, slipped, 'commonjs');
    assert.equal(near.lastGood, good);
    assert.deepEqual(near.bug.lastGoodExports, ['log', 'sum']);
    const far = await settleReference(bug, 'retrun 1;\n'.repeat(20), 'commonjs');
    assert.equal(far.lastGood, undefined, 'another file: no last good version');
  });
});

// Trees a reader knows no one meant, read off the repair (src/repair/deterministic/precision.ts):
// through the CLI with no model, the repair that makes one is held back, the file untouched.
/**
 * `mechanic run` with no model on `intended` with `from` typed as `to`: the file ends as meant
 * (applied), or untouched (exit 1, proposed) with evidence matching `evidence`.
 */
async function heldBack(intended: string, from: string, to: string, evidence: RegExp): Promise<void> {
  return heldBackAll(intended, [[from, to]], evidence);
}

/**
 * heldBack with several slips, each `from` found exactly once in the text as the slips before it
 * left it; `outcomes`: the fix's outcomes that leave the file untouched here (a held-back proposal
 * that then fails validation ends 'failed').
 */
async function heldBackAll(intended: string, slips: [from: string, to: string][], evidence: RegExp, outcomes: readonly string[] = ['proposed']): Promise<void> {
  const text = slips.reduce((t, [from, to]) => broken({ intended: t, slip: [from, to] }), intended);
  const sb = box();
  const file = sb.write('lib/case.js', text);
  sb.config({ roots: ['lib'], pm2Logs: false, stateDir: '../state', llm: { provider: 'none' } });
  const run = await sb.runJson(['run']);
  const fix = run.json.fixes.find((f: any) => f.file === file);
  assert.ok(fix, `an attempt on the file:\n${run.stdout}\n${run.stderr}`);
  const story = `${fix.outcome}: ${fix.reason}\n${JSON.stringify(fix.evidence)}`;
  const onDisk = fs.readFileSync(file, 'utf8');
  if (meant(onDisk, intended)) return assert.equal(fix.outcome, 'applied', story);
  assert.equal(onDisk, text, `untouched: ${story}`);
  assert.equal(run.code, 1, story);
  assert.ok(outcomes.includes(fix.outcome), story);
  // a proposal that failed validation keeps its evidence in the reason
  assert.ok([...(fix.evidence ?? []), fix.reason].some((e: string) => evidence.test(e)), `the evidence says why: ${story}`);
}

describe('precision: a key written twice, a statement left to ASI in a file of semicolons', { concurrency: 2 }, () => {
  it("a lost ':' read as a ',' that writes the key twice (`{ months, months }`): not written", () =>
    heldBack(
      `'use strict';
var months = ['a', 'b'];
function locale() {
  return {
    months: months,
    monthsShort: months,
    weekdays: ['x'],
  };
}
module.exports = { locale };
`,
      'months: months,',
      'months months,',
      /writes a key twice in one object literal/,
    ));

  it("a ';' typed as '.' at a line's end, repaired by deleting it, in a file that ends every statement with ';': not written", () =>
    heldBack(
      `'use strict';
var stringTag = '[object String]',
    weakMapTag = '[object WeakMap]';

var arrayBufferTag = '[object ArrayBuffer]';
function tagOf(value) {
  var tag = value === 1 ? stringTag : weakMapTag;
  return tag;
}
module.exports = { tagOf, arrayBufferTag };
`,
      "'[object WeakMap]';",
      "'[object WeakMap]'.",
      /ends a statement with no ';' at the edit/,
    ));

  it("the same '.' deleted in a file that leaves statements to ASI: written (its habit, not a slip)", async () => {
    const intended = `'use strict'
var stringTag = '[object String]',
    weakMapTag = '[object WeakMap]'

var arrayBufferTag = '[object ArrayBuffer]'
function tagOf(value) {
  var tag = value === 1 ? stringTag : weakMapTag
  return tag
}
module.exports = { tagOf, arrayBufferTag }
`;
    const text = broken({ intended, slip: ["'[object WeakMap]'\n", "'[object WeakMap]'.\n"] });
    const checker = await SyntaxChecker.create(process.execPath, 1);
    try {
      const repair = await repairInEngine(checker, text, { filename: 'case.js', format: 'commonjs' });
      assert.ok(repair.ok, JSON.stringify(repair));
      assert.equal(repair.text, intended, JSON.stringify(repair));
      assert.ok(!repair.evidence.some((e) => /ends a statement with no ';'/.test(e)), JSON.stringify(repair.evidence));
    } finally {
      await checker.close();
    }
  });

  it("a '}' lost before an 'else' that then pairs with a deeper 'if': not written", () =>
    heldBack(
      `'use strict';
function throttle(func, wait) {
  var timeout = null, previous = 0, result;
  return function() {
    var now = Date.now();
    var remaining = wait - (now - previous);
    if (remaining <= 0 || remaining > wait) {
      if (timeout) {
        clearTimeout(timeout);
        timeout = null;
      }
      previous = now;
      result = func.apply(this, arguments);
      if (!timeout) previous = 0;
    } else if (!timeout) {
      timeout = setTimeout(function() { timeout = null; }, remaining);
    }
    return result;
  };
}
module.exports = { throttle };
`,
      '    } else if',
      '     else if',
      /pairs an 'else' with an 'if' indented deeper than it/,
    ));

  it("a ';' typed as ')' before a block's end (`))⏎}`), in a file that ends every statement with ';': not written", () =>
    heldBack(
      `'use strict';
var hoursOf = require('./hours');
var calendar = {
  sameDay: function () {
    var h = hoursOf(this);
    return (
      '[Oggi a' +
      (h > 1 ? 'lle ' : 'l') +
      ']LT'
    );
  },
  nextDay: function () {
    var h = hoursOf(this);
    return '[Domani a' + (h > 1 ? 'lle ' : 'l') + ']LT';
  },
};
module.exports = { calendar };
`,
      '    );',
      '    ))',
      /ends a statement with no ';' at the edit/,
    ));

  it("a '(' doubled in a wrapper's call, closed at the file's end: a comma expression the file never writes, not written", () =>
    heldBack(MOMENT_WRAPPER, '}(this, (function', '}((this, (function', /makes a comma expression/));

  it("a lost '(' repaired by deleting the line's last ')', where the file writes the same line with the '(' for each unit: not written", () =>
    heldBack(
      `'use strict';

function plural(n) {
    return n > 1 && n < 5;
}
function translate(number, withoutSuffix, key, isFuture) {
    var result = number + ' ';
    switch (key) {
        case 's': // a few seconds / in a few seconds / a few seconds ago
            return withoutSuffix || isFuture ? 'pár sekúnd' : 'pár sekundami';
        case 'ss': // 9 seconds / in 9 seconds / 9 seconds ago
            if (withoutSuffix || isFuture) {
                return result + (plural(number) ? 'sekundy' : 'sekúnd');
            } else {
                return result + 'sekundami';
            }
        case 'm': // a minute / in a minute / a minute ago
            return withoutSuffix ? 'minúta' : isFuture ? 'minútu' : 'minútou';
        case 'mm': // 9 minutes / in 9 minutes / 9 minutes ago
            if (withoutSuffix || isFuture) {
                return result + (plural(number) ? 'minúty' : 'minút');
            } else {
                return result + 'minútami';
            }
        case 'h': // an hour / in an hour / an hour ago
            return withoutSuffix ? 'hodina' : isFuture ? 'hodinu' : 'hodinou';
        case 'hh': // 9 hours / in 9 hours / 9 hours ago
            if (withoutSuffix || isFuture) {
                return result + (plural(number) ? 'hodiny' : 'hodín');
            } else {
                return result + 'hodinami';
            }
        case 'd': // a day / in a day / a day ago
            return withoutSuffix || isFuture ? 'deň' : 'dňom';
        case 'dd': // 9 days / in 9 days / 9 days ago
            if (withoutSuffix || isFuture) {
                return result + (plural(number) ? 'dni' : 'dní');
            } else {
                return result + 'dňami';
            }
        case 'M': // a month / in a month / a month ago
            return withoutSuffix || isFuture ? 'mesiac' : 'mesiacom';
        case 'MM': // 9 months / in 9 months / 9 months ago
            if (withoutSuffix || isFuture) {
                return result + (plural(number) ? 'mesiace' : 'mesiacov');
            } else {
                return result + 'mesiacmi';
            }
        case 'y': // a year / in a year / a year ago
            return withoutSuffix || isFuture ? 'rok' : 'rokom';
        case 'yy': // 9 years / in 9 years / 9 years ago
            if (withoutSuffix || isFuture) {
                return result + (plural(number) ? 'roky' : 'rokov');
            } else {
                return result + 'rokmi';
            }
    }
}

module.exports = { translate };
`,
      "result + (plural(number) ? 'hodiny'",
      "result + plural(number) ? 'hodiny'",
      /repairs line 29 otherwise than the file writes its twin \(line 13: /,
    ));

  it("a lost '(' of a method's call repaired by deleting a ')': not written", () =>
    heldBack(
      `'use strict';
function startOf(d) {
  var time;
  time = make(d.year(), d.month(), d.date());
  time = time - (d.date() % 7);
  return time + d.month() + d.year() + d.date();
}
function make(y, m, day) {
  return y * 400 + m * 31 + day;
}
module.exports = { startOf };
`,
      'd.month(), d.date())',
      'd.month(), d.date))',
      /reads a method as a value at the edit \('\.date'\)/,
    ));
});

// Two-slip files where each edit was the only repair of its slip given the other (bench:repair,
// issue 12): what the file itself says against the repair, each shape in a small file.
const PRECISION_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'precision');
const fixture = (name: string): string => fs.readFileSync(path.join(PRECISION_FIXTURES, name), 'utf8');

describe('precision: what the rest of the file says against a repair', { concurrency: 2 }, () => {
  it("a lost ']' of a subscript repaired by deleting the list's '[' (a comma list as a subscript further on the line): not written", () =>
    heldBack(fixture('comma-subscript.js'), 'throttled[0]({', 'throttled[0({', /reads a subscript of a comma list/));

  it("a lost '.' read as a ';' that leaves a method name as a variable (`split(x);join(y)`): not written", () =>
    heldBack(fixture('member-as-variable.js'), "split('\\n').join(", "split('\\n')join(", /reads 'join' at the edit as a variable, which nothing declares/));

  it("a '(' typed as '.' (`baseRest.function(a, b) {`) read as an arrow: not written", () =>
    heldBack(fixture('keyword-member.js'), 'baseRest(function', 'baseRest.function', /leaves a keyword read as a property on the edit's line \('\.function'\)/));

  it("a ')' doubled after a call inside parentheses, repaired at the far end (`(this.hours()) !== 1`): not written", () =>
    heldBack(fixture('call-in-parens.js'), "(this.hours() !== 1 ? 's' : '') +\n            '] LT'", "(this.hours()) !== 1 ? 's' : '') +\n            '] LT'", /leaves a call alone in its own parentheses/));

  it("a ',' typed as '.' after a literal's last entry, repaired by deleting it, in a file of trailing commas: not written", () =>
    heldBack(fixture('trailing-commas.js'), '    },\n});', '    }.\n});', /ends a literal over several lines with no ',' after its last entry/));

  it("a declaration list's ',' lost and its ';' typed as '.', repaired by one ')' (`require('./a',⏎ b = require('./b'))`): not written", () =>
    heldBackAll(
      fixture('declaration-list.js'),
      [
        ["require('./_baseIteratee'),", "require('./_baseIteratee',"],
        ["require('./_baseWhile');", "require('./_baseWhile')."],
      ],
      /passes an assignment as a call's argument/,
    ));

  it("a mistyped 'function' and an extra '}', repaired by a '{' that makes the typo a method name: not written", () =>
    heldBackAll(
      fixture('mistyped-method.js'),
      [
        ['isPM: function (input)', 'isPM: functioon (input)'],
        ["        sameElse: 'L',\n    },", "        sameElse: 'L',\n    }},"],
      ],
      /keeps 'functioon' on the edit's line, a keyword garbled/,
    ));

  it("a '{' typed after a '.' and an extra '}', repaired by a ';' that opens a bare block (`obj;{__esModule ? …`): not written", () =>
    heldBackAll(
      fixture('interop.js'),
      [
        ['obj && obj.__esModule', 'obj && obj.{__esModule'],
        ['        iteratee(next);\n    }\n', '        iteratee(next);\n    }\n    }\n'],
      ],
      /leaves a bare block opening on the line of the statement before it/,
      // the proposal reads `__esModule` as a variable: undefined-names fails it too
      ['proposed', 'failed'],
    ));

  it("a literal's '}' lost and an extra '}' far below, repaired by deleting the ';' between (a one-line function left open over the next ones): not written", () =>
    heldBackAll(
      fixture('flat-block.js'),
      [
        ['{ default: obj }; }', '{ default: obj ; }'],
        ['        callback(err);\n    }\n\n    return', '        callback(err);}\n    }\n\n    return'],
      ],
      /opens a block on line 6 of the repair that holds lines indented no deeper than that line/,
    ));

  it("a '.' typed as '(' after `this` (`throw this(reason;`), closed with a ')': not written", () =>
    heldBack(fixture('this-member.js'), 'throw this.reason;', 'throw this(reason;', /calls `this`/));
});
