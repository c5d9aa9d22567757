// The CLI as one file: dist/cli/main.js, as tsc emitted it, and the modules it imports are
// bundled in its place (`npm run build` runs this after tsc). A start of the CLI then reads one
// file instead of resolving and linking a hundred; the rest of dist/ stays as tsc emitted it, for
// the library (dist/index.js) and for what is loaded by URL: the engines' worker, the modules a
// caller runs in an engine, the example config.
//
// Each bundled module's `import.meta.url` is rewritten to the URL of its own file in dist/, so
// that what it finds next to itself (worker.js, package.json, examples/) it still finds there.
// Packages are bundled too (zod alone is ninety files to resolve), each evaluated only when first
// imported, as before: what only a command needs (prom-client, yaml) costs a start its parsing,
// not its running. Left outside, and loaded by node when needed: what is imported only
// dynamically (pg, nodemailer, the lexers) or through require (ESLint).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'cli', 'main.js');

/** `import.meta.url` of each module under dist/ made the URL of that module's own file. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (args.path === entry || !text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = path.relative(path.dirname(entry), args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

if (!fs.existsSync(entry)) throw new Error(`${path.relative(root, entry)} is missing: run tsc first`);
const result = await esbuild.build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['eslint', 'pg', 'nodemailer', 'cjs-module-lexer', 'es-module-lexer'],
  // The bundled CommonJS packages require node's own modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  plugins: [ownUrl],
  logLevel: 'warning',
  metafile: true,
});
// The map tsc wrote describes the file that is no longer there.
fs.rmSync(`${entry}.map`, { force: true });
const inputs = Object.keys(result.metafile.inputs).length;
process.stderr.write(`bundled ${inputs} modules into ${path.relative(root, entry)} (${(fs.statSync(entry).size / 1024).toFixed(0)} KB)\n`);
