// One cold scan, for bench/lib/alternate.mjs: the state folder removed, a config with absolute
// roots written beside it, then `<bin> scan --json` (output dropped, exit status passed on).
// Run: node cold-scan.mjs BIN TREE STATE   (TREE: a folder whose files are scanned; absolute paths)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [bin, tree, state] = process.argv.slice(2).map((p) => path.resolve(p));
if (!bin || !tree || !state) throw new Error('usage: cold-scan.mjs BIN TREE STATE');
fs.rmSync(state, { recursive: true, force: true });
fs.mkdirSync(state, { recursive: true });
const config = path.join(state, 'mechanic.config.json');
// The state folder inside itself: the config goes where no scan of the tree sees it.
fs.writeFileSync(config, JSON.stringify({ roots: [tree], stateDir: path.join(state, 'state'), pm2Logs: false, llm: { provider: 'none' } }));
const r = spawnSync(process.execPath, [bin, '--config', config, 'scan', '--json'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
process.exit(r.status ?? 2);
