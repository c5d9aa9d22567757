// The CLI as one file: dist/cli/main.js, as tsc emitted it, and the modules it imports are
// bundled into dist/cli/main.bundle.js (`npm run build` runs this after tsc). A start of the CLI
// then reads one file instead of resolving and linking a hundred; the rest of dist/ stays as tsc
// emitted it, for the library (dist/index.js) and for what is loaded by URL: the engines' worker,
// the modules a caller runs in an engine, the example config.
//
// The bundle is a script, not a module, `(function (require, __mainUrl, __import) { ... })`:
// dist/cli/main.js (written here) runs it through src/cli/run-bundle.ts with a V8 code cache, as
// node 20 cannot cache an ES module's compilation. Each bundled module's `import.meta.url` is
// made the URL of its own file in dist/, so that what it finds next to itself (worker.js,
// package.json, examples/) it still finds there. Packages are bundled too (zod alone is ninety
// files to resolve), each evaluated only when first imported, as before. Left outside, and loaded
// by node when needed: what is imported only dynamically (pg, nodemailer, the lexers) or through
// require (ESLint).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';
import * as acornWalk from 'acorn-walk';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'cli', 'main.js');
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
  external: ['eslint', 'pg', 'nodemailer', 'cjs-module-lexer', 'es-module-lexer'],
  // A package's own import.meta.url (fdir makes its require from it) is main.js's, as it was
  // when the bundle was a module.
  define: { 'import.meta.url': '__mainUrl' },
  banner: { js: '(function (require, __mainUrl, __import) {' },
  footer: { js: '})' },
  plugins: [ownUrl, fdirPicomatch],
  logLevel: 'warning',
  metafile: true,
  write: false,
});
const code = Buffer.from(asScript(result.outputFiles[0].text));
// Anything beyond ASCII left (in a template or a name): main.js reads it as utf8, as it must.
const ascii = !code.some((b) => b > 0x7f);
fs.writeFileSync(bundle, code);
// The code cache's key: a cache made for another build of the same length would be taken by V8.
const buildId = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
fs.writeFileSync(
  entry,
  `${WRITTEN}: the CLI is main.bundle.js, run with a V8 code cache.
import { runBundle } from './run-bundle.js';

runBundle(new URL('./main.bundle.js', import.meta.url), import.meta.url, ${JSON.stringify(buildId)}, ${ascii ? "'latin1'" : "'utf8'"});
`,
);
// The map tsc wrote describes the file that is no longer there.
fs.rmSync(`${entry}.map`, { force: true });
const inputs = Object.keys(result.metafile.inputs).length;
process.stderr.write(`bundled ${inputs} modules into ${path.relative(root, bundle)} (${(code.length / 1024).toFixed(0)} KB)\n`);
