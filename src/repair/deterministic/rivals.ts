/**
 * Rival repairs. With no last good version of a file, its broken text alone must say what the
 * file exports, and sometimes it does not: `mask) _mask,` in `module.exports = {…}` is as likely
 * `mask: _mask,` as `mask, _mask,`. A repair is taken only if no rival, a repair about as
 * likely that also parses, exports differently. A rival does not count when the surface guard
 * refuses it for what the text plainly writes, or when it reads a name nothing declares (the
 * validation ladder would refuse it: `"__esModule, {` with its quote deleted makes
 * `__esModule` a variable).
 *
 * Most rivals differ from the repair in a few characters, and most do not parse. So each is
 * first judged on the statements around the difference, parsed alone (see settle); the whole
 * text is compiled and parsed only when that leaves it open.
 */
import type { AnyNode, Node, Program } from 'acorn';
import * as walk from 'acorn-walk';
import globals from 'globals';
import type { ModuleFormat } from '../../analysis/compile.js';
import { diffNames, parseProgram, parseStrict, surfaceOfProgram, type NameDiff } from '../../analysis/surface.js';
import { judgeProgram, type SurfaceReference } from './guard.js';
import { rejectedInside } from './region.js';
import { mistypedKeyword } from './candidates.js';
import { lex, nameUses, type Lexed } from './tokens.js';

/** Names a file may read without declaring them: the language's, Node's, browsers' and module loaders'. */
const KNOWN_GLOBALS = new Set<string>([
  'arguments',
  ...Object.keys(globals.builtin),
  ...Object.keys(globals.node),
  ...Object.keys(globals.commonjs),
  ...Object.keys(globals.browser),
  ...Object.keys(globals.worker),
  ...Object.keys(globals.amd),
]);

/** What the statements around a rival's difference tell without the whole text. */
export type Settled = 'same exports' | 'does not parse' | undefined;

interface Span {
  start: number;
  end: number;
  /** The span is statements of the file itself, where a parser starts as it does on a file. */
  topLevel: boolean;
}

export class Rivals {
  private bound?: ReadonlySet<string>;
  private shape?: string;
  private counts?: ReadonlyMap<string, number>;
  private lx?: Lexed;
  /** The repair's exports within a span of its statements (null: the span does not parse alone). */
  private readonly spanExports = new Map<string, string[] | null>();
  private readonly isModule: boolean;

  /** `tree`: the repair's own tree (parseProgram, not tolerant). */
  constructor(
    private readonly text: string,
    private readonly tree: Program,
    private readonly exports: readonly string[],
    private readonly file: { filename: string; format: ModuleFormat },
    private readonly ref: SurfaceReference,
  ) {
    this.isModule = file.format === 'module';
  }

  /**
   * Judge a rival on the statements around its difference from the repair, each side parsed
   * alone: the innermost statement list (of the file, a block or a function body) whose
   * statements hold the difference, and one more statement on each side, so that a statement the
   * rival leaves unended cannot join its neighbour unseen.
   * - 'same exports': the two spans export the same, so the rival would, if it parsed at all;
   * - 'does not parse': a span of the file's own statements that V8 rejects inside, before its
   *   end (the statements before it parsed, and a parser reads on from them as from a file's
   *   start: the whole rival fails there too);
   * - undefined: not known (the span is most of the file, or does not parse alone but may whole).
   */
  settle(rival: string): Settled {
    if (rival === this.text) return 'same exports';
    const w = this.text;
    const [p, s] = commonEnds(w, rival);
    const hi = Math.max(p, w.length - s);
    const list = statementList(this.tree);
    if (!list) return undefined;
    const delta = rival.length - w.length;
    const small = (span: Span | undefined): span is Span => !!span && span.end - span.start <= 0.6 * w.length;
    const span = statementSpan(list, p, hi, true, true);
    if (small(span)) {
      const mine = this.exportsWithin(span);
      const slice = rival.slice(span.start, span.end + delta);
      const theirs = mine && parseStrict(slice, this.isModule);
      if (mine && theirs) {
        const d = diffNames(mine, surfaceOfProgram(theirs, slice).exports);
        if (d.lost.length === 0 && d.added.length === 0) return 'same exports';
      }
    }
    // V8 on the file's own statements around the difference (not a function body alone, which
    // is read in another context: `return`, `yield`, `super`)
    const outer = span?.topLevel ? span : statementSpan(list, p, hi, true, false);
    if (!small(outer)) return undefined;
    const at = rejectedInside(rival.slice(outer.start, outer.end + delta), this.file.filename, this.file.format);
    return at === undefined ? undefined : 'does not parse';
  }

  /** The repair's exports within a span of its statements, parsed alone (null: it does not parse alone). */
  private exportsWithin(span: Span): string[] | null {
    const key = `${span.start}:${span.end}`;
    let mine = this.spanExports.get(key);
    if (mine === undefined) {
      const slice = this.text.slice(span.start, span.end);
      const a = parseStrict(slice, this.isModule);
      this.spanExports.set(key, (mine = a ? surfaceOfProgram(a, slice).exports : null));
    }
    return mine;
  }

  /** The repair lexed, once: for the names it reads here, and for the search's and the confidence's indentation. */
  lexed(): Lexed {
    return (this.lx ??= lex(this.text));
  }

  /** The same judge for another text of the same program (see judge's sameProgram). */
  rebase(text: string, tree: Program): Rivals {
    return new Rivals(text, tree, this.exports, this.file, this.ref);
  }

  /** How the exports of a rival that parses differ from the repair's; undefined when they do not, or it is no rival. */
  differ(rival: string, regions?: readonly Region[]): NameDiff | undefined {
    return this.judge(rival, regions)?.exportsDiffer;
  }

  /**
   * A text that parses, judged as a rival: undefined when it is none (the surface guard refuses
   * it for what the text plainly writes, or it leaves a name at its edits that nothing declares
   * and the file uses nowhere else, which no one meant), else whether its exports differ from
   * the repair's. `regions`: where its edits sit in it (default: all it does not share with the
   * repair).
   */
  judge(rival: string, regions?: readonly Region[]): { exportsDiffer?: NameDiff; sameProgram?: Program; strict?: Program } | undefined {
    if (rival === this.text) return undefined;
    // parseProgram, with its strict tree kept for the evidence read from the nearest rival (rivalFindingsWorse)
    const strict = parseStrict(rival, this.isModule);
    const program = strict ?? parseProgram(rival, this.isModule, true);
    // the same program written otherwise (a ';' that ASI supplies anyway) is the repair itself
    // most rivals differ in a node's type or a list's length near their edit: no need to serialize both trees
    if (!shapesDiffer(this.tree, program)) {
      this.shape ??= treeShape(this.tree);
      if (treeShape(program) === this.shape) return { sameProgram: program };
    }
    const judged = judgeProgram(rival, program, this.ref);
    if (judged.change && !judged.contestable) return undefined;
    this.bound ??= boundNames(this.tree);
    this.counts ??= nameCounts(this.lexed());
    let at = regions;
    if (!at) {
      const [p, s] = commonEnds(this.text, rival);
      at = [[p, rival.length - s]];
    }
    if (orphanNames(program, rival, at, this.bound, this.counts).length) return undefined;
    const diff = diffNames(this.exports, judged.exports);
    const tree = strict ? { strict } : {};
    return diff.lost.length || diff.added.length ? { exportsDiffer: diff, ...tree } : tree;
  }
}

const POSITIONS = new Set(['start', 'end', 'loc', 'range', 'raw']);

/**
 * A program's syntax tree without positions or spellings: equal for texts that mean the same.
 * `emptyStatements: false` leaves out empty statements too (`f(x)` and `f(x);;` then match).
 */
export function treeShape(program: Program, opts: { emptyStatements: boolean } = { emptyStatements: true }): string {
  return JSON.stringify(program, (k, v: unknown) => {
    if (POSITIONS.has(k)) return undefined;
    if (!opts.emptyStatements && Array.isArray(v)) return (v as unknown[]).filter((n) => (n as { type?: unknown } | null)?.type !== 'EmptyStatement');
    return v;
  });
}

/**
 * True only when treeShape (emptyStatements kept) surely differs for the two trees: at the same
 * path, nodes of different types or lists of different lengths. Both are written to the shape
 * (no position key is on the path), and a JSON text reads back to one value. False: not known.
 */
function shapesDiffer(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) if (shapesDiffer(a[i], b[i])) return true;
    return false;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (typeof x.type === 'string' && typeof y.type === 'string' && x.type !== y.type) return true;
  // for…in: acorn's nodes inherit no enumerable keys
  for (const k in x) {
    if (POSITIONS.has(k)) continue;
    if (shapesDiffer(x[k], y[k])) return true;
  }
  return false;
}

/** A span [lo, hi] of a text: where an edit sits in it. */
export type Region = readonly [number, number];

/** How often each name occurs in a file. */
export function nameCounts(lx: Lexed): ReadonlyMap<string, number> {
  // asked of the same lexed text by the precision findings, the orphan check and the rivals
  let counts = COUNTS.get(lx);
  if (counts) return counts;
  counts = new Map<string, number>();
  for (const t of lx.tokens) if (t.type === 'name') counts.set(t.value, (counts.get(t.value) ?? 0) + 1);
  COUNTS.set(lx, counts);
  return counts;
}

const COUNTS = new WeakMap<Lexed, Map<string, number>>();

/**
 * Names at the edits that no one meant: a name read there that neither `bound` nor the platform
 * declares and that the file uses nowhere else (`retrun, total`), or a label there that nothing
 * names again (`retrun: total`).
 */
export function orphanNames(program: Program, text: string, regions: readonly Region[], bound: ReadonlySet<string>, counts: ReadonlyMap<string, number>): string[] {
  const found = new Set<string>();
  const touches = (node: Node): boolean => regions.some(([lo, hi]) => node.end >= lo && node.start <= hi);
  // `fi (x); {`: a mistyped `if` left a call a token away from the edit, at its statement's start
  for (const [lo, hi] of regions) {
    const st = statementAround(program, lo, hi);
    const callee = st?.type === 'ExpressionStatement' && st.expression.type === 'CallExpression' ? st.expression.callee : undefined;
    if (callee?.type === 'Identifier' && callee.start === st!.start && !bound.has(callee.name) && (counts.get(callee.name) ?? 0) <= 1 && mistypedKeyword(callee.name))
      found.add(callee.name);
  }
  walkTouching(program, touches, (node, type) => {
    if (node.type === 'LabeledStatement') {
      const l = node.label;
      if (!touches(l)) return;
      const uses = text.match(new RegExp(`(^|[^\\w$.])${l.name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;
      if (uses <= 1) found.add(l.name);
      return;
    }
    if (type !== 'Identifier' || node.type !== 'Identifier' || !touches(node)) return;
    if (!bound.has(node.name) && !KNOWN_GLOBALS.has(node.name) && (counts.get(node.name) ?? 0) <= 1) found.add(node.name);
  });
  return [...found];
}

/**
 * Names read as variables at the edits that nothing declares, that the platform does not define,
 * and that the file writes elsewhere only as properties (`split('\n');join(…)` for a lost '.'):
 * a member cut off from its object, not a name anyone meant to read.
 */
export function membersAsVariables(program: Program, regions: readonly Region[], bound: ReadonlySet<string>, lx: Lexed): string[] {
  const found = new Set<string>();
  const touches = (node: Node): boolean => regions.some(([lo, hi]) => node.end >= lo && node.start <= hi);
  walkTouching(program, touches, (node, type) => {
    if (type !== 'Identifier' || node.type !== 'Identifier' || !touches(node) || bound.has(node.name) || KNOWN_GLOBALS.has(node.name)) return;
    const { bare, member } = nameUses(lx, node.name);
    // the one bare mention is the one at the edit
    if (bare === 1 && member >= 1) found.add(node.name);
  });
  return [...found];
}

/**
 * walk.full's visit, but into the nodes that touch the edits only: a node's children lie within
 * it, so one that does not touch holds none that does (it is still visited itself, as walk.full
 * does). A large file's tree is otherwise walked whole for the few names at its edits.
 */
function walkTouching(program: Program, touches: (node: Node) => boolean, visit: (node: AnyNode, type: string) => void): void {
  type Step = (node: Node, st: unknown, c: walk.WalkerCallback<unknown>) => void;
  const base: Record<string, Step> = {};
  for (const [type, fn] of Object.entries(walk.base as Record<string, Step>)) base[type] = (node, st, c) => (touches(node) ? fn(node, st, c) : undefined);
  walk.full(program, (node, _state, type) => visit(node, type), base);
}

/** The innermost simple statement holding [lo, hi] when it is short (a few lines). */
function statementAround(program: Program, lo: number, hi: number): AnyNode | undefined {
  let at: AnyNode | undefined = program;
  while (at) {
    const next = childHolding(at, lo, hi);
    if (!next) return undefined;
    if (/Statement$|^VariableDeclaration$/.test(next.type) && next.type !== 'BlockStatement' && next.end - next.start <= 240) return next;
    at = next;
  }
  return undefined;
}

/** The statement lists a node holds directly: a program's or block's body, a switch case's consequent. */
function statementList(node: AnyNode): readonly AnyNode[] | undefined {
  if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') return node.body;
  if (node.type === 'SwitchCase') return node.consequent;
  return undefined;
}

/**
 * The statements, in the innermost statement list that holds [lo, hi) (`descend` false: in this
 * list), from the one before the first that touches it to the one after the last; undefined when
 * there is none.
 */
function statementSpan(list: readonly AnyNode[], lo: number, hi: number, topLevel: boolean, descend = true): Span | undefined {
  const first = list.findIndex((st) => st.end >= lo);
  if (first < 0) return undefined;
  let last = first;
  while (last + 1 < list.length && list[last + 1]!.start < hi) last++;
  if (descend && first === last && list[first]!.start <= lo && list[first]!.end >= hi) {
    const inner = innerList(list[first]!, lo, hi);
    const span = inner && statementSpan(inner, lo, hi, false);
    if (span) return span;
  }
  return { start: list[Math.max(0, first - 1)]!.start, end: list[Math.min(list.length - 1, last + 1)]!.end, topLevel };
}

/** The nearest statement list below `node` whose node holds [lo, hi). */
function innerList(node: AnyNode, lo: number, hi: number): readonly AnyNode[] | undefined {
  let at: AnyNode | undefined = node;
  while (at) {
    const next = childHolding(at, lo, hi);
    if (!next) return undefined;
    const list = statementList(next);
    if (list) return list;
    at = next;
  }
  return undefined;
}

/** The first child node of `node` that holds [lo, hi]. */
function childHolding(node: AnyNode, lo: number, hi: number): AnyNode | undefined {
  // every field in key order (Object.values keeps Object.keys' order), node or list of nodes
  const fields: unknown[] = Object.values(node);
  for (const v of fields) {
    for (const child of Array.isArray(v) ? (v as unknown[]) : [v]) if (isNode(child) && child.start <= lo && child.end >= hi) return child;
  }
  return undefined;
}

/** A field's value that is a syntax node: an object with a string `type` and a numeric `start`. */
function isNode(v: unknown): v is AnyNode {
  return !!v && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { start?: unknown }).start === 'number';
}

/** Lengths of the common prefix and the common suffix of two texts (not overlapping). */
/** The lengths of the prefix and the suffix two texts share (not overlapping). */
export function commonEnds(a: string, b: string): [number, number] {
  const n = Math.min(a.length, b.length);
  // whole chunks first, compared natively: a rival of a large file differs in a few characters
  let p = 0;
  while (p + CHUNK <= n && a.slice(p, p + CHUNK) === b.slice(p, p + CHUNK)) p += CHUNK;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s + CHUNK <= n - p && a.slice(a.length - s - CHUNK, a.length - s) === b.slice(b.length - s - CHUNK, b.length - s)) s += CHUNK;
  while (s < n - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return [p, s];
}

const CHUNK = 4096;

/** Every name the program binds, at any depth: declarations, parameters, catch clauses, imports. */
export function boundNames(program: Program): ReadonlySet<string> {
  // the repair's tree is asked by the rivals, the precision findings and the orphan check: walked once
  let out = BOUND.get(program);
  if (out) return out;
  out = new Set<string>();
  BOUND.set(program, out);
  walk.full(program, (node, _state, type) => {
    if (type === 'VariablePattern' && node.type === 'Identifier') out.add(node.name);
    else if (node.type === 'ImportDeclaration') for (const s of node.specifiers) out.add(s.local.name);
  });
  return out;
}

const BOUND = new WeakMap<Program, Set<string>>();
