// The cold limit: V8 compiling every file once, in this one thread. Reads a list of
// `format\tfile` lines (format: commonjs | module | ambiguous) and compiles each as node would:
// CommonJS through vm.compileFunction with the module wrapper's parameters, modules through
// vm.SourceTextModule, a typeless file as CommonJS and, if that fails, as a module.
// Run: node --experimental-vm-modules --no-warnings limit-compile.mjs LIST
import fs from 'node:fs';
import vm from 'node:vm';

const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];
const list = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
let failed = 0;
const asModule = (text, file) => {
  try {
    new vm.SourceTextModule(text, { identifier: file });
    return true;
  } catch {
    return false;
  }
};
for (const line of list) {
  const tab = line.indexOf('\t');
  const format = line.slice(0, tab);
  const file = line.slice(tab + 1);
  const text = fs.readFileSync(file, 'utf8');
  if (format === 'module') {
    if (!asModule(text, file)) failed++;
    continue;
  }
  try {
    vm.compileFunction(text, PARAMS, { filename: file });
  } catch {
    if (format === 'commonjs' || !asModule(text, file)) failed++;
  }
}
process.stdout.write(`${JSON.stringify({ files: list.length, failed })}\n`);
