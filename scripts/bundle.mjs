// The CLI as one file: dist/cli/main.js, as tsc emitted it, and the modules it imports are
// bundled into dist/cli/main.bundle.js (`npm run build` runs this after tsc). A start of the CLI
// then reads one file instead of resolving and linking a hundred; the rest of dist/ stays as tsc
// emitted it, for the library (dist/index.js) and for what is loaded by URL: the engines' worker,
// the modules a caller runs in an engine, the example config.
//
// The bundle is a script, not a module, `(function (require, __mainUrl, __import) { ... })`:
// dist/cli/main.cjs (written here) runs it through src/cli/run-bundle.ts with a V8 code cache, as
// node 20 cannot cache an ES module's compilation. Each bundled module's `import.meta.url` is
// made the URL of its own file in dist/, so that what it finds next to itself (worker.js,
// package.json, examples/) it still finds there. Packages are bundled too (zod alone is ninety
// files to resolve), each evaluated only when first imported, as before. Left outside, and loaded
// by node when needed: what is imported only dynamically (pg, nodemailer, the lexers) or through
// require (ESLint).
import * as childProcess from 'node:child_process';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';
import * as acornLoose from 'acorn-loose';
import * as acornWalk from 'acorn-walk';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'cli', 'main.js');
const entryCjs = path.join(dist, 'cli', 'main.cjs');
const bundle = path.join(dist, 'cli', 'main.bundle.js');

/** `import.meta.url` of each module under dist/ made the URL of that module's own file. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = path.relative(path.dirname(entry), args.path).split(path.sep).join('/');
      const own = args.path === entry ? '__mainUrl' : `new URL(${JSON.stringify(rel)}, __mainUrl).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

/**
 * fdir (tinyglobby's walker) requires picomatch from disk when it loads, through a require esbuild
 * cannot see, for a glob() we never call: 5 to 10 ms of every start spent loading a second copy.
 * It is given the bundled picomatch instead (the same package). Should fdir change its text, the
 * patch does not apply and nothing else changes.
 */
const fdirPicomatch = {
  name: 'fdir-bundled-picomatch',
  setup(build) {
    build.onLoad({ filter: /[\\/]fdir[\\/]dist[\\/]index\.mjs$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      const from = /__require\.resolve\("picomatch"\);\s*pm = __require\("picomatch"\);/;
      if (!from.test(text)) return undefined;
      return { contents: `import __bundledPicomatch from "picomatch";\n${text.replace(from, 'pm = __bundledPicomatch;')}`, loader: 'js' };
    });
  },
};

/**
 * zod re-exports its forty-odd message locales as a namespace (`z.locales`), which the bundle
 * would hold and evaluate at every start: a third of its bytes, and of its start-up code, for a
 * namespace the mechanic never reads (zod's default messages are English, imported on their own).
 * The namespace is given English alone. Should zod move the file, the plugin matches nothing and
 * the bundle is as before.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (!/export \{ default as en \} from "\.\/en\.js";/.test(text)) return undefined;
      return { contents: 'export { default as en } from "./en.js";\n', loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * The bundle's text made ready to run as a script:
 * - each `import()` left in it (pg, nodemailer, a .mjs config…) made `__import()`, main.js's own:
 *   a script's `import()` needs vm's importModuleDynamically, which node 20 loses when the code
 *   comes from a cache (and warns about);
 * - the few characters beyond ASCII in comments, strings and regular expressions written as
 *   \u escapes (the same meaning), so that main.js may read it as latin1, a third of the time
 *   utf8 takes on 2.4 MB.
 * Found by parsing: a string that says `import(` (validate/load.js's child loader) stays as it is.
 */
function asScript(text) {
  const edits = [];
  const escapable = [];
  const ast = acorn.parse(text, {
    ecmaVersion: 'latest',
    sourceType: 'script',
    allowHashBang: true,
    onComment: (_block, _text, start, end) => escapable.push([start, end]),
  });
  acornWalk.full(ast, (node) => {
    if (node.type === 'ImportExpression') edits.push([node.start, node.source.start, '__import(']);
    else if (node.type === 'Literal' && (typeof node.value === 'string' || node.regex)) escapable.push([node.start, node.end]);
  });
  for (const [start, end] of escapable) {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      // After a backslash it is an escape already (`\—`): left, and the bundle read as utf8.
      if (c > 0x7f && text[i - 1] !== '\\') edits.push([i, i + 1, `\\u${c.toString(16).padStart(4, '0')}`]);
    }
  }
  let out = '';
  let from = 0;
  for (const [start, end, put] of edits.sort((a, b) => a[0] - b[0])) {
    out += text.slice(from, start) + put;
    from = end;
  }
  return out + text.slice(from);
}

/**
 * esbuild's __toESM makes a namespace for each `import fs from 'node:fs'`: an object with a getter
 * for each of the module's hundred-odd properties, made again by every module that imports it
 * (a hundred of them for node:fs, node:path and node:os): 10-30 ms of every start. Made once a
 * module instead, and shared: a namespace is only read (its getters read the module, live).
 * Should esbuild change its helper's text, nothing is patched and the bundle is as before.
 */
function shareNamespaces(text) {
  const helper = /\nvar __toESM = \(mod, isNodeMode, target\) => [\s\S]*?\n\)\);\n/.exec(text);
  if (!helper) return text;
  const at = helper.index + helper[0].length;
  const shared = `var __toESMEach = __toESM, __toESMOnce = new WeakMap();
__toESM = (mod, isNodeMode) => {
  if (!isNodeMode || mod == null || (typeof mod !== "object" && typeof mod !== "function")) return __toESMEach(mod, isNodeMode);
  let ns = __toESMOnce.get(mod);
  if (!ns) __toESMOnce.set(mod, ns = __toESMEach(mod, isNodeMode));
  return ns;
};
`;
  return text.slice(0, at) + shared + text.slice(at);
}

/**
 * Modules required when first used, not when the modules that import them are evaluated:
 * - acorn and acorn-loose, left outside the bundle: acorn's start-up (its keyword and identifier
 *   tables, its parser's hundreds of methods) ran at every start, and a scan whose files are all
 *   unchanged, like `status`, never parses. acorn-loose goes with acorn: it reads acorn as it loads;
 * - node's child_process and fs/promises: imported by what a scan loads but does not run
 *   (commander's executable subcommands, runProcess, the probes), and each loads a dozen of node's
 *   own modules (sockets, streams, readline). (net is not among them: a process whose output is
 *   a pipe or a terminal loads it for process.stdout.)
 * Each is given to its importers as an object with a getter for each of its exports (named here,
 * from the same module), which requires the module on first read. Should esbuild write the
 * require otherwise, nothing is replaced and the module is required eagerly, as before.
 */
const LAZY = { acorn, 'acorn-loose': acornLoose, 'node:child_process': childProcess, 'node:fs/promises': fsPromises };
const LAZY_PACKAGES = Object.keys(LAZY).filter((id) => !id.startsWith('node:'));

function lazyModules(text) {
  let out = text;
  for (const [id, ns] of Object.entries(LAZY)) {
    const names = JSON.stringify(Object.keys(ns).filter((k) => k !== 'default'));
    // An ES import (its namespace, with `default`), then a CommonJS require (the module itself).
    out = out.replaceAll(`__toESM(require(${JSON.stringify(id)}), 1)`, `__lazyModule(${JSON.stringify(id)}, ${names}, true)`);
    out = out.replaceAll(`require(${JSON.stringify(id)})`, `__lazyModule(${JSON.stringify(id)}, ${names}, false)`);
  }
  if (out === text) return text;
  const helper = `var __lazyModule = (id, names, esm) => {
  let mod;
  const load = () => (mod ??= require(id));
  const ns = {};
  for (const name of names) __defProp(ns, name, { get: () => load()[name], enumerable: true });
  if (esm) __defProp(ns, "default", { get: load, enumerable: true });
  return ns;
};
`;
  const at = out.indexOf('var __toESM = ');
  return at < 0 ? text : out.slice(0, at) + helper + out.slice(at);
}

const WRITTEN = '// Written by scripts/bundle.mjs';
if (!fs.existsSync(entry) || fs.readFileSync(entry, 'utf8').startsWith(WRITTEN)) throw new Error(`${path.relative(root, entry)} is not tsc's: run tsc first`);
const result = await esbuild.build({
  entryPoints: [entry],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  // CommonJS inside a function: what node's module wrapper would give, minus `module`/`exports`,
  // which the CLI (it exports nothing) does not use.
  format: 'cjs',
  target: 'node20',
  external: ['eslint', 'pg', 'nodemailer', 'cjs-module-lexer', 'es-module-lexer', ...LAZY_PACKAGES],
  // A package's own import.meta.url (fdir makes its require from it) is main.js's, as it was
  // when the bundle was a module.
  define: { 'import.meta.url': '__mainUrl' },
  banner: { js: '(function (require, __mainUrl, __import) {' },
  footer: { js: '})' },
  plugins: [ownUrl, fdirPicomatch, zodEnglishOnly],
  logLevel: 'warning',
  metafile: true,
  write: false,
});
const code = Buffer.from(asScript(lazyModules(shareNamespaces(result.outputFiles[0].text))));
// Anything beyond ASCII left (in a template or a name): main.js reads it as utf8, as it must.
const ascii = !code.some((b) => b > 0x7f);
fs.writeFileSync(bundle, code);
// The code cache's key: a cache made for another build of the same length would be taken by V8.
const buildId = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
// main.cjs runs it, run-bundle.js bundled into it as CommonJS: bin.cjs requires it, a start
// without an ES module to load (an import() is ~8 ms of node's loader). main.js, for who runs it,
// imports main.cjs. Each bundled module's URL is made from main.js's, as when main.js ran it.
await esbuild.build({
  stdin: {
    contents: `import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runBundle } from './run-bundle.js';

const mainUrl = pathToFileURL(path.join(__dirname, 'main.js')).href;
runBundle(new URL('./main.bundle.js', mainUrl), mainUrl, ${JSON.stringify(buildId)}, ${ascii ? "'latin1'" : "'utf8'"});
`,
    resolveDir: path.dirname(entry),
  },
  outfile: entryCjs,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: `${WRITTEN}: the CLI is main.bundle.js, run with a V8 code cache (build ${buildId}).` },
  logLevel: 'warning',
});
fs.writeFileSync(entry, `${WRITTEN}: the CLI is main.cjs (main.bundle.js, run with a V8 code cache).\nimport './main.cjs';\n`);
// The map tsc wrote describes the file that is no longer there.
fs.rmSync(`${entry}.map`, { force: true });

/**
 * The code cache shipped with the build (see src/cli/run-bundle.ts): the bytecode of what a
 * start and a rescan compile, so that a start deserialises it instead of parsing 2 MB and
 * compiling the functions again. Made by this node, for this node (run-bundle looks for it under
 * the running node's version), by running the CLI as a user would: a scan of scripts/ (files older
 * than the racy window, so that the second scan takes its verdicts from the scan cache), the
 * second with MECHANIC_CODE_CACHE, which writes what it compiled at exit. A build where this
 * fails ships none: the CLI compiles the bundle at each start, as without it.
 */
async function shipCodeCache(buildId) {
  const { shippedCachePath } = await import(new URL('../dist/cli/run-bundle.js', import.meta.url).href);
  const cliDir = path.dirname(bundle);
  for (const name of fs.readdirSync(cliDir)) if (/^main\.bundle-.*\.v8cache$/.test(name)) fs.rmSync(path.join(cliDir, name), { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-code-cache-'));
  try {
    const config = path.join(tmp, 'mechanic.config.json');
    fs.writeFileSync(config, JSON.stringify({ roots: [path.join(root, 'scripts')], stateDir: path.join(tmp, 'state'), pm2Logs: false, llm: { provider: 'none' } }));
    const { NODE_OPTIONS: _flags, ...env } = process.env;
    for (const cacheDir of [undefined, path.join(tmp, 'cache')]) {
      const r = spawnSync(process.execPath, [entry, '-c', config, 'scan', '--json'], { cwd: tmp, encoding: 'utf8', env: { ...env, ...(cacheDir ? { MECHANIC_CODE_CACHE: cacheDir } : {}) } });
      if (r.status !== 0 && r.status !== 1) throw new Error(`mechanic scan exited ${r.status}: ${r.stderr.slice(-500)}`);
    }
    const made = fs.readdirSync(path.join(tmp, 'cache')).filter((n) => n.endsWith('.v8cache'));
    if (made.length !== 1) throw new Error(`expected one cache, found ${made.length}`);
    const shipped = shippedCachePath(bundle, buildId);
    fs.copyFileSync(path.join(tmp, 'cache', made[0]), shipped);
    // Read by whoever runs the CLI, as the bundle is (the copy has the 0600 of a private cache).
    fs.chmodSync(shipped, 0o644);
    return shipped;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
const inputs = Object.keys(result.metafile.inputs).length;
process.stderr.write(`bundled ${inputs} modules into ${path.relative(root, bundle)} (${(code.length / 1024).toFixed(0)} KB)\n`);
try {
  const shipped = await shipCodeCache(buildId);
  process.stderr.write(`code cache ${path.relative(root, shipped)} (${(fs.statSync(shipped).size / 1024).toFixed(0)} KB)\n`);
} catch (err) {
  process.stderr.write(`no code cache shipped: ${err.message}\n`);
}
