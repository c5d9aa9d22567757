/**
 * The same repair, spelt as the file would have it. A closer put in place of a `;`, or beside it,
 * often makes one program two ways: `return sv}` and `return sv;}`, `{…}\n}` and `{…}\n};`, a
 * lone `}` replaced by `;` or deleted. The search meets whichever spelling its costs reach first,
 * and nothing forces it to meet the other. Here each edit of a repair is tried in its other
 * spellings; one that makes the same program (empty statements aside) replaces it when it leaves
 * fewer empty statements, or, as many, when its `;` follows the file's own habit. A '.' or ','
 * made `;` is tried deleted too.
 */
import type { AnyNode, Program } from 'acorn';
import { compileVerdict, type ModuleFormat } from '../../analysis/compile.js';
import { parseStrict } from '../../analysis/surface.js';
import type { Candidate } from './candidates.js';
import type { AppliedEdit } from './search.js';
import { treeShape } from './rivals.js';
import { tokenAt, type Lexed } from './tokens.js';

export interface Spelt {
  text: string;
  edits: AppliedEdit[];
  program: Program;
}

/**
 * `repair`: the search's repair of `lx.text` (edits in its coordinates; `regions`: where they sit in
 * its text). Returns the respelt repair, or undefined when no other spelling is better.
 */
export function respell(lx: Lexed, repair: Spelt, file: { filename: string; format: ModuleFormat }, regions: readonly (readonly [number, number])[]): Spelt | undefined {
  const isModule = file.format === 'module';
  let semicolons: boolean | undefined;
  let habitRead = false;
  let best = repair;
  let bestShape: string | undefined;
  let bestScore: number | undefined;
  for (let k = 0; k < repair.edits.length; k++) {
    for (const variant of spellings(lx, repair.edits[k]!)) {
      const edits = [...best.edits];
      edits[k] = variant;
      if (edits.some((a, j) => j !== k && overlap(a, variant))) continue;
      const text = applyEdits(lx.text, edits);
      if (text === best.text || !compileVerdict(text, file.filename, file.format).ok) continue;
      const program = parseStrict(text, isModule);
      if (!program) continue;
      bestShape ??= treeShape(best.program, { emptyStatements: false });
      if (treeShape(program, { emptyStatements: false }) !== bestShape) continue;
      if (!habitRead) {
        semicolons = semicolonHabit(repair.program, repair.text, regions);
        habitRead = true;
      }
      bestScore ??= score(best, lx, semicolons);
      const s = score({ text, edits, program }, lx, semicolons);
      if (s < bestScore) {
        best = { text, edits: edits.sort((a, b) => a.offset - b.offset), program };
        bestScore = s;
      }
    }
  }
  return best === repair ? undefined : best;
}

/** Lower is likelier: empty statements first (a file rarely writes one), then `;` against the file's habit. */
function score(r: Spelt, lx: Lexed, semicolons: boolean | undefined): number {
  let empties = 0;
  // the tree's offsets are those of the text without its byte order mark
  const bom = r.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const count = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) count(n);
      return;
    }
    const n = node as AnyNode;
    if (n.type === 'EmptyStatement') empties++;
    // a class body's `;` between members is no statement at all (`}⏎;}` for a method's end)
    if (n.type === 'ClassBody') {
      let from = n.start + 1;
      for (const m of [...n.body, { start: n.end - 1, end: n.end }]) {
        empties += r.text.slice(from + bom, m.start + bom).split(';').length - 1;
        from = m.end;
      }
    }
    for (const [key, v] of Object.entries(node)) if (key !== 'loc' && v && typeof v === 'object') count(v);
  };
  count(r.program);
  // the spellings differ by a `;` at most: the count of them in the whole text says which has it
  const semis = r.text.split(';').length;
  // a `;` alone on its line ends no statement (in a class body it is no empty statement either): no habit asks for it
  const lone = r.text.match(/^[ \t]*;[ \t]*$/gm)?.length ?? 0;
  return (empties + lone) * 1e9 - (deletesDoubled(r.edits, lx) ? 1e8 : 0) + (semicolons === undefined ? 0 : semicolons ? -semis : semis);
}

/** Whether an edit deletes a token typed twice (`f(x))`): a doubled keystroke, the likeliest slip there is. */
export function deletesDoubled(edits: readonly AppliedEdit[], lx: Lexed): boolean {
  return edits.some((a) => {
    if (a.candidate.kind !== 'delete') return false;
    const k = tokenAt(lx, a.offset);
    const t = lx.tokens[k];
    const prev = lx.tokens[k - 1];
    return !!t && !!prev && t.start === a.offset && t.type === 'punct' && prev.type === 'punct' && prev.value === t.value && prev.end === t.start;
  });
}

const ENDED = new Set(['ExpressionStatement', 'VariableDeclaration', 'ReturnStatement', 'ThrowStatement', 'BreakStatement', 'ContinueStatement', 'DoWhileStatement', 'ImportDeclaration', 'ExportNamedDeclaration', 'ExportDefaultDeclaration', 'ExportAllDeclaration']);

/**
 * Whether the file ends its statements with `;` (undefined: it shows neither way), read from the
 * statements themselves (a line's last token says little inside an object literal), those the
 * repair's edits touch (`regions`) aside.
 */
export function semicolonHabit(program: Program, text: string, regions: readonly (readonly [number, number])[]): boolean | undefined {
  let semi = 0;
  let bare = 0;
  // the tree's offsets are those of the text without its byte order mark
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const visit = (node: unknown, head = false): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as AnyNode;
    // a declaration in a `for (…)` head ends at its `;` or `of`, not as a statement
    // a statement the repair edits is no witness: the `;` it ends with may be the one the slip replaced
    const edited = regions.some(([lo, hi]) => n.start + bom <= hi && lo <= n.end + bom);
    if (ENDED.has(n.type) && !head && !edited) {
      // declarations exported keep their own ending (`export function f() {}`)
      const decl = (n as { declaration?: AnyNode | null }).declaration;
      if (!(decl && /Function|Class/.test(decl.type))) {
        if (text.charCodeAt(n.end + bom - 1) === 59) semi++;
        else bare++;
      }
    }
    const loop = n.type === 'ForStatement' || n.type === 'ForInStatement' || n.type === 'ForOfStatement';
    for (const [key, v] of Object.entries(n)) if (key !== 'loc' && v && typeof v === 'object') visit(v, loop && (key === 'init' || key === 'left'));
  };
  visit(program);
  return semi === bare ? undefined : semi > bare;
}

function overlap(a: AppliedEdit, b: AppliedEdit): boolean {
  const ae = a.offset + a.candidate.edit.del;
  const be = b.offset + b.candidate.edit.del;
  return a.offset < be && b.offset < ae ? true : a.offset === b.offset;
}

/** The edits (original coordinates, not overlapping) applied to the original text. */
export function applyEdits(original: string, edits: readonly AppliedEdit[]): string {
  let out = original;
  for (const a of [...edits].sort((x, y) => y.offset - x.offset)) out = out.slice(0, a.offset) + a.candidate.edit.ins + out.slice(a.offset + a.candidate.edit.del);
  return out;
}

function edit(offset: number, del: number, ins: string, base: Candidate, kind: Candidate['kind'], token: string, was?: string): AppliedEdit {
  const candidate: Candidate = { edit: { offset, del, ins }, cost: base.cost, kind, token, why: base.why, ...(was !== undefined ? { was } : {}) };
  return { candidate, offset };
}

const CLOSER_SET: Record<string, true> = { ')': true, ']': true, '}': true };

/** The other spellings of one edit: a closer beside a `;` or in its place, a `}` replaced by `;` or deleted. */
function spellings(lx: Lexed, a: AppliedEdit): AppliedEdit[] {
  const c = a.candidate;
  const out: AppliedEdit[] = [];
  const closer = c.token === '}' || c.token === ')' || c.token === ']';
  if (c.kind === 'replace' && c.was === ';' && closer) {
    // `x}` for `x;` -> `x};` or `x;}`
    out.push(edit(a.offset, 0, c.token, c, 'insert', c.token));
    out.push(edit(a.offset + 1, 0, c.token, c, 'insert', c.token));
  } else if (c.kind === 'insert' && closer) {
    // `};` or `;}` -> `}` in the `;`'s place
    const text = lx.text;
    const after = tokenAt(lx, a.offset);
    const next = lx.tokens[after];
    if (next && next.type === 'punct' && next.value === ';' && /^\s*$/.test(text.slice(a.offset, next.start)) && !/[\r\n]/.test(c.edit.ins))
      out.push(edit(next.start, 1, c.token, c, 'replace', c.token, ';'));
    const prev = lx.tokens[after - 1];
    if (prev && prev.type === 'punct' && prev.value === ';' && /^\s*$/.test(text.slice(prev.end, a.offset)) && !/[\r\n]/.test(c.edit.ins))
      out.push(edit(prev.start, 1, c.token, c, 'replace', c.token, ';'));
  } else if (c.kind === 'replace' && c.token === ';' && c.was !== undefined && (c.was in CLOSER_SET || c.was === '.' || c.was === ',')) {
    // a closer made `;`: deleting it may be the same program (`f(x));` and `f(x))`, a lone `}`);
    // so may a '.' or ',' typed before a block's end (`}⏎.}`: an empty statement the file never wrote)
    out.push(edit(a.offset, a.candidate.edit.del, '', c, 'delete', c.was, c.was));
  }
  return out;
}
