#!/usr/bin/env node
/**
 * The `mechanic` program. `--version` is answered here, before the CLI and the two hundred
 * modules it imports are loaded: a script or a health check asking for the version should not pay
 * for the whole tool. Anything else is the CLI itself (main.ts).
 */
import fs from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  let version = 'unknown';
  try {
    version = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    // as main.ts says it: unknown
  }
  process.stdout.write(`${version}\n`);
} else {
  await import('./main.js');
}
