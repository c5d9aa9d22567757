/**
 * The surface guard: a repair may change how a file parses, never what it offers. A candidate is
 * rejected when it changes the export surface or the set of top-level declarations.
 *
 * The reference is the tolerant (acorn-loose) parse of the broken original, and that parse is
 * itself a guess around the slip: a missing `}` nests what follows it, a stray `}` lifts a
 * function's inner declarations to the top level, and acorn-loose sometimes repairs by
 * indentation on its own. So the comparison is by name, with care:
 * - an export the original shows must still be exported (nothing the original clearly exports
 *   is lost);
 * - a new export is allowed only if the original has that export written somewhere (an
 *   `export` or `exports.x =` / `module.exports = {...}` the tolerant parse saw at any depth, or
 *   the name written just after an `export` or `exports` token: a slip in the exporting
 *   statement hides it from the tolerant parse, not from the tokens);
 * - `module.exports = <value>`: the tolerant picture of a broken value is a guess, so only the
 *   presence of such an entry is compared, unless the original's value is a plain name;
 * - an export written in a form no slip elsewhere can hide (`exports.x =`, `exports['x'] =`,
 *   `Object.defineProperty(exports, 'x'`, `export function x`, `export default`,
 *   `module.exports =`) must still be there, whatever the tolerant parse made of it;
 * - a top-level name the original shows must stay declared (at the top level, or, when the slip
 *   had lifted it, still declared somewhere in the file);
 * - a new top-level name is allowed only if the original declares it somewhere (a declaration
 *   the slip had nested, or a name written right after `function`/`class`/`var`/`let`/`const`
 *   that the tolerant parse lost to the slip, as in `function; name() {`), or it is bound by an `import` (token edits cannot write an `import`;
 *   acorn-loose sometimes drops imports near a slip); any other new name is refused.
 * Placeholder identifiers that acorn-loose invents (`✖`) are ignored; a name read from a string
 * the slip left open (`"__esModule, {`) stands for its leading identifier (`__esModule`).
 */
import type { AnyNode, Declaration, Expression, Pattern, Program, Super } from 'acorn';
import * as walk from 'acorn-walk';
import { diffNames, parseProgram, signedNames, surfaceOfProgram, type Surface } from '../../analysis/surface.js';
import { slipKind } from './candidates.js';
import { lex, type Lexed, type Token } from './tokens.js';

/** A node's `name`, exactly as `node.name` reads it: identifiers and private names have one. */
const nameOf = (n: AnyNode | null | undefined): string | undefined => (n && 'name' in n ? n.name : undefined);

export interface SurfaceReference {
  surface: Surface;
  readonly exportsAnywhere: Set<string>;
  /** Names the tolerant tree declares at any depth, and names written right after a declaring keyword. */
  readonly declaredAnywhere: Set<string>;
  /**
   * Exports the text writes, read from its tokens: a name within four tokens after `export` or
   * `exports` (`default` after `export`; a line's first word one slip from `export` counts as it,
   * and a word one slip from `default` right after it as `default`), and `=` where `exports` is
   * followed by `=`. A slip in
   * the exporting statement hides it from the tolerant parse, not from the tokens.
   */
  readonly writtenExports: Set<string>;
  /**
   * Exports written in forms no slip elsewhere can hide: `exports.x =`, `exports['x'] =`,
   * `Object.defineProperty(exports, 'x'`, `export function|class|const|let|var x`,
   * `export default`, and `module.exports =` (as `=`). A repair must keep every one.
   */
  clearExports: Set<string>;
  /**
   * The slip is on a `module.exports = …` line: the tolerant picture of that value is a guess
   * even when it looks like a plain name (`exports}default` reads as `exports`).
   */
  exportValueGuessed: boolean;
  /** Unindented lines of the broken text that read as exporting statements (see EXPORT_LINE). */
  exportLines: number;
  /**
   * In a module, unindented `export` keywords outside any bracket: each begins an export
   * declaration, whatever a slip did to the rest of its line (`export defa\ult x`).
   */
  exportDeclarations: number;
  /** The exports of the last version known to parse, when there is one close to the broken text. */
  lastGoodExports?: readonly string[];
}

/**
 * A line that starts, unindented, an exporting statement: `module.exports…`, `exports.x…`,
 * `Object.defineProperty(exports…`, read loosely (`module[exports`, `Object.defineProperty[exports`)
 * so that a slip in its punctuation still shows what the line was.
 */
const EXPORT_LINE = /^(?:module\s*\W{1,2}\s*exports\b|exports\s*[.[]|Object\s*\.\s*defineProperty\s*\W\s*(?:module\s*\.\s*)?exports\b)/;

function exportLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const end = text.indexOf('\n', i);
    const stop = end < 0 ? text.length : end;
    const c = text.charCodeAt(i);
    // m, e, O: the only letters such a line can start with
    if ((c === 109 || c === 101 || c === 79) && EXPORT_LINE.test(text.slice(i, Math.min(stop, i + 80)))) n++;
    i = stop + 1;
  }
  return n;
}

function exportKeywordLines(lx: Lexed): number {
  let n = 0;
  for (let i = 0; i < lx.tokens.length; i++) {
    const t = lx.tokens[i]!;
    if (t.first && t.value === 'export' && t.type === 'name' && lx.depth[i] === 0 && t.start === lx.lineStarts[t.line]) n++;
  }
  return n;
}

const ESM_EXPORT = new Set(['ExportNamedDeclaration', 'ExportDefaultDeclaration', 'ExportAllDeclaration']);

function isExportsObject(n: AnyNode): boolean {
  return (
    (n.type === 'Identifier' && n.name === 'exports') ||
    (n.type === 'MemberExpression' && !n.computed && n.object?.type === 'Identifier' && n.object.name === 'module' && nameOf(n.property) === 'exports')
  );
}

/**
 * A top-level statement that writes the exports: an assignment to or a call on them, or
 * defineProperty; not one that only reads them. `exports = x` only rebinds the local name (`exports = module.exports = x` exports
 * through its second assignment).
 */
function isExportStatement(stmt: AnyNode): boolean {
  if (stmt.type !== 'ExpressionStatement') return false;
  let n: AnyNode | undefined = stmt.expression;
  // a statement that only reads them (`exports, "__esModule", {…}`, left by a lost `(`) writes nothing
  let writes = false;
  while (n) {
    if (isExportsObject(n)) return writes;
    if (n.type === 'AssignmentExpression') {
      writes = true;
      n = n.left.type === 'Identifier' ? (n.right.type === 'AssignmentExpression' ? n.right : undefined) : n.left;
    } else if (n.type === 'MemberExpression') n = n.object;
    else if (n.type === 'SequenceExpression') n = n.expressions[0];
    else if (n.type === 'CallExpression') {
      const c: Expression | Super = n.callee;
      if (c.type === 'MemberExpression' && !c.computed && nameOf(c.property) === 'defineProperty' && n.arguments[0] && isExportsObject(n.arguments[0])) return true;
      writes = true;
      n = c;
    } else return false;
  }
  return false;
}

function clearExports(text: string, toks: Token[]): Set<string> {
  const out = new Set<string>();
  const v = (k: number): string => {
    const t = toks[k];
    if (!t) return '';
    return t.type === 'punct' || t.type === 'name' ? t.value : t.type === 'string' && !t.unterminated ? 'str' : t.type;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.type !== 'name') continue;
    if (t.value === 'exports' && v(i - 1) !== '.') {
      if (v(i + 1) === '.' && toks[i + 2]?.type === 'name' && v(i + 3) === '=') out.add(toks[i + 2]!.value);
      if (v(i + 1) === '[' && v(i + 2) === 'str' && v(i + 3) === ']' && v(i + 4) === '=') out.add(text.slice(toks[i + 2]!.start + 1, toks[i + 2]!.end - 1));
      if (v(i - 1) === '(' && v(i - 2) === 'defineProperty' && v(i + 1) === ',' && v(i + 2) === 'str')
        out.add(text.slice(toks[i + 2]!.start + 1, toks[i + 2]!.end - 1));
    } else if (t.value === 'exports' && v(i - 1) === '.' && v(i - 2) === 'module' && v(i + 1) === '=' && v(i + 2) !== '{' && v(i - 3) !== '.') {
      out.add('=');
    } else if (t.value === 'export' && t.first) {
      if (v(i + 1) === 'default') out.add('default');
      else if (/^(function|class|const|let|var)$/.test(v(i + 1)) && toks[i + 2]?.type === 'name') out.add(toks[i + 2]!.value);
    }
  }
  return out;
}

function writtenExports(text: string, toks: Token[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.type !== 'name') continue;
    // `exxport { a }` at a line's start still writes its exports; `export defaut x`, a default one
    const esm = t.value === 'export' || (t.first && !!slipKind(t.value, 'export'));
    if (!esm && t.value !== 'exports') continue;
    for (let k = i + 1; k <= i + 4 && k < toks.length; k++) {
      const n = toks[k]!;
      if (n.type === 'name') out.add(esm && k === i + 1 && slipKind(n.value, 'default') ? 'default' : n.value);
      else if (n.type === 'string') out.add(text.slice(n.start + 1, n.end - 1));
      else if (n.value === '=' && t.value === 'exports') out.add('=');
    }
  }
  return out;
}

const DECLARING = new Set(['function', 'class', 'var', 'let', 'const']);
/** The declaring keywords a slip can be told from (more than two letters), spread once, not per name. */
const SLIPPABLE_DECLARING = [...DECLARING].filter((k) => k.length > 2);

/**
 * Names the text writes as declared: an identifier within two tokens after `function`, `class`,
 * `var`, `let` or `const` (`function; name(` still shows what the author declared).
 */
function lexicallyDeclared(text: string, toks: Token[]): Set<string> {
  const out = new Set<string>();
  // a file writes the same names again and again: each judged once
  const declaring = new Map<string, boolean>();
  const isDeclaring = (v: string): boolean => {
    let d = declaring.get(v);
    if (d === undefined) declaring.set(v, (d = DECLARING.has(v) || SLIPPABLE_DECLARING.some((k) => slipKind(v, k))));
    return d;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    // a declaring keyword, or one mistyped (`conts x = …`): a repair may restore the declaration
    if (t.type !== 'name' || !isDeclaring(t.value)) continue;
    for (let k = i + 1; k <= i + 3 && k < toks.length; k++) {
      const n = toks[k]!;
      if (n.type === 'name' && !DECLARING.has(n.value)) {
        out.add(n.value);
        break;
      }
      if (n.type !== 'punct') break;
    }
  }
  // a template a stray backtick opened swallows the code up to the next backtick: its
  // declarations are the author's too
  for (const t of toks) {
    if (t.type !== 'template' || t.end - t.start < 8) continue;
    for (const m of text.slice(t.start, t.end).matchAll(/(?:^|[^\w$.])(?:function\*?|class|var|let|const)\s+([A-Za-z_$][\w$]*)/g)) out.add(m[1]!);
  }
  // `var a = require('./a'),` / `    b = require('./b');`: the next declarator of a list
  const lines = text.split('\n');
  for (let l = 1; l < lines.length; l++) {
    const m = /^\s*([A-Za-z_$][\w$]*)\s*=[^=>]/.exec(lines[l]!);
    if (m && /,\s*$/.test(lines[l - 1]!.replace(/\/\/.*$/, ''))) out.add(m[1]!);
  }
  return out;
}

/**
 * Names the tolerant parse really saw: not acorn-loose's placeholder `✖`, and not a name made
 * of a string the slip left open (`"__esModule, {`).
 */
const real = (n: string | undefined): n is string =>
  !!n && !n.includes('✖') && (/^(=|\.\.\.|\*:)/.test(n) || !/[\s'"`,;{}()[\]]/.test(n));

export function surfaceReference(
  original: string,
  isModule: boolean,
  lexed?: Lexed,
  errorOffset?: number,
  lastGoodExports?: readonly string[],
): SurfaceReference {
  const lx = lexed ?? lex(original);
  const toks = lx.tokens;
  let exportValueGuessed = false;
  if (errorOffset !== undefined) {
    const start = original.lastIndexOf('\n', Math.max(0, errorOffset - 1)) + 1;
    const end = original.indexOf('\n', errorOffset);
    const line = original.slice(start, end < 0 ? original.length : end);
    exportValueGuessed = /^module\s*\W{1,2}\s*exports\s*=/.test(line);
  }
  const tree = parseProgram(original, isModule, true);
  const surface = surfaceOfProgram(tree, original);
  // The names anywhere are asked only of a repair that exports or declares at the top level a
  // name the surface lacks, which few do: the walk, and the scans of the text, wait until then.
  let anywhere: { exports: Set<string>; declared: Set<string>; written: Set<string> } | undefined;
  const names = (): NonNullable<typeof anywhere> => {
    if (anywhere) return anywhere;
    const exportsAnywhere = new Set(surface.exports);
    const declaredAnywhere = new Set<string>();
    walk.full(tree, (node) => {
      if (node.type === 'ExportNamedDeclaration') {
        if (node.declaration) for (const n of declared(node.declaration)) exportsAnywhere.add(n);
        for (const s of node.specifiers ?? []) exportsAnywhere.add(nameOf(s.exported) ?? String(s.exported && 'value' in s.exported ? s.exported.value : undefined));
      } else if (node.type === 'ExportDefaultDeclaration') exportsAnywhere.add('default');
      else declaredBy(node, declaredAnywhere);
    });
    for (const n of lexicallyDeclared(original, toks)) declaredAnywhere.add(n);
    const written = writtenExports(original, toks);
    // a template the file ends before closing may be code a stray backtick swallowed: what it
    // writes as declarations and exports counts as written (never as exports a repair must keep)
    const swallowed = toks.find((t) => t.type === 'template' && t.unterminated && t.end >= original.length);
    if (swallowed) {
      const inner = lex(original.slice(swallowed.start + 1));
      for (const n of writtenExports(inner.text, inner.tokens)) written.add(n);
      for (const n of lexicallyDeclared(inner.text, inner.tokens)) declaredAnywhere.add(n);
    }
    return (anywhere = { exports: exportsAnywhere, declared: declaredAnywhere, written });
  };
  return {
    surface,
    get exportsAnywhere() {
      return names().exports;
    },
    get declaredAnywhere() {
      return names().declared;
    },
    get writtenExports() {
      return names().written;
    },
    clearExports: clearExports(original, toks),
    exportValueGuessed,
    exportLines: exportLines(original),
    exportDeclarations: isModule ? exportKeywordLines(lx) : 0,
    ...(lastGoodExports ? { lastGoodExports } : {}),
  };
}

/** Why the candidate changes the surface, or undefined when it does not. */
export function surfaceChange(candidate: string, isModule: boolean, ref: SurfaceReference): string | undefined {
  return judgeSurface(candidate, isModule, ref).change;
}

export interface SurfaceJudgement {
  /** The candidate's tree (parseProgram, not tolerant). */
  program: Program;
  exports: string[];
  /** Why the candidate changes the surface; undefined when it does not. */
  change: string | undefined;
  /**
   * The only objection is to exports as the tolerant parse pictured them, a guess around the
   * slip: with no last good version, the candidate still competes with a repair that exports
   * otherwise (`mask) _mask` read as `mask, _mask` rejects `mask: _mask`).
   */
  contestable: boolean;
}

/** The candidate's exports, and whether and why it changes the surface. */
export function judgeSurface(candidate: string, isModule: boolean, ref: SurfaceReference): SurfaceJudgement {
  return judgeProgram(candidate, parseProgram(candidate, isModule, false), ref);
}

/** judgeSurface, on the candidate's tree already parsed (parseProgram, not tolerant). */
export function judgeProgram(candidate: string, program: Program, ref: SurfaceReference): SurfaceJudgement {
  const cand = surfaceOfProgram(program, candidate);
  const ex = exportsChange(cand, ref);
  const judged = (change: string | undefined, contestable = false): SurfaceJudgement => ({ program, exports: cand.exports, change, contestable });
  if (ex && !ex.readOnly) return judged(ex.reason);
  const other = exportLineChange(candidate, program, ref) ?? topLevelChange(program, cand, ref);
  if (other) return judged(other);
  return ex ? judged(ex.reason, true) : judged(undefined);
}

/** `readOnly`: every objection is to the tolerant parse's picture of the exports, none to what the text plainly writes. */
function exportsChange(cand: Surface, ref: SurfaceReference): { reason: string; readOnly: boolean } | undefined {
  // The last good version, when there is one, settles the exports; else the broken text's picture.
  if (ref.lastGoodExports) {
    const { lost, added } = diffNames(ref.lastGoodExports, cand.exports);
    // A name may be new since then only if the text plainly exports it (`exports.x =`, `export function x`).
    const unexplained = added.filter((n) => !ref.clearExports.has(n));
    if (lost.length || unexplained.length)
      return { reason: `differs from the last good version's exports (${signedNames({ lost, added: unexplained })})`, readOnly: false };
    return undefined;
  }
  const exp = new Set(cand.exports);
  // a name read from a string the slip left open (`__esModule, {`) still says what was meant:
  // its leading identifier
  const meant = ref.surface.exports.filter((n) => !real(n)).map((n) => /^[\w$]+/.exec(n)?.[0]).filter((n): n is string => !!n);
  // `module.exports = <value>`: the tolerant parse's picture of a broken value is a guess, so
  // only its presence counts, unless the original's entry is a plain name (`=reduce`)
  const replaced = cand.exports.some((n) => n.startsWith('='));
  const lostClear = [...ref.clearExports].filter((n) => (n === '=' ? !replaced : !exp.has(n)));
  const lostRead = [
    ...ref.surface.exports.filter((n) => real(n) && !exp.has(n) && !(n.startsWith('=') && replaced && (ref.exportValueGuessed || !/^=[\w$]+$/.test(n)))),
    ...meant.filter((n) => !exp.has(n)),
  ];
  const lost = [...new Set([...lostRead, ...lostClear])];
  if (lost.length) return { reason: `loses export ${lost.join(', ')}`, readOnly: lostClear.length === 0 };
  // the surface's own exports are among those anywhere: the names anywhere are looked for only past them
  const read = new Set(ref.surface.exports);
  const newExports = cand.exports.filter(
    (n) => !read.has(n) && !ref.exportsAnywhere.has(n) && !meant.includes(n) && !ref.writtenExports.has(n.startsWith('=') ? '=' : n),
  );
  if (newExports.length) return { reason: `adds export ${newExports.join(', ')}`, readOnly: true };
  return undefined;
}

/**
 * Every line that reads as an exporting statement must be one: `module[exports = x]` parses, and
 * exports nothing; nor may an edit make such a line read as something else (`moduleexports = x`).
 */
function exportLineChange(candidate: string, program: Program, ref: SurfaceReference): string | undefined {
  if (ref.exportDeclarations > 0) {
    const declarations = program.body.filter((s) => ESM_EXPORT.has(s.type)).length;
    if (declarations < ref.exportDeclarations) return `an export declaration is gone (${declarations} of ${ref.exportDeclarations} left)`;
  }
  const lines = Math.max(exportLines(candidate), ref.exportLines);
  if (lines === 0) return undefined;
  const statements = program.body.filter(isExportStatement).length;
  return statements < lines ? `an exporting line is no longer an exporting statement (${statements} of ${lines})` : undefined;
}

function topLevelChange(program: Program, cand: Surface, ref: SurfaceReference): string | undefined {
  const top = new Set(cand.topLevel);
  const refTop = new Set(ref.surface.topLevel);
  const lostTop = ref.surface.topLevel.filter((n) => real(n) && !top.has(n));
  if (lostTop.length) {
    const declared = declaredIn(program);
    const gone = lostTop.filter((n) => !declared.has(n));
    if (gone.length) return `loses top-level ${gone.join(', ')}`;
  }
  let newTop = cand.topLevel.filter((n) => !refTop.has(n) && !ref.declaredAnywhere.has(n));
  if (newTop.length) {
    // an import binding comes from an `import` the original has written (punctuation edits
    // cannot make one); acorn-loose sometimes drops imports around a slip
    const imported = importBindings(program);
    newTop = newTop.filter((n) => !imported.has(n));
  }
  if (newTop.length) return `adds top-level ${newTop.join(', ')}`;
  return undefined;
}

function importBindings(tree: Program): Set<string> {
  const out = new Set<string>();
  for (const stmt of tree.body) if (stmt.type === 'ImportDeclaration') for (const s of stmt.specifiers) out.add(s.local.name);
  return out;
}

/** Every name a declaration introduces, at any depth. */
function declaredIn(tree: Program): Set<string> {
  const out = new Set<string>();
  walk.full(tree, (node) => declaredBy(node, out));
  return out;
}

/** The names one node declares (a declarator, a function or class with a name, an import). */
function declaredBy(node: AnyNode, out: Set<string>): void {
  switch (node.type) {
    case 'VariableDeclarator':
      for (const n of patternNames(node.id)) out.add(n);
      break;
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
    case 'FunctionExpression':
    case 'ClassExpression':
      if (node.id?.name) out.add(node.id.name);
      break;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      if (node.local?.name) out.add(node.local.name);
      break;
  }
}

function declared(decl: Declaration): string[] {
  if (decl.type === 'VariableDeclaration') return decl.declarations.flatMap((d) => patternNames(d.id));
  return decl.id?.name ? [decl.id.name] : [];
}

function patternNames(p: Pattern | null | undefined): string[] {
  if (!p) return [];
  switch (p.type) {
    case 'Identifier':
      return [p.name];
    case 'ObjectPattern':
      return p.properties.flatMap((q) => patternNames(q.type === 'RestElement' ? q.argument : q.value));
    case 'ArrayPattern':
      return p.elements.flatMap((q) => patternNames(q));
    case 'RestElement':
      return patternNames(p.argument);
    case 'AssignmentPattern':
      return patternNames(p.left);
    default:
      return [];
  }
}
