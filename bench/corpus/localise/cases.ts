/**
 * The corpus of bench:localise: small Node projects that crash for real when run, each modelled on
 * a kind of crash report that recurs in the issue trackers of popular Node projects, with the fix
 * a maintainer made (`fix`: replacements in the project's files). Cases with `deps` use real
 * packages at pinned versions, fetched from the npm registry into .cache/ by the bench: the
 * package throws on a bad argument and the fix is in the project's caller.
 *
 * `basis` says what real report the case is modelled on. `long`: lines of unrelated code the
 * bench adds to the end of the named file, so that it is not shown whole.
 */
import { REAL_CASES_A } from './real-a.js';
import { REAL_CASES_B } from './real-b.js';
export interface LocaliseCase {
  name: string;
  basis: string;
  /** The file run with node (its stderr is the error log). */
  entry: string;
  /** The error the run must end with (a regular expression): the crash the case is about, not another. */
  expect: string;
  files: Record<string, string>;
  fix: Array<{ file: string; from: string; to: string }>;
  deps?: Record<string, string>;
  long?: Record<string, number>;
  /**
   * A real bug of a published package, not one modelled on a kind: the package at `broken` (from
   * the npm registry) is the project, as its maintainer runs it, and `files` only add the
   * reproduction the report gave. `fix` holds the hunks of the diff between the `broken` and `fixed`
   * versions' files that fix the crash; the bench checks that each `to` is in the fixed version.
   */
  real?: { issue: string; package: string; broken: string; fixed: string };
}

export const CASES: LocaliseCase[] = [
  {
    name: 'helper reads a property of an undefined argument; the caller passes the wrong field',
    basis: 'Cannot read properties of undefined (reading ...) in a shared formatter, fixed in the caller (a renamed field)',
    entry: 'run.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'first'\\)",
    files: {
      'lib/format.js': `'use strict';\nfunction fullName(user) {\n  return user.first + ' ' + user.last;\n}\nfunction initials(user) {\n  return user.first[0] + user.last[0];\n}\nmodule.exports = { fullName, initials };\n`,
      'lib/orders.js': `'use strict';\nconst { fullName } = require('./format');\nfunction summary(order) {\n  const who = fullName(order.customer);\n  return who + ': ' + order.items.length + ' items';\n}\nmodule.exports = { summary };\n`,
      'lib/users.js': `'use strict';\nconst { fullName, initials } = require('./format');\nfunction card(u) {\n  return initials(u) + ' ' + fullName(u);\n}\nmodule.exports = { card };\n`,
      'run.js': `const { summary } = require('./lib/orders');\nconsole.log(summary({ buyer: { first: 'Ada', last: 'L' }, items: [] }));\n`,
    },
    fix: [{ file: 'lib/orders.js', from: 'fullName(order.customer)', to: 'fullName(order.buyer)' }],
    long: { 'lib/orders.js': 300 },
  },
  {
    name: 'x.map is not a function: an API answer wrapped in an object',
    basis: '"TypeError: data.map is not a function" after an API started returning { items: [...] }',
    entry: 'run.js',
    expect: "TypeError: data.map is not a function",
    files: {
      'lib/api.js': `'use strict';\nfunction fetchItems() {\n  return { items: [{ id: 1 }, { id: 2 }], next: null };\n}\nmodule.exports = { fetchItems };\n`,
      'lib/report.js': `'use strict';\nconst { fetchItems } = require('./api');\nfunction ids() {\n  const data = fetchItems();\n  return data.map((x) => x.id);\n}\nmodule.exports = { ids };\n`,
      'run.js': `console.log(require('./lib/report').ids());\n`,
    },
    fix: [{ file: 'lib/report.js', from: 'return data.map((x) => x.id);', to: 'return data.items.map((x) => x.id);' }],
    long: { 'lib/report.js': 250 },
  },
  {
    name: 'a ReferenceError from a typo',
    basis: '"ReferenceError: reslut is not defined" reports (typos that only a code path reaches)',
    entry: 'run.js',
    expect: "ReferenceError: reslut is not defined",
    files: {
      'lib/sum.js': `'use strict';\nfunction total(rows) {\n  let result = 0;\n  for (const r of rows) result += r.amount;\n  return reslut;\n}\nmodule.exports = { total };\n`,
      'run.js': `console.log(require('./lib/sum').total([{ amount: 2 }]));\n`,
    },
    fix: [{ file: 'lib/sum.js', from: 'return reslut;', to: 'return result;' }],
  },
  {
    name: 'JSON.parse of an empty config file',
    basis: '"SyntaxError: Unexpected end of JSON input" when a config or cache file is empty',
    entry: 'run.js',
    expect: "SyntaxError: Unexpected end of JSON input",
    files: {
      'config/settings.json': '',
      'lib/config.js': `'use strict';\nconst fs = require('fs');\nconst path = require('path');\nfunction loadConfig(dir) {\n  const file = path.join(dir, 'settings.json');\n  const text = fs.readFileSync(file, 'utf8');\n  return JSON.parse(text);\n}\nmodule.exports = { loadConfig };\n`,
      'run.js': `const { loadConfig } = require('./lib/config');\nconsole.log(loadConfig(__dirname + '/config'));\n`,
    },
    fix: [{ file: 'lib/config.js', from: '  return JSON.parse(text);', to: "  return text.trim() ? JSON.parse(text) : {};" }],
  },
  {
    name: 'Invalid URL from a missing environment variable',
    basis: '"TypeError [ERR_INVALID_URL]: Invalid URL" when BASE_URL is unset, fixed where the URL is built',
    entry: 'run.js',
    expect: "TypeError.*Invalid URL",
    files: {
      'lib/client.js': `'use strict';\nfunction endpoint(base, route) {\n  return new URL(route, base).href;\n}\nmodule.exports = { endpoint };\n`,
      'lib/settings.js': `'use strict';\nmodule.exports = { base: process.env.SERVICE_BASE_URL };\n`,
      'lib/jobs.js': `'use strict';\nconst { endpoint } = require('./client');\nconst settings = require('./settings');\nfunction jobsUrl() {\n  return endpoint(settings.base, '/jobs');\n}\nfunction healthUrl() {\n  return endpoint(settings.base, '/health');\n}\nmodule.exports = { jobsUrl, healthUrl };\n`,
      'run.js': `console.log(require('./lib/jobs').jobsUrl());\n`,
    },
    fix: [{ file: 'lib/settings.js', from: 'base: process.env.SERVICE_BASE_URL', to: "base: process.env.SERVICE_BASE_URL || 'http://127.0.0.1:8080'" }],
  },
  {
    name: 'this lost in a timer callback',
    basis: '"Cannot read properties of undefined (reading ...)" in a method passed as a callback (setInterval(this.tick, ...))',
    entry: 'run.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'count'\\)",
    files: {
      'lib/poller.js': `'use strict';\nclass Poller {\n  constructor(intervalMs) {\n    this.intervalMs = intervalMs;\n    this.state = { count: 0 };\n  }\n  start() {\n    this.timer = setTimeout(this.tick, this.intervalMs);\n  }\n  tick() {\n    this.state.count++;\n    console.log('tick', this.state.count);\n  }\n}\nmodule.exports = { Poller };\n`,
      'run.js': `const { Poller } = require('./lib/poller');\nnew Poller(5).start();\n`,
    },
    fix: [{ file: 'lib/poller.js', from: 'setTimeout(this.tick, this.intervalMs)', to: 'setTimeout(() => this.tick(), this.intervalMs)' }],
    long: { 'lib/poller.js': 200 },
  },
  {
    name: 'off by one in a loop a few lines above the throw',
    basis: '"Cannot read properties of undefined" at arr[i].field, with the fix in the loop bound',
    entry: 'run.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'name'\\)",
    files: {
      'lib/table.js': `'use strict';\nfunction render(rows) {\n  const out = [];\n  for (let i = 0; i <= rows.length; i++) {\n    const row = rows[i];\n    const cells = [];\n    cells.push(String(i + 1));\n    cells.push(row.name.padEnd(10));\n    cells.push(String(row.qty));\n    out.push(cells.join(' | '));\n  }\n  return out.join('\\n');\n}\nmodule.exports = { render };\n`,
      'run.js': `console.log(require('./lib/table').render([{ name: 'a', qty: 1 }]));\n`,
    },
    fix: [{ file: 'lib/table.js', from: 'i <= rows.length', to: 'i < rows.length' }],
    long: { 'lib/table.js': 300 },
  },
  {
    name: 'Invalid time value from a date helper; the caller passes the wrong field',
    basis: '"RangeError: Invalid time value" from toISOString() in a shared date formatter',
    entry: 'run.js',
    expect: "RangeError: Invalid time value",
    files: {
      'lib/dates.js': `'use strict';\nfunction isoDay(value) {\n  return new Date(value).toISOString().slice(0, 10);\n}\nmodule.exports = { isoDay };\n`,
      'lib/events.js': `'use strict';\nconst { isoDay } = require('./dates');\nfunction label(ev) {\n  return ev.title + ' on ' + isoDay(ev.date);\n}\nfunction created(ev) {\n  return isoDay(ev.createdAt);\n}\nmodule.exports = { label, created };\n`,
      'run.js': `console.log(require('./lib/events').label({ title: 'launch', startsAt: '2024-05-01' }));\n`,
    },
    fix: [{ file: 'lib/events.js', from: 'isoDay(ev.date)', to: 'isoDay(ev.startsAt)' }],
  },
  {
    name: 'an unhandled rejection in an async function',
    basis: 'unhandled rejection "Cannot read properties of undefined" after an await that returns nothing',
    entry: 'run.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'email'\\)",
    files: {
      'lib/store.js': `'use strict';\nconst users = new Map([[1, { id: 1, email: 'a@x' }]]);\nasync function findUser(id) {\n  return users.get(id);\n}\nmodule.exports = { findUser };\n`,
      'lib/mailer.js': `'use strict';\nconst { findUser } = require('./store');\nasync function notify(id) {\n  const user = await findUser(id);\n  return 'mail to ' + user.email;\n}\nmodule.exports = { notify };\n`,
      'run.js': `require('./lib/mailer').notify(2).then(console.log);\n`,
    },
    fix: [{ file: 'lib/mailer.js', from: "  return 'mail to ' + user.email;", to: "  if (!user) return 'no such user';\n  return 'mail to ' + user.email;" }],
  },
  {
    name: 'a missing named export in an ES module',
    basis: '"SyntaxError: The requested module ... does not provide an export named ..." after a rename',
    entry: 'run.mjs',
    expect: "SyntaxError: The requested module './math.mjs' does not provide an export named 'sum'",
    files: {
      'lib/math.mjs': `export function addAll(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n`,
      'lib/stats.mjs': `import { sum } from './math.mjs';\nexport function mean(xs) {\n  return sum(xs) / xs.length;\n}\n`,
      'run.mjs': `import { mean } from './lib/stats.mjs';\nconsole.log(mean([1, 2, 3]));\n`,
    },
    fix: [
      { file: 'lib/stats.mjs', from: "import { sum } from './math.mjs';", to: "import { addAll as sum } from './math.mjs';" },
    ],
  },
  {
    name: 'an unhandled error event',
    basis: '"Unhandled \'error\' event" from an EventEmitter with no error listener',
    entry: 'run.js',
    expect: "Unhandled 'error' event|Error: job without id",
    files: {
      'lib/queue.js': `'use strict';\nconst { EventEmitter } = require('events');\nclass Queue extends EventEmitter {\n  push(job) {\n    if (!job.id) {\n      this.emit('error', new Error('job without id'));\n      return;\n    }\n    this.emit('job', job);\n  }\n}\nmodule.exports = { Queue };\n`,
      'lib/worker.js': `'use strict';\nconst { Queue } = require('./queue');\nfunction startWorker() {\n  const q = new Queue();\n  q.on('job', (j) => console.log('job', j.id));\n  return q;\n}\nmodule.exports = { startWorker };\n`,
      'run.js': `const q = require('./lib/worker').startWorker();\nq.push({ id: 1 });\nq.push({});\n`,
    },
    fix: [{ file: 'lib/worker.js', from: "  q.on('job', (j) => console.log('job', j.id));", to: "  q.on('job', (j) => console.log('job', j.id));\n  q.on('error', (e) => console.error('queue:', e.message));" }],
  },
  {
    name: 'a fix three frames up: the router passes the wrong argument down',
    basis: 'a crash deep in a handler chain whose cause is the argument the router passed',
    entry: 'run.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'toUpperCase'\\)",
    files: {
      'lib/render.js': `'use strict';\nfunction page(ctx) {\n  return '<h1>' + ctx.title.toUpperCase() + '</h1>';\n}\nfunction item(ctx) {\n  return '<li>' + ctx.title + '</li>';\n}\nmodule.exports = { page, item };\n`,
      'lib/handlers.js': `'use strict';\nconst render = require('./render');\nfunction show(ctx) {\n  return render.page(ctx);\n}\nfunction list(ctxs) {\n  return ctxs.map(render.item).join('');\n}\nmodule.exports = { show, list };\n`,
      'lib/router.js': `'use strict';\nconst handlers = require('./handlers');\nfunction route(req) {\n  if (req.path === '/show') return handlers.show({ name: req.query.title });\n  return handlers.list([]);\n}\nmodule.exports = { route };\n`,
      'run.js': `console.log(require('./lib/router').route({ path: '/show', query: { title: 'x' } }));\n`,
    },
    fix: [{ file: 'lib/router.js', from: 'handlers.show({ name: req.query.title })', to: 'handlers.show({ title: req.query.title })' }],
  },
  {
    name: 'the fix 30 lines above the throw in a long function',
    basis: 'a crash late in a long request handler whose cause is a default set wrongly at its top',
    entry: 'run.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'limit'\\)",
    files: {
      'lib/handler.js': `'use strict';\nfunction handle(req) {\n  const opts = req.options || null;\n${Array.from({ length: 30 }, (_, i) => `  const step${i} = ${i} * 2; // preparing part ${i} of the answer`).join('\n')}\n  const limit = opts.limit || 10;\n  return { limit, steps: step29 };\n}\nmodule.exports = { handle };\n`,
      'run.js': `console.log(require('./lib/handler').handle({}));\n`,
    },
    fix: [{ file: 'lib/handler.js', from: 'const opts = req.options || null;', to: 'const opts = req.options || {};' }],
    long: { 'lib/handler.js': 300 },
  },
  {
    name: 'destructuring an undefined argument in a helper with two callers',
    basis: '"TypeError: Cannot destructure property \'id\' of \'undefined\' as it is undefined."',
    entry: 'run.js',
    expect: "TypeError: Cannot destructure property 'id' of 'undefined'",
    files: {
      'lib/keys.js': `'use strict';\nfunction cacheKey({ id, version }) {\n  return id + '@' + version;\n}\nmodule.exports = { cacheKey };\n`,
      'lib/cache.js': `'use strict';\nconst { cacheKey } = require('./keys');\nconst store = new Map();\nfunction get(entry) {\n  return store.get(cacheKey(entry.meta));\n}\nfunction put(entry, value) {\n  store.set(cacheKey(entry), value);\n}\nmodule.exports = { get, put };\n`,
      'run.js': `const c = require('./lib/cache');\nc.put({ id: 1, version: 2 }, 'v');\nconsole.log(c.get({ id: 1, version: 2 }));\n`,
    },
    fix: [{ file: 'lib/cache.js', from: 'store.get(cacheKey(entry.meta))', to: 'store.get(cacheKey(entry))' }],
  },
  {
    name: 'infinite recursion: no base case',
    basis: '"RangeError: Maximum call stack size exceeded" in a tree walk',
    entry: 'run.js',
    expect: "RangeError: Maximum call stack size exceeded",
    files: {
      'lib/tree.js': `'use strict';\nfunction depth(node) {\n  const kids = node.children || [];\n  return 1 + Math.max(0, ...kids.map(depth), depth(node));\n}\nmodule.exports = { depth };\n`,
      'run.js': `console.log(require('./lib/tree').depth({ children: [{}] }));\n`,
    },
    fix: [{ file: 'lib/tree.js', from: '...kids.map(depth), depth(node))', to: '...kids.map(depth))' }],
  },
  {
    name: 'assignment to a constant',
    basis: '"TypeError: Assignment to constant variable." in a counter',
    entry: 'run.js',
    expect: "TypeError: Assignment to constant variable",
    files: {
      'lib/counter.js': `'use strict';\nfunction countWords(text) {\n  const n = 0;\n  for (const w of text.split(/\\s+/)) if (w) n++;\n  return n;\n}\nmodule.exports = { countWords };\n`,
      'run.js': `console.log(require('./lib/counter').countWords('a b c'));\n`,
    },
    fix: [{ file: 'lib/counter.js', from: '  const n = 0;', to: '  let n = 0;' }],
    long: { 'lib/counter.js': 250 },
  },
  {
    name: 'setting a property of a missing nested object',
    basis: '"TypeError: Cannot set properties of undefined (setting ...)" on config defaults',
    entry: 'run.js',
    expect: "TypeError: Cannot (read|set) properties of undefined",
    files: {
      'lib/defaults.js': `'use strict';\nfunction withDefaults(cfg) {\n  const out = { ...cfg };\n  out.http.port = out.http.port || 8080;\n  return out;\n}\nmodule.exports = { withDefaults };\n`,
      'run.js': `console.log(require('./lib/defaults').withDefaults({ name: 'svc' }));\n`,
    },
    fix: [{ file: 'lib/defaults.js', from: '  const out = { ...cfg };', to: '  const out = { ...cfg, http: { ...cfg.http } };' }],
  },
  {
    name: 'a callback that is not a function',
    basis: '"TypeError: cb is not a function" when an optional argument is skipped',
    entry: 'run.js',
    expect: "TypeError: cb is not a function",
    files: {
      'lib/read.js': `'use strict';\nconst fs = require('fs');\nfunction readJson(file, options, cb) {\n  fs.readFile(file, 'utf8', (err, text) => {\n    if (err) return cb(err);\n    cb(null, JSON.parse(text));\n  });\n}\nmodule.exports = { readJson };\n`,
      'lib/boot.js': `'use strict';\nconst { readJson } = require('./read');\nfunction boot(file, done) {\n  readJson(file, done);\n}\nmodule.exports = { boot };\n`,
      'data.json': '{"ok":true}\n',
      'run.js': `require('./lib/boot').boot(__dirname + '/data.json', (e, v) => console.log(e, v));\n`,
    },
    fix: [{ file: 'lib/boot.js', from: '  readJson(file, done);', to: '  readJson(file, {}, done);' }],
  },
  {
    name: 'a package throws on an invalid version; the caller passes the wrong field (semver)',
    basis: '"TypeError: Invalid Version: undefined" from semver, fixed where the version is read',
    entry: 'run.js',
    expect: "TypeError: Invalid Version: undefined",
    deps: { semver: '6.3.1' },
    files: {
      'lib/update.js': `'use strict';\nconst semver = require('semver');\nfunction needsUpdate(pkg, latest) {\n  return semver.lt(pkg.ver, latest);\n}\nmodule.exports = { needsUpdate };\n`,
      'run.js': `console.log(require('./lib/update').needsUpdate({ name: 'x', version: '1.0.0' }, '1.2.0'));\n`,
    },
    fix: [{ file: 'lib/update.js', from: 'semver.lt(pkg.ver, latest)', to: 'semver.lt(pkg.version, latest)' }],
  },
  {
    name: 'a package throws on a non-string duration (ms)',
    basis: '"Error: val is not a non-empty string or a valid number. val=undefined" from ms',
    entry: 'run.js',
    expect: "val is not a non-empty string or a valid number",
    deps: { ms: '2.1.3' },
    files: {
      'lib/timeouts.js': `'use strict';\nconst ms = require('ms');\nconst settings = { requestTimeout: '5s', idle: '1m' };\nfunction timeoutFor(kind) {\n  return ms(settings[kind + 'Timeout']);\n}\nmodule.exports = { timeoutFor };\n`,
      'run.js': `console.log(require('./lib/timeouts').timeoutFor('idle'));\n`,
    },
    fix: [{ file: 'lib/timeouts.js', from: "const settings = { requestTimeout: '5s', idle: '1m' };", to: "const settings = { requestTimeout: '5s', idleTimeout: '1m' };" }],
  },
  {
    name: 'a package throws on an empty glob pattern (picomatch)',
    basis: '"TypeError: Expected pattern to be a non-empty string" from picomatch/micromatch',
    entry: 'run.js',
    expect: "TypeError: Expected pattern to be a non-empty string",
    deps: { picomatch: '2.3.1' },
    files: {
      'lib/filter.js': `'use strict';\nconst picomatch = require('picomatch');\nfunction matcher(rules) {\n  const isMatch = picomatch(rules.include);\n  return (f) => isMatch(f);\n}\nmodule.exports = { matcher };\n`,
      'lib/scan.js': `'use strict';\nconst { matcher } = require('./filter');\nfunction pick(files, config) {\n  const m = matcher({ include: config.pattern });\n  return files.filter(m);\n}\nmodule.exports = { pick };\n`,
      'run.js': `console.log(require('./lib/scan').pick(['a.js', 'b.md'], { patterns: '*.js' }));\n`,
    },
    fix: [{ file: 'lib/scan.js', from: 'matcher({ include: config.pattern })', to: 'matcher({ include: config.patterns })' }],
  },
  {
    name: 'a package throws on an invalid UUID (uuid)',
    basis: '"TypeError: Invalid UUID" from uuid.parse on a value with braces',
    entry: 'run.js',
    expect: "TypeError: Invalid UUID",
    deps: { uuid: '9.0.1' },
    files: {
      'lib/ids.js': `'use strict';\nconst { parse } = require('uuid');\nfunction bytesOf(id) {\n  return Buffer.from(parse(id)).toString('hex');\n}\nmodule.exports = { bytesOf };\n`,
      'lib/import.js': `'use strict';\nconst { bytesOf } = require('./ids');\nfunction row(rec) {\n  return { key: bytesOf(rec.guid), name: rec.name };\n}\nfunction rowOf(id) {\n  return { key: bytesOf(id) };\n}\nmodule.exports = { row, rowOf };\n`,
      'run.js': `console.log(require('./lib/import').row({ guid: '{6ba7b810-9dad-11d1-80b4-00c04fd430c8}', name: 'x' }));\n`,
    },
    fix: [{ file: 'lib/import.js', from: 'bytesOf(rec.guid)', to: "bytesOf(rec.guid.replace(/[{}]/g, ''))" }],
  },
  // ---- Real crashes: published package versions, the trace as the issue showed it, the fix the next version shipped.
  {
    name: 'real: URI.js query(true) on a repeated valueless key (URIjs 1.15.1)',
    basis: 'medialize/URI.js#238: new URI("?x&x").query(true) throws "Cannot read property \'push\' of null" in URI.parseQuery; fixed in 1.16.0',
    real: { issue: 'https://github.com/medialize/URI.js/issues/238', package: 'URIjs', broken: '1.15.1', fixed: '1.16.0' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'push'\\)",
    files: { 'repro.js': `var URI = require('./');\nconsole.log(new URI('?x&x').query(true));\n` },
    fix: [{ file: 'src/URI.js', from: "        if (typeof items[name] === 'string') {", to: "        if (typeof items[name] === 'string' || items[name] === null) {" }],
  },
  {
    name: 'real: an explicit !!int tag on an empty value (js-yaml 3.2.4)',
    basis: 'nodeca/js-yaml#157: "foo: !!int" crashes with a TypeError in resolveYamlInteger instead of a YAMLException; 3.2.5 guards null in every type resolver',
    real: { issue: 'https://github.com/nodeca/js-yaml/pull/157', package: 'js-yaml', broken: '3.2.4', fixed: '3.2.5' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'length'\\)",
    files: {
      // Malformed input must be rejected with a YAMLException, as the report expects; anything else is the crash.
      'repro.js': `var yaml = require('./');\ntry {\n  console.log(yaml.safeLoad('foo: !!int'));\n} catch (e) {\n  if (e.name !== 'YAMLException') throw e;\n  console.log('rejected: ' + e.message.split('\\n')[0]);\n}\n`,
    },
    fix: [{ file: 'lib/js-yaml/type/int.js', from: 'function resolveYamlInteger(data) {', to: 'function resolveYamlInteger(data) {\n  if (null === data) {\n    return false;\n  }\n' }],
  },
  ...REAL_CASES_A,
  ...REAL_CASES_B,
];
