/**
 * Real crashes whose fix is not at the top frame: the throw is in a shared helper or a lower
 * layer of the package, and the fix the maintainers shipped is in a caller up the stack, in code
 * that ran earlier and is on no frame, or spread over several files. Each is a published package
 * at the version a user reported, run with the report's reproduction; `deps` pins the package's
 * own dependencies (the versions npm resolves for its ranges), since the package is the project.
 */
import type { LocaliseCase } from './cases.js';

/** The dependencies of qs 6.15.1 (side-channel ^1.1.0 and what it needs), as npm resolves them. */
const QS_DEPS: Record<string, string> = {
  'call-bind-apply-helpers': '1.0.2',
  'call-bound': '1.0.4',
  'dunder-proto': '1.0.1',
  'es-define-property': '1.0.1',
  'es-errors': '1.3.0',
  'es-object-atoms': '1.1.2',
  'function-bind': '1.1.2',
  'get-intrinsic': '1.3.1',
  'get-proto': '1.0.1',
  gopd: '1.2.0',
  'has-symbols': '1.1.0',
  hasown: '2.0.4',
  'math-intrinsics': '1.1.0',
  'object-inspect': '1.14.0',
  'side-channel': '1.1.1',
  'side-channel-list': '1.0.1',
  'side-channel-map': '1.0.1',
  'side-channel-weakmap': '1.0.2',
  'async-function': '1.0.0',
  'async-generator-function': '1.0.0',
  'generator-function': '2.0.1',
};

/** The dependencies of postcss 8 (the ranges of 8.4.12 and 8.5.15 both take these). */
const POSTCSS_DEPS: Record<string, string> = { nanoid: '3.3.20', picocolors: '1.1.1', 'source-map-js': '1.3.0' };

export const REAL_CASES_B: LocaliseCase[] = [
  {
    name: 'real: qs.stringify with comma arrays, encodeValuesOnly and a null entry (qs 6.15.1)',
    basis:
      'ljharb/qs GHSA-q8mj-m7cp-5q26: stringify({ a: [null, "b"] }, { arrayFormat: "comma", encodeValuesOnly: true }) throws "Cannot read properties of null (reading \'length\')" in utils.encode (top frame, lib/utils.js); 6.15.2 fixed the caller, lib/stringify.js, which mapped the raw encoder over the array (frame 3)',
    real: { issue: 'https://github.com/ljharb/qs/security/advisories/GHSA-q8mj-m7cp-5q26', package: 'qs', broken: '6.15.1', fixed: '6.15.2' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'length'\\)",
    deps: QS_DEPS,
    files: { 'repro.js': `var qs = require('./');\nconsole.log(qs.stringify({ a: ['x', null, 'y'] }, { arrayFormat: 'comma', encodeValuesOnly: true }));\n` },
    fix: [
      {
        file: 'lib/stringify.js',
        from: '            obj = utils.maybeMap(obj, encoder);',
        to: '            obj = utils.maybeMap(obj, function (v) {\n                return v == null ? v : encoder(v);\n            });',
      },
    ],
  },
  {
    name: 'real: strikethrough delimiters with a wrong jump crash the pair balancer (markdown-it 12.0.3)',
    basis:
      'markdown-it/markdown-it#742: md.render("-~~~~;~~~~~~") throws "Cannot read properties of undefined (reading \'marker\')" in balance_pairs.js processDelimiters; 12.0.4 fixed the cause in rules_inline/strikethrough.js (jump counted characters, not markers; a rule that ran earlier and is on no frame) and guarded the index in balance_pairs.js',
    real: { issue: 'https://github.com/markdown-it/markdown-it/issues/742', package: 'markdown-it', broken: '12.0.3', fixed: '12.0.4' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'marker'\\)",
    deps: { argparse: '2.0.1', entities: '2.1.0', 'linkify-it': '3.0.3', mdurl: '1.0.1', 'uc.micro': '1.0.6' },
    files: { 'repro.js': `var md = require('./')();\nconsole.log(md.render('-~~~~;~~~~~~'));\n` },
    fix: [
      {
        file: 'lib/rules_inline/strikethrough.js',
        from: '      length: 0, // disable "rule of 3" length checks meant for emphasis\n      jump:   i,',
        to: '      length: 0,     // disable "rule of 3" length checks meant for emphasis\n      jump:   i / 2, // for `~~` 1 marker = 2 characters',
      },
      {
        file: 'lib/rules_inline/balance_pairs.js',
        from: '    openerIdx = closerIdx - closer.jump - 1;\n',
        to: '    openerIdx = closerIdx - closer.jump - 1;\n\n    // avoid crash if `closer.jump` is pointing outside of the array, see #742\n    if (openerIdx < -1) openerIdx = -1;\n',
      },
    ],
  },
  {
    name: 'real: a node passed to a container constructor is cloned, the caller\'s one has no parent (postcss 8.5.15)',
    basis:
      'postcss/postcss#1987 (fixed by #2097): a Declaration given in `nodes` to new AtRule() is cloned, so decl.before(...) throws "Cannot read properties of undefined (reading \'insertBefore\')" in Node#before (top frame); 8.5.16 fixed the Node constructor, which ran earlier and is on no frame of the trace',
    real: { issue: 'https://github.com/postcss/postcss/issues/1987', package: 'postcss', broken: '8.5.15', fixed: '8.5.16' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'insertBefore'\\)",
    deps: POSTCSS_DEPS,
    files: {
      'repro.js': `var postcss = require('./');\nvar decl = postcss.decl({ prop: 'foo', value: 'bar' });\nvar atRule = postcss.atRule({ name: 'foo', nodes: [decl] });\ndecl.before(postcss.decl({ prop: 'baz', value: 'qux' }));\nconsole.log(atRule.toString());\n`,
    },
    fix: [
      {
        file: 'lib/node.js',
        from: "          if (typeof node.clone === 'function') {",
        to: "          // Clone only nodes that already belong to another tree, so passing a\n          // freshly created (parent-less) node adopts that instance instead of\n          // a copy and keeps the caller's reference usable. See #1987.\n          if (typeof node.clone === 'function' && node.parent) {",
      },
    ],
  },
  {
    name: 'real: the precompile CLI passes commander\'s name() method as the template name (nunjucks 3.2.1)',
    basis:
      'mozilla/nunjucks#1295: `precompile views/hello.njk` throws "TypeError: name.replace is not a function" in src/precompile.js _precompile; bin/precompile passed `commander.name` (the method, as no --name was given) down; 3.2.2 fixed the caller, bin/precompile (frame 3), reading the options with program.opts(). deps: commander 5.1.0, the version 3.2.2 requires for that fix (3.2.1 crashes the same with it and with its own commander 3)',
    real: { issue: 'https://github.com/mozilla/nunjucks/issues/1295', package: 'nunjucks', broken: '3.2.1', fixed: '3.2.2' },
    entry: 'repro.js',
    expect: 'TypeError: name\\.replace is not a function',
    deps: { 'a-sync-waterfall': '1.0.1', asap: '2.0.6', commander: '5.1.0' },
    files: {
      'views/hello.njk': 'Hello {{ name }}\n',
      // As `precompile views/hello.njk` runs it.
      'repro.js': `process.argv = [process.argv[0], require('path').join(__dirname, 'bin/precompile'), 'views/hello.njk'];\nrequire('./bin/precompile');\n`,
    },
    fix: [
      { file: 'bin/precompile', from: "var commander = require('commander');", to: "var {program} = require('commander');" },
      {
        file: 'bin/precompile',
        from: "var cmdpath = null;\n\ncommander\n  .name('precompile')",
        to: "var cmdpath = null;\n\nprogram\n  .storeOptionsAsProperties(false)\n  .passCommandToAction(false);\n\nprogram\n  .name('precompile')",
      },
      { file: 'bin/precompile', from: '  commander.outputHelp();', to: '  program.outputHelp();' },
      {
        file: 'bin/precompile',
        from: "lib.each([].concat(commander.filters).join(',').split(','), function (name) {",
        to: "const opts = program.opts();\n\nlib.each([].concat(opts.filters).join(',').split(','), function (name) {",
      },
      {
        file: 'bin/precompile',
        from: "if (commander.wrapper) {\n  commander.wrapper = require('nunjucks-' + commander.wrapper).wrapper;\n}",
        to: "if (opts.wrapper) {\n  opts.wrapper = require('nunjucks-' + opts.wrapper).wrapper;\n}",
      },
      {
        file: 'bin/precompile',
        from: '  force : commander.force,\n  name : commander.name,\n  wrapper: commander.wrapper,\n  include : [].concat(commander.include),\n  exclude : [].concat(commander.exclude)',
        to: '  force : opts.force,\n  name : opts.name,\n  wrapper: opts.wrapper,\n  include : [].concat(opts.include),\n  exclude : [].concat(opts.exclude)',
      },
    ],
  },
  {
    name: 'real: a null entry in a filter array reaches the encoder (qs 6.15.1)',
    basis:
      'ljharb/qs#551: stringify({ a: "b", null: "c" }, { filter: ["a", null] }) throws "Cannot read properties of null (reading \'length\')" in utils.encode (top frame); the inner stringify passes its prefix on (frame 2); 6.15.2 fixed the top-level loop in module.exports of lib/stringify.js (frame 3), which passed each filter entry as the prefix',
    real: { issue: 'https://github.com/ljharb/qs/pull/551', package: 'qs', broken: '6.15.1', fixed: '6.15.2' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of null \\(reading 'length'\\)",
    deps: QS_DEPS,
    files: { 'repro.js': `var qs = require('./');\nconsole.log(qs.stringify({ a: 'b', null: 'c' }, { filter: ['a', null] }));\n` },
    fix: [
      {
        file: 'lib/stringify.js',
        from: '        var key = objKeys[i];\n        var value = obj[key];',
        to: "        var key = objKeys[i];\n\n        if (typeof key === 'undefined' || key === null) {\n            continue;\n        }\n\n        var value = obj[key];",
      },
    ],
  },
  {
    name: 'real: append() after reassigning nodes through .parent in a plugin (postcss 8.4.12)',
    basis:
      'postcss/postcss#1740: a plugin that moves rules and then sets rule.parent.nodes = rule.parent.nodes makes append() throw "Cannot set properties of undefined (setting \'parent\')" in Container#removeChild (reached from normalize); 8.4.13 fixed Container#normalize, which had set the parent to the proxy when the nodes were first moved (a call that ran earlier and is on no frame)',
    real: { issue: 'https://github.com/postcss/postcss/pull/1740', package: 'postcss', broken: '8.4.12', fixed: '8.4.13' },
    entry: 'repro.js',
    expect: "TypeError: Cannot set properties of undefined \\(setting 'parent'\\)",
    deps: POSTCSS_DEPS,
    files: {
      // The regression test of the PR, as a plugin run synchronously.
      'repro.js': [
        "var postcss = require('./');",
        'var plugin = {',
        "  postcssPlugin: 'move-media',",
        '  Rule(rule) {',
        "    if (!(rule.selector === '.nested' && rule.nodes.length === 1 && rule.nodes[0].type === 'atrule')) return;",
        '    var atrule = rule.nodes[0];',
        '    atrule.append(rule.clone({ nodes: [] }).append(...atrule.nodes));',
        '    rule.after(atrule);',
        '    rule.remove();',
        '  },',
        '  OnceExit(root) {',
        '    var first = root.nodes[0];',
        '    var second = root.nodes[1];',
        '    var rule2 = second.nodes[0];',
        '    rule2.parent.nodes = rule2.parent.nodes;',
        '    first.append(...second.nodes);',
        '    second.remove();',
        '  },',
        '};',
        "var css = '@media (min-width: 640px) { .page { width: auto; } } .nested { @media (min-width: 640px) { width: auto; } }';",
        "console.log(postcss([plugin]).process(postcss.parse(css), { from: 'whatever' }).css);",
        '',
      ].join('\n'),
    },
    fix: [{ file: 'lib/container.js', from: '      i.parent = this\n      return i', to: '      i.parent = this.proxyOf\n      return i' }],
  },
  {
    name: 'real: a paragraph with its terminator rules disabled (markdown-it 2.1.3)',
    basis:
      'markdown-it/markdown-it#13: with the block rules that may end a paragraph disabled, render("para\\ngraph") throws "Cannot read properties of undefined (reading \'length\')" in rules_block/paragraph.js; 2.2.0 fixed Ruler#getRules in lib/ruler.js, which returned undefined for an empty chain (called just before, on no frame). deps: autolinker only (argparse is for the CLI)',
    real: { issue: 'https://github.com/markdown-it/markdown-it/issues/13', package: 'markdown-it', broken: '2.1.3', fixed: '2.2.0' },
    entry: 'repro.js',
    expect: "TypeError: Cannot read properties of undefined \\(reading 'length'\\)",
    deps: { autolinker: '0.15.2' },
    files: {
      'repro.js': `var md = require('./')();\nmd.disable(['fences', 'blockquote', 'hr', 'list', 'heading', 'htmlblock', 'table', 'lheading', 'deflist', 'footnote']);\nconsole.log(md.render('para\\ngraph'));\n`,
    },
    fix: [
      {
        file: 'lib/ruler.js',
        from: '  return this.__cache__[chainName];',
        to: '  // Chain can be empty, if rules disabled. But we still have to return Array.\n  return this.__cache__[chainName] || [];',
      },
    ],
  },
];
