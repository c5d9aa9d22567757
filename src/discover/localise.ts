/**
 * Where to fix a runtime error, as a debugger would say: the project frames of its trace ranked
 * as places to fix, each with the evidence for its rank. The frame that threw comes first, unless
 * it is a helper shared by many callers and the error is about its input (it read a property of
 * a parameter that was undefined, called a parameter that is not a function, rejected an argument
 * as invalid): then the caller that passed the input comes first. Pure, given what the code
 * access reads.
 */
import { parseProgram } from '../analysis/surface.js';
import type { BugPlace } from './types.js';

export interface TraceFrame {
  file: string;
  line?: number;
  column?: number;
}

export interface CodeAccess {
  /** A project file's text, or undefined when it cannot be read. */
  read(file: string): string | undefined;
  /** Call sites of a function of this name in the project (calls, not its definition). */
  callSites(name: string): number;
}

/** Errors about what a function was given: the value it received was missing or of the wrong kind. */
const INPUT_ERROR =
  /^(?:Cannot read propert(?:y|ies) .*of (?:undefined|null)|Cannot (?:set|destructure) propert|Cannot destructure|.+ is not (?:a function|iterable|a constructor)|.*\bInvalid\b|.*\bmust be\b|.*\bis required\b|.*\bExpected\b)/i;
/** Whether an error message may be about a function's input (only then is the code read for callers). */
export function mayBeAboutInput(message: string): boolean {
  return INPUT_ERROR.test(message);
}

/** A helper is shared when the project calls it from at least this many places. */
export const SHARED_CALL_SITES = 2;

interface Fn {
  name?: string;
  params: Set<string>;
  start: number;
  end: number;
}

interface CodeFacts {
  fn?: Fn;
  /** Names the statement at the location uses (with the test of an `if` a throw sits in). */
  used: Set<string>;
  isThrow: boolean;
}

/** An ESTree node read loosely: the tolerant parser's trees do not always match ESTree's types. */
type N = { type: string; start: number; end: number; [key: string]: unknown };

/** `n[key]` when it is a node. */
function sub(n: N | undefined, key: string): N | undefined {
  const v = n?.[key];
  return isNode(v) ? v : undefined;
}

/** `n[key]` when it is a list: its nodes (holes and non-nodes left out). */
function subs(n: N, key: string): N[] {
  const v = n[key];
  return Array.isArray(v) ? v.filter(isNode) : [];
}

/** `n[key]` when it is a string. */
function stringAt(n: N | undefined, key: string): string | undefined {
  const v = n?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** The ranked places for an error whose project frames (trace order, top first) are `frames`. */
export function localise(error: { errorType: string; message: string }, frames: readonly TraceFrame[], code: CodeAccess): BugPlace[] {
  const seen = new Set<string>();
  const unique = frames.filter((f) => {
    const k = `${f.file}:${f.line ?? 0}:${f.column ?? 0}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (unique.length === 0) return [];
  const facts = unique.map((f) => factsAt(code.read(f.file), f.line, f.column));
  const places: BugPlace[] = unique.map((f, i) => {
    const fn = facts[i]?.fn?.name;
    const p: BugPlace = { file: f.file, line: f.line ?? 0, column: f.column ?? 0, frame: i, why: i === 0 ? 'threw here (top project frame)' : `called the frame above (project frame ${i + 1} of the trace)` };
    if (fn) p.function = fn;
    return p;
  });
  const top = facts[0];
  const topFn = top?.fn;
  if (!topFn?.name || !INPUT_ERROR.test(error.message)) return places;
  const param = [...(top?.used ?? [])].find((n) => topFn.params.has(n));
  if (!param) {
    places[0]!.why += `; the error is not about ${topFn.name}'s parameters`;
    return places;
  }
  // The caller: the first frame below that is not inside the same function (recursion, callbacks).
  const callerAt = unique.findIndex((f, i) => i > 0 && !(f.file === unique[0]!.file && facts[i]?.fn && facts[i].fn.start === topFn.start));
  const calls = code.callSites(topFn.name);
  if (calls < SHARED_CALL_SITES || callerAt < 0) {
    places[0]!.why += `; the error is about its parameter \`${param}\`, but ${topFn.name} is called from ${calls} place${calls === 1 ? '' : 's'} only`;
    return places;
  }
  const caller = places[callerAt]!;
  caller.why = `passed the input: ${topFn.name} is a helper called from ${calls} places in the project and the error (${error.errorType}) is about its parameter \`${param}\``;
  places[0]!.why = `threw here, in the shared helper ${topFn.name}, on its parameter \`${param}\``;
  return [caller, ...places.filter((p) => p !== caller)];
}

/** The function around a location, its parameters, and the names the statement there uses. */
export function factsAt(text: string | undefined, line: number | undefined, column: number | undefined): CodeFacts | undefined {
  if (text === undefined || !line) return undefined;
  const offset = offsetOf(text, line, column ?? 1);
  if (offset === undefined) return undefined;
  let program: N;
  try {
    const isModule = /^\s*(?:import|export)\s/m.test(text);
    program = parseProgram(text, isModule, true) as unknown as N;
  } catch {
    return undefined;
  }
  const chain: N[] = [];
  // The innermost chain of nodes holding the offset, outermost first.
  let node: N | undefined = program;
  while (node) {
    chain.push(node);
    node = childAt(node, offset);
  }
  let fnIndex = -1;
  for (let i = chain.length - 1; i >= 0; i--)
    if (/Function/.test(chain[i]!.type)) {
      fnIndex = i;
      break;
    }
  const facts: CodeFacts = { used: new Set(), isThrow: false };
  if (fnIndex >= 0) {
    const f = chain[fnIndex]!;
    const fn: Fn = { params: new Set(), start: f.start, end: f.end };
    const name = functionName(f, chain[fnIndex - 1], chain[fnIndex - 2]);
    if (name) fn.name = name;
    for (const p of subs(f, 'params')) patternNames(p, fn.params);
    facts.fn = fn;
  }
  let stmtIndex = -1;
  for (let i = chain.length - 1; i > fnIndex; i--)
    if (/Statement$|Declaration$/.test(chain[i]!.type) && chain[i]!.type !== 'BlockStatement') {
      stmtIndex = i;
      break;
    }
  if (stmtIndex >= 0) {
    const stmt = chain[stmtIndex]!;
    identifiers(stmt, facts.used);
    facts.isThrow = stmt.type === 'ThrowStatement';
    // `if (!isValid(url)) throw new TypeError('Invalid URL')`: the test says what was checked.
    for (let i = stmtIndex - 1; facts.isThrow && i > fnIndex; i--) {
      const a = chain[i]!;
      if (a.type === 'IfStatement') {
        const test = sub(a, 'test');
        if (test) identifiers(test, facts.used);
        break;
      }
      if (a.type !== 'BlockStatement') break;
    }
  }
  return facts;
}

function offsetOf(text: string, line: number, column: number): number | undefined {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return undefined;
    at = nl + 1;
  }
  return at + Math.max(0, column - 1);
}

function isNode(x: unknown): x is N {
  return !!x && typeof x === 'object' && typeof (x as N).type === 'string' && typeof (x as N).start === 'number';
}

/** The child of `node` whose span holds `offset` (the smallest one, if spans nest oddly). */
function childAt(node: N, offset: number): N | undefined {
  let best: N | undefined;
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const v = node[key];
    for (const c of Array.isArray(v) ? v : [v]) {
      if (!isNode(c) || c === node) continue;
      if (c.start <= offset && offset < c.end && (!best || c.end - c.start < best.end - best.start)) best = c;
    }
  }
  return best;
}

function functionName(f: N, parent: N | undefined, grand: N | undefined): string | undefined {
  const own = stringAt(sub(f, 'id'), 'name');
  if (own) return own;
  if (!parent) return undefined;
  const id = sub(parent, 'id');
  if (parent.type === 'VariableDeclarator' && id?.type === 'Identifier') return stringAt(id, 'name');
  const key = sub(parent, 'key');
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && key) {
    const value = key.value;
    return stringAt(key, 'name') ?? (typeof value === 'string' ? value : undefined);
  }
  if (parent.type === 'AssignmentExpression') {
    const left = sub(parent, 'left');
    if (left?.type === 'Identifier') return stringAt(left, 'name');
    if (left?.type === 'MemberExpression' && !left.computed) return stringAt(sub(left, 'property'), 'name');
  }
  if (parent.type === 'ExportDefaultDeclaration' && grand) return undefined;
  return undefined;
}

function patternNames(p: N | null | undefined, out: Set<string>): void {
  if (!p) return;
  const name = stringAt(p, 'name');
  if (p.type === 'Identifier' && name !== undefined) out.add(name);
  else if (p.type === 'AssignmentPattern') patternNames(sub(p, 'left'), out);
  else if (p.type === 'RestElement') patternNames(sub(p, 'argument'), out);
  else if (p.type === 'ArrayPattern') for (const e of subs(p, 'elements')) patternNames(e, out);
  else if (p.type === 'ObjectPattern') for (const prop of subs(p, 'properties')) patternNames(sub(prop, prop.type === 'RestElement' ? 'argument' : 'value'), out);
}

/** Names read in a subtree (not property names after a dot, not nested functions' bodies). */
function identifiers(n: N, out: Set<string>): void {
  const visit = (x: N, parent?: N, key?: string) => {
    if (x.type === 'Identifier') {
      if (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) return;
      if (parent?.type === 'Property' && key === 'key' && !parent.computed) return;
      const name = stringAt(x, 'name');
      if (name !== undefined) out.add(name);
      return;
    }
    if (/Function/.test(x.type) && x !== n) return;
    for (const k of Object.keys(x)) {
      const v = x[k];
      for (const c of Array.isArray(v) ? v : [v]) if (isNode(c)) visit(c, x, k);
    }
  };
  visit(n);
}

/**
 * Counts call sites of a name across project texts: `name(`, `.name(`, not `function name(` nor
 * a method's definition `name(a) {`. A count from the text, not from a resolver: two helpers of
 * one name in two files count together, which only errs towards "shared".
 */
export function countCallSites(texts: Iterable<string>, name: string): number {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return 0;
  const esc = name.replace(/\$/g, '\\$');
  const call = new RegExp(`(^|[^\\w$])${esc}\\s*\\(`, 'g');
  const def = new RegExp(`(?:\\bfunction\\s*\\*?\\s*${esc}\\s*\\(|^\\s*(?:(?:static|async|get|set)\\s+)*\\*?${esc}\\s*\\([^)]*\\)\\s*\\{)`);
  let n = 0;
  for (const text of texts) {
    if (!text.includes(name)) continue;
    for (const line of text.split('\n')) {
      if (!line.includes(name)) continue;
      const calls = line.match(call)?.length ?? 0;
      n += Math.max(0, calls - (def.test(line) ? 1 : 0));
    }
  }
  return n;
}
