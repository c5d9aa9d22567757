import * as acorn from 'acorn';
import type { AnyNode, CallExpression, Expression, Identifier, Literal, MemberExpression, Pattern, Program, Property } from 'acorn';
import * as walk from 'acorn-walk';
import * as loose from 'acorn-loose';

/**
 * The export surface of a module: the names another module can use. For CommonJS this is what
 * is assigned to `module.exports` / `exports`; for ES modules the named and default exports.
 * Entries are strings such as `a`, `default`, `=value` (module.exports replaced by a non-object),
 * `*:./x` (re-export of everything from ./x).
 */
export interface Surface {
  exports: string[];
  /** Names declared at the top level of the file (functions, classes, variables, imports). */
  topLevel: string[];
}

const PARSE_BASE: acorn.Options = {
  ecmaVersion: 'latest',
  allowHashBang: true,
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: false,
  locations: false,
};

/** Parse with acorn; `tolerant` uses acorn-loose, which builds a tree even from broken code. */
export function parseProgram(text: string, isModule: boolean, tolerant = false): Program {
  const options: acorn.Options = { ...PARSE_BASE, sourceType: isModule ? 'module' : 'script' };
  if (tolerant) return loose.parse(stripBom(text), options);
  // acorn is stricter than V8 in a few corners (e.g. some annex-B forms); the tolerant tree
  // is then still a faithful picture of declarations and exports.
  return parseStrict(text, isModule) ?? loose.parse(stripBom(text), options);
}

/** acorn's tree, or undefined when acorn rejects the text. */
export function parseStrict(text: string, isModule: boolean): Program | undefined {
  try {
    return acorn.parse(stripBom(text), { ...PARSE_BASE, sourceType: isModule ? 'module' : 'script' });
  } catch {
    return undefined;
  }
}

/**
 * Whether a `{` stands between the `export` at `start` and its first specifier at `first`
 * (offsets in the tree, the text's byte order mark left out): a comment may stand there too.
 */
function bracedList(text: string, start: number, first: number): boolean {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return text.slice(start + bom + 6, first + bom).includes('{');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function surfaceOf(text: string, isModule: boolean, tolerant = false): Surface {
  return surfaceOfProgram(parseProgram(text, isModule, tolerant), text);
}

/**
 * The surface of a program already parsed (see parseProgram). `text`, the text it was parsed
 * from, when known: with neither `exports` nor a backslash (an escape) in it, no name or string
 * in the tree can read `exports`, and the walk for CommonJS exports is skipped.
 */
export function surfaceOfProgram(program: Program, text?: string): Surface {
  const exports = new Set<string>();
  const topLevel = new Set<string>();

  for (const stmt of program.body) {
    declaredNames(stmt, topLevel);
    switch (stmt.type) {
      case 'ExportNamedDeclaration':
        if (stmt.declaration) {
          const names = new Set<string>();
          declaredNames(stmt.declaration, names);
          for (const n of names) exports.add(n);
        }
        // acorn-loose reads `export defaut x` and `export varr x = 1` as `export { defaut, x }`: a
        // list the text never braced is its invention, not exports the file wrote
        if (!stmt.declaration && !stmt.source && text !== undefined && stmt.specifiers?.length && !bracedList(text, stmt.start, stmt.specifiers[0]!.start)) break;
        for (const spec of stmt.specifiers ?? []) exports.add(nameOf(spec.exported));
        break;
      case 'ExportDefaultDeclaration':
        exports.add('default');
        break;
      case 'ExportAllDeclaration':
        exports.add(stmt.exported ? nameOf(stmt.exported) : `*:${String(stmt.source?.value)}`);
        break;
    }
  }

  if (text !== undefined && !text.includes('exports') && !text.includes('\\')) return { exports: [...exports].sort(), topLevel: [...topLevel].sort() };
  walk.full(program, (node) => {
    if (node.type === 'AssignmentExpression' && node.operator === '=') {
      collectCommonJsAssignment(node.left, node.right, exports);
    } else if (node.type === 'CallExpression' && isDefineProperty(node)) {
      const target = node.arguments[0];
      const key = node.arguments[1];
      if (isExportsObject(target) && key?.type === 'Literal') exports.add(String(key.value));
    }
  });

  return { exports: [...exports].sort(), topLevel: [...topLevel].sort() };
}

function collectCommonJsAssignment(left: Pattern, right: Expression, out: Set<string>): void {
  if (left.type !== 'MemberExpression') return;
  // module.exports = ...
  if (isModuleExports(left)) {
    moduleExportsValue(right, out);
    return;
  }
  // exports.x = ... / module.exports.x = ...
  if (isExportsObject(left.object)) out.add(memberName(left));
}

/** The entries `module.exports = <right>` gives: an object's keys, else `=<what it is>`. */
export function moduleExportsValue(right: Expression, out: Set<string>): void {
  if (right.type === 'ObjectExpression') {
    for (const prop of right.properties) {
      if (prop.type === 'SpreadElement') out.add(`...${describe(prop.argument)}`);
      else out.add(propertyKey(prop));
    }
  } else if (right.type === 'AssignmentExpression') {
    // module.exports = exports = {...}
    moduleExportsValue(right.right, out);
  } else {
    out.add(`=${describe(right)}`);
  }
}

function isModuleExports(n: AnyNode): boolean {
  return (
    n.type === 'MemberExpression' &&
    n.object.type === 'Identifier' &&
    n.object.name === 'module' &&
    memberName(n) === 'exports'
  );
}

function isExportsObject(n: AnyNode | undefined): boolean {
  if (!n) return false;
  return (n.type === 'Identifier' && n.name === 'exports') || isModuleExports(n);
}

function isDefineProperty(n: CallExpression): boolean {
  const c = n.callee;
  return (
    c.type === 'MemberExpression' &&
    c.object.type === 'Identifier' &&
    c.object.name === 'Object' &&
    memberName(c) === 'defineProperty'
  );
}

function memberName(n: MemberExpression): string {
  const p = n.property;
  if (!n.computed && p.type === 'Identifier') return p.name;
  if (p.type === 'Literal') return String(p.value);
  return `[${describe(p)}]`;
}

function propertyKey(prop: Property): string {
  const k = prop.key;
  if (!prop.computed && k.type === 'Identifier') return k.name;
  if (k.type === 'Literal') return String(k.value);
  return `[${describe(k)}]`;
}

function nameOf(n: Identifier | Literal): string {
  return n.type === 'Identifier' ? n.name : String(n.value);
}

/** A short, stable description of an expression for `=value` entries. */
function describe(n: AnyNode): string {
  switch (n.type) {
    case 'Identifier':
      return n.name;
    case 'CallExpression':
      if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal')
        return `require(${String(n.arguments[0].value)})`;
      return `${describe(n.callee)}()`;
    case 'MemberExpression':
      return `${describe(n.object)}.${memberName(n)}`;
    case 'FunctionExpression':
    case 'ClassExpression':
      return n.id ? n.id.name : n.type === 'ClassExpression' ? 'class' : 'function';
    case 'ArrowFunctionExpression':
      return 'function';
    case 'Literal':
      return typeof n.value;
    default:
      return n.type;
  }
}

/** Names a statement declares at its own level (not inside nested functions). */
function declaredNames(stmt: AnyNode, out: Set<string>): void {
  switch (stmt.type) {
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      if (stmt.id) out.add(stmt.id.name);
      break;
    case 'VariableDeclaration':
      for (const d of stmt.declarations) patternNames(d.id, out);
      break;
    case 'ImportDeclaration':
      for (const s of stmt.specifiers) out.add(s.local.name);
      break;
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
      // a default-exported expression with no `id` field declares nothing
      if (stmt.declaration && stmt.declaration.type !== 'Identifier' && 'id' in stmt.declaration && stmt.declaration.id !== undefined)
        declaredNames(stmt.declaration, out);
      break;
  }
}

function patternNames(p: Pattern | null, out: Set<string>): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      out.add(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
  }
}

export interface NameDiff {
  lost: string[];
  added: string[];
}

/** Names present in `before` and missing from `after`, and names new in `after`. */
export function diffNames(before: readonly string[], after: readonly string[]): NameDiff {
  const a = new Set(after);
  const b = new Set(before);
  return { lost: before.filter((n) => !a.has(n)), added: after.filter((n) => !b.has(n)) };
}

/** A difference of names as `-lost, +added`. */
export function signedNames({ lost, added }: NameDiff): string {
  return [...lost.map((n) => `-${n}`), ...added.map((n) => `+${n}`)].join(', ');
}

/** Whether a (possibly broken) text uses ES module syntax: import/export declarations or import.meta. */
export function hasModuleSyntax(text: string): boolean {
  if (!/\b(import|export)\b/.test(text)) return false;
  const program = parseProgram(text, true, true);
  if (program.body.some((s) => /^(Import|Export)/.test(s.type))) return true;
  let found = false;
  walk.full(program, (n) => {
    if (n.type === 'MetaProperty' && n.meta?.name === 'import') found = true;
  });
  return found;
}
