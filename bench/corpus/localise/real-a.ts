/**
 * Real crashes of published packages whose fix is in the file of the package's top frame: a
 * missing guard or a wrong condition at the throwing line, a few lines above it, or in another
 * function of the same file. Each `fix` is the hunk the `fixed` version shipped for this crash
 * (the bench checks it is in that version); `files` only add the report's reproduction.
 */
import type { LocaliseCase } from './cases.js';

export const REAL_CASES_A: LocaliseCase[] = [
  {
    name: 'real: qs.stringify with strictNullHandling and a filter on a null value (qs 6.5.2)',
    basis: 'ljharb/qs#278 / PR #279: with a custom `filter`, the `else if (obj === null)` branch is skipped, so a null value reaches Object.keys(null) 26 lines below: "TypeError: Cannot convert undefined or null to object"; 6.6.0 makes it a separate `if`',
    real: { issue: 'https://github.com/ljharb/qs/pull/279', package: 'qs', broken: '6.5.2', fixed: '6.6.0' },
    entry: 'repro.js',
    expect: 'TypeError: Cannot convert undefined or null to object',
    files: {
      'repro.js': `var qs = require('./');\nconsole.log(qs.stringify({ a: 'b', c: null }, { strictNullHandling: true, filter: function (prefix, value) { return value; } }));\n`,
    },
    fix: [{ file: 'lib/stringify.js', from: '    } else if (obj === null) {\n', to: '    }\n\n    if (obj === null) {\n' }],
  },
  {
    name: 'real: commander help for a command with a --description option (commander 2.9.0)',
    basis: 'tj/commander.js#422 / PR #484: an option named --description with a default shadows the Command#description method, so the help calls a string: "TypeError: cmd.description is not a function"; 2.10.0 reads cmd._description',
    real: { issue: 'https://github.com/tj/commander.js/pull/484', package: 'commander', broken: '2.9.0', fixed: '2.10.0' },
    entry: 'repro.js',
    expect: 'TypeError: cmd\\.description is not a function',
    files: {
      'repro.js': `var program = require('./');\nprogram\n  .command('deploy')\n  .description('deploy the site')\n  .option('-d, --description <text>', 'release notes', 'none')\n  .action(function () {});\nconsole.log(program.helpInformation());\n`,
    },
    // commander 2.9.0 requires graceful-readlink (no dependencies of its own).
    deps: { 'graceful-readlink': '1.0.1' },
    fix: [{ file: 'index.js', from: '      , cmd.description()', to: '      , cmd._description' }],
  },
  {
    name: 'real: csv-parse with columns and a record longer than the header (csv-parse 4.6.1)',
    basis: 'adaltas/node-csv-parse#259: 4.6.1 throws "TypeError: Cannot read property \'name\' of undefined" from Parser.__context while building the "Invalid Record Length" error that 4.5.0 reported; the fix (announced as 4.6.2, first published in 4.6.3) guards the column lookup',
    real: { issue: 'https://github.com/adaltas/node-csv-parse/issues/259', package: 'csv-parse', broken: '4.6.1', fixed: '4.6.3' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'name'\\)",
    files: {
      'repro.js': `var parse = require('./');\nvar data =\n  '"Column1","Column2","Column3"\\n' +\n  '"data11","data12","data13"\\n' +\n  '"data21","data22","data23",\\n' +\n  '"data31","data32",';\nparse(data, { columns: true }, function (err, records) {\n  console.log(err ? 'rejected: ' + err.message : records);\n});\n`,
    },
    fix: [
      {
        file: 'lib/index.js',
        from: '        columns[this.state.record.length].name :\n',
        to: '        ( columns.length >= this.state.record.length ?\n          columns[this.state.record.length].name :\n          null\n        ) :\n',
      },
    ],
  },
  {
    name: 'real: semver.gte of a null version (semver 2.2.1)',
    basis: 'npm/node-semver#82: semver.gte(semver.valid("NOT VALID"), "1.2.3") throws "TypeError: Cannot call method \'trim\' of null" in the SemVer constructor instead of "Invalid Version"; 2.3.0 rejects non-strings 8 lines above',
    real: { issue: 'https://github.com/npm/node-semver/pull/82', package: 'semver', broken: '2.2.1', fixed: '2.3.0' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'trim'\\)",
    files: {
      // The report expects the error semver.gte('NOT VALID', '1.2.3') gives: Invalid Version.
      'repro.js': `var semver = require('./');\ntry {\n  console.log(semver.gte(semver.valid('NOT VALID'), '1.2.3'));\n} catch (e) {\n  if (!/Invalid Version/.test(e.message)) throw e;\n  console.log('rejected: ' + e.message);\n}\n`,
    },
    fix: [
      {
        file: 'semver.js',
        from: '      version = version.version;\n  }\n',
        to: "      version = version.version;\n  } else if (typeof version !== 'string') {\n    throw new TypeError('Invalid Version: ' + version);\n  }\n",
      },
    ],
  },
  {
    name: 'real: new URI(null) (urijs 1.18.4)',
    basis: 'medialize/URI.js PR #321: new URI(null) throws "Cannot read property \'hostname\' of null" in URI.prototype.href, a thousand lines below the constructor; 1.18.5 refuses null in the constructor before calling href',
    real: { issue: 'https://github.com/medialize/URI.js/pull/321', package: 'urijs', broken: '1.18.4', fixed: '1.18.5' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'hostname'\\)",
    files: {
      // A null argument must be refused with an error that says so, not crash inside the parser.
      'repro.js': `var URI = require('./');\ntry {\n  console.log(String(new URI(null)));\n} catch (e) {\n  if (!/not a valid argument/.test(e.message)) throw e;\n  console.log('rejected: ' + e.message);\n}\n`,
    },
    fix: [
      {
        file: 'src/URI.js',
        from: '    this.href(url);\n',
        to: "    if (url === null) {\n      if (_urlSupplied) {\n        throw new TypeError('null is not a valid argument for URI');\n      }\n    }\n\n    this.href(url);\n",
      },
    ],
  },
  {
    name: 'real: an explicit !!null tag followed by a space (js-yaml 3.2.3)',
    basis: 'nodeca/js-yaml#155: load("---\\ntest: !!null \\ntest2: some text") throws "TypeError: Cannot read property \'length\' of null" in resolveYamlNull; 3.2.4 returns early on null',
    real: { issue: 'https://github.com/nodeca/js-yaml/pull/155', package: 'js-yaml', broken: '3.2.3', fixed: '3.2.4' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'length'\\)",
    files: { 'repro.js': `var yaml = require('./');\nconsole.log(yaml.load('---\\ntest: !!null \\ntest2: some text'));\n` },
    fix: [{ file: 'lib/js-yaml/type/null.js', from: 'function resolveYamlNull(data) {\n', to: 'function resolveYamlNull(data) {\n  if (null === data) {\n    return true;\n  }\n\n' }],
  },
];
