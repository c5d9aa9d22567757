// Loaded into the mechanic's own process with NODE_OPTIONS=--import, this wraps node:fs and, at the
// call the rule in MECHANIC_FAULT describes, kills the process with SIGKILL or makes the call fail
// as a full or read-only disk would. The product has no hook for it: faults come from outside.
//
// MECHANIC_FAULT = JSON { op, match?, when?: 'before'|'after', nth?: number, action?: 'kill'|errno }
//   op     fs function: renameSync, writeSync, fsyncSync, openSync, writeFileSync
//   match  a regex on the path the call concerns (for writeSync/fsyncSync: the path the fd was opened on)
//   nth    the n-th matching call (1-based, default 1)
import fs from 'node:fs';

const rule = process.env.MECHANIC_FAULT ? JSON.parse(process.env.MECHANIC_FAULT) : undefined;
if (rule) {
  const re = rule.match ? new RegExp(rule.match) : undefined;
  const nth = rule.nth ?? 1;
  const when = rule.when ?? 'before';
  const action = rule.action ?? 'kill';
  const fdPaths = new Map();
  let seen = 0;
  const strike = () => {
    if (action === 'kill') {
      if (process.env.MECHANIC_FAULT_TRACE) fs.appendFileSync(process.env.MECHANIC_FAULT_TRACE, `killed at ${rule.op} ${when}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    const err = new Error(`${action}: simulated by the fault-injection test`);
    err.code = action;
    throw err;
  };
  const pathOf = (op, args) => {
    if (op === 'renameSync') return String(args[1]);
    if (op === 'writeSync' || op === 'fsyncSync') return fdPaths.get(args[0]) ?? '';
    return String(args[0]);
  };
  const wrap = (name) => {
    const original = fs[name];
    fs[name] = function (...args) {
      const hit = name === rule.op && (!re || re.test(pathOf(name, args))) && ++seen === nth;
      if (hit && when === 'before') strike();
      const result = original.apply(this, args);
      if (name === 'openSync' && typeof result === 'number') fdPaths.set(result, String(args[0]));
      if (hit && when === 'after') strike();
      return result;
    };
  };
  for (const name of ['openSync', 'writeSync', 'fsyncSync', 'renameSync', 'writeFileSync']) wrap(name);
}
