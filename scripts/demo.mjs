// The quick-start demo: copy examples/demo to .demo/, run one mechanic cycle on it with no model
// needed, then show what happened. The repository's own examples are never modified.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(repo, '.demo');
const app = path.join(work, 'app');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
fs.cpSync(path.join(repo, 'examples', 'demo'), app, { recursive: true });
const coreBefore = fs.readFileSync(path.join(app, 'core.js'));

const cli = path.join(repo, 'dist', 'cli', 'main.js');
const mechanic = (...args) => {
  console.log(`\n$ mechanic ${args.join(' ')}`);
  return spawnSync(process.execPath, [cli, '--config', path.join(app, 'mechanic.config.json'), ...args], {
    stdio: 'inherit',
    cwd: app,
  }).status;
};

console.log(`demo folder: ${app}`);
mechanic('scan');
const runCode = mechanic('run');
mechanic('log', '--diff');
mechanic('status');

const check = (file) => spawnSync(process.execPath, ['--check', path.join(app, file)], { encoding: 'utf8' }).status === 0;
const workerFixed = check('worker.js');
const coreUntouched = fs.readFileSync(path.join(app, 'core.js')).equals(coreBefore);
console.log('\n=== demo result ===');
console.log(`worker.js parses now:        ${workerFixed ? 'yes' : 'NO'}`);
console.log(`core.js (protected) untouched: ${coreUntouched ? 'yes' : 'NO'}`);
console.log(`mechanic run exit code:      ${runCode} (1: core.js is still broken, as it must stay)`);
process.exitCode = workerFixed && coreUntouched ? 0 : 1;
