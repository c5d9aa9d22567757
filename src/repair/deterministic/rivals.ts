/**
 * Rival repairs. With no last good version of a file, its broken text alone must say what the
 * file exports, and sometimes it does not: `mask) _mask,` in `module.exports = {…}` is as likely
 * `mask: _mask,` as `mask, _mask,`. A repair is taken only if no rival, a repair about as
 * likely that also parses, exports differently. A rival does not count when the surface guard
 * refuses it for what the text plainly writes, or when it reads a name nothing declares (the
 * validation ladder would refuse it: `"__esModule, {` with its quote deleted makes
 * `__esModule` a variable).
 *
 * Most rivals differ from the repair in a few characters, so their exports are first compared
 * on the top-level statements holding the difference, each side parsed alone; the whole texts
 * are parsed only when those differ.
 */
import * as walk from 'acorn-walk';
import globals from 'globals';
import { diffNames, parseProgram, parseStrict, surfaceOfProgram } from '../../validate/surface.js';
import { judgeProgram, type SurfaceReference } from './guard.js';
import { lex, type Lexed } from './tokens.js';
import { statementFirstTokens } from './region.js';

type AnyNode = { type: string; start: number; end: number } & Record<string, any>;

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

export interface ExportDifference {
  lost: string[];
  added: string[];
}

export class Rivals {
  private lexed?: Lexed;
  /** Top-level statements of the repair: the index of each one's first token. */
  private starts?: number[];
  private bound?: Set<string>;
  /** The repair's exports within a span of its statements (null: the span does not parse alone). */
  private readonly spanExports = new Map<string, string[] | null>();

  constructor(
    private readonly text: string,
    private readonly exports: readonly string[],
    private readonly isModule: boolean,
    private readonly ref: SurfaceReference,
  ) {}

  /**
   * Whether a text surely exports as the repair does, judged on the statements that hold their
   * difference alone (false: not known). Whether the text parses at all need not be known: one
   * that does not is no rival either.
   */
  exportsSame(rival: string): boolean {
    if (rival === this.text) return true;
    const [p, s] = commonEnds(this.text, rival);
    return this.sameAround(rival, p, s);
  }

  /** How the exports of a rival that parses differ from the repair's; undefined when they do not, or it is no rival. */
  differ(rival: string): ExportDifference | undefined {
    if (this.exportsSame(rival)) return undefined;
    const [p, s] = commonEnds(this.text, rival);
    const program = parseProgram(rival, this.isModule, false) as unknown as AnyNode;
    const judged = judgeProgram(rival, program, this.ref);
    if (judged.change && !judged.contestable) return undefined;
    const diff = diffNames(this.exports, judged.exports);
    if (!diff.lost.length && !diff.added.length) return undefined;
    if (this.readsUndeclared(program, p, rival.length - s)) return undefined;
    return diff;
  }

  /**
   * Whether the statements holding the difference export the same in both texts, each parsed
   * alone. The span starts at a top-level statement whose first token both texts share, and ends
   * after a statement whose final `;` or `}` both share, so that neither side can join it to
   * its neighbours; false (not known) when the span is most of the file or does not parse alone.
   */
  private sameAround(rival: string, p: number, s: number): boolean {
    const w = this.text;
    const lx = (this.lexed ??= lex(w));
    const starts = (this.starts ??= statementFirstTokens(lx));
    const toks = lx.tokens;
    let start = 0;
    let end = w.length;
    for (const t of starts) {
      if (toks[t]!.end <= p) start = lx.lineStarts[toks[t]!.line]!;
      else if (toks[t - 1]!.start >= w.length - s) {
        end = lx.lineStarts[toks[t]!.line]!;
        break;
      }
    }
    if (end - start > 0.6 * w.length) return false;
    const key = `${start}:${end}`;
    let mine = this.spanExports.get(key);
    if (mine === undefined) {
      const a = parseStrict(w.slice(start, end), this.isModule);
      this.spanExports.set(key, (mine = a ? surfaceOfProgram(a).exports : null));
    }
    if (!mine) return false;
    const b = parseStrict(rival.slice(start, end + rival.length - w.length), this.isModule);
    if (!b) return false;
    const d = diffNames(mine, surfaceOfProgram(b).exports);
    return d.lost.length === 0 && d.added.length === 0;
  }

  /** Whether the rival reads, between lo and hi, a name that neither the file nor the platform declares. */
  private readsUndeclared(program: AnyNode, lo: number, hi: number): boolean {
    const bound = (this.bound ??= boundNames(parseProgram(this.text, this.isModule, false) as unknown as AnyNode));
    let found = false;
    walk.full(program as any, (node: any, _state: unknown, type: string) => {
      if (found || type !== 'Identifier' || node.type !== 'Identifier') return;
      if (node.end <= lo || node.start >= hi) return;
      if (!bound.has(node.name) && !KNOWN_GLOBALS.has(node.name)) found = true;
    });
    return found;
  }
}

/** Lengths of the common prefix and the common suffix of two texts (not overlapping). */
function commonEnds(a: string, b: string): [number, number] {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < n - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return [p, s];
}

/** Every name the program binds, at any depth: declarations, parameters, catch clauses, imports. */
function boundNames(program: AnyNode): Set<string> {
  const out = new Set<string>();
  walk.full(program as any, (node: any, _state: unknown, type: string) => {
    if (type === 'VariablePattern' && node.type === 'Identifier') out.add(node.name);
    else if (node.type === 'ImportDeclaration') for (const s of node.specifiers) out.add(s.local.name);
  });
  return out;
}
