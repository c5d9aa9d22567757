#!/usr/bin/env node
/**
 * The `mechanic` program. `--version` is answered here, before the CLI and the two hundred
 * modules it imports are loaded: a script or a health check asking for the version should not pay
 * for the whole tool. Anything else is the CLI itself (main.ts, bundled: main.cjs).
 *
 * CommonJS (bin.cjs), where the rest of the package is ES modules: node runs a CommonJS entry
 * without starting its ES module loader, which an ES module entry pays for even to print a
 * version (measured side by side, 60 rounds: 130 ms of CPU against bin.js's 135 and a bare
 * `node -e 0`'s 120).
 */
import fs = require('node:fs');
import path = require('node:path');

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  let version = 'unknown';
  try {
    version = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // as main.ts says it: unknown
  }
  process.stdout.write(`${version}\n`);
} else {
  // main.cjs, written by the build beside main.js (scripts/bundle.mjs): the CLI with no ES module
  // to load on the way.
  require('./main.cjs');
}
