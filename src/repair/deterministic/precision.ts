/**
 * Evidence against a repair that parses: what a careful reader sees in the repaired text that
 * the file itself never writes. Each finding caps the repair's confidence below the gate, so the
 * rung proposes instead of writing (bench:repair's wrong fixes applied, issue 12).
 */
import * as acorn from 'acorn';
import type { Node, Program } from 'acorn';
import { garbledKeyword, tokenClass, type Bigrams } from './candidates.js';
import type { AppliedEdit } from './search.js';
import { boundNames, membersAsVariables, nameCounts, orphanNames } from './rivals.js';
import { afterDot, lex, lineOf, nameUses, tokenAt, type Lexed } from './tokens.js';

export interface Finding {
  /** The confidence the repair keeps at most. */
  cap: number;
  evidence: string;
  /** Enough to hold a repair back, too weak to prefer its rival to it (bench:repair: a fifth of those were wrong). */
  weak?: boolean;
}

/** Words that may follow a block's or literal's `}` on its line: the statement goes on. */
const GOES_ON = new Set(['else', 'catch', 'finally', 'while', 'in', 'instanceof', 'of', 'from', 'as']);

/**
 * `repaired`: the repair's text; `edits`: its edits in the broken text's coordinates, `regions`
 * where they sit in `repaired`; `broken`: the broken text lexed; `stats`: its token pairs.
 */
export function precisionFindings(
  repaired: string,
  edits: readonly AppliedEdit[],
  regions: readonly (readonly [number, number])[],
  broken: Lexed,
  stats: Bigrams,
  program?: Program,
  /** `repaired` lexed, when the caller has it. */
  repairedLx?: Lexed,
): Finding[] {
  const out: Finding[] = [];
  // the repair lexed only when a finding needs it: this runs on every repair
  let lexed: Lexed | undefined = repairedLx;
  const rlx = (): Lexed => (lexed ??= lex(repaired));
  const lineAt = (k: number): number => lineOf(broken, edits[k]!.offset) + 1;
  /** The regions of the edits that put in one of `tokens` (an insert or a replace). */
  const puttingIn = (...tokens: string[]): (readonly [number, number])[] => regions.filter((_, k) => edits[k]!.candidate.kind !== 'delete' && tokens.includes(edits[k]!.candidate.token));
  const mid = edits.some((a) => a.candidate.token === '}') ? blockEndsMidLine(rlx(), edits, regions, broken) : [];
  if (mid.length)
    out.push({
      cap: 0.5,
      evidence: `ends a block with a '}' after code on its line (line ${mid.map(lineAt).join(', ')}), as the file never does: a closer typed mid-line is likelier the slip than the block's end`,
    });
  const doubled = edits.some((a) => a.candidate.token === '{') ? bracesSideBySide(rlx(), edits, regions, broken) : [];
  if (doubled.length) out.push({ cap: 0.5, evidence: `puts a '{' beside another on its line (line ${doubled.map(lineAt).join(', ')}): a bare block opened inside a block, as the file never writes` });
  const items = listLineOpenerDeleted(edits, broken);
  if (items.length)
    out.push({
      cap: 0.5,
      evidence: `deletes the '[' that opens line ${items.join(', ')}, where other lines of the list open with '[' and close their ']' on the line: a lost ']' is likelier`,
    });
  const uncalled = methodsUncalled(edits, broken);
  if (uncalled.length)
    out.push({ cap: 0.5, evidence: `reads a method as a value at the edit (${uncalled.map((n) => `'.${n}'`).join(', ')}) where the file calls it at every other mention: a lost '(' is likelier` });
  const members = edits.some((a) => a.candidate.token === '.' && a.candidate.kind === 'insert') ? variablesAsMembers(edits, broken) : [];
  if (members.length)
    out.push({ cap: 0.5, evidence: `reads ${members.map((n) => `'${n}'`).join(', ')} as a property (\`x.${members[0]}\`), a name the file writes only as a variable: a lost ',' is likelier` });
  const lone = loneTokenDeleted(edits, broken);
  if (lone.length) out.push({ cap: 0.5, evidence: `deletes the only token of line ${lone.join(', ')}: a whole line typed by mistake is rarer than a token typed for another` });
  const patterns = patternCloseDeleted(edits, broken);
  if (patterns.length)
    out.push({ cap: 0.5, evidence: `deletes the '}' after a declared name (line ${patterns.join(', ')}): a destructuring pattern that lost its '{' is as likely` });
  const trailing = trailingCommaOnLine(repaired, regions, broken, edits);
  if (trailing.length) out.push({ cap: 0.5, evidence: `leaves a ',' right before a closer on its line (line ${trailing.join(', ')}), as the file never writes` });
  const spaced = oddlySpacedParen(edits, broken);
  if (spaced.length)
    out.push({ cap: 0.5, evidence: `leaves a '(' spaced from what follows on line ${spaced.join(', ')} (\`f( x\`), as the file never spaces one: that '(' is likelier the slip` });
  const empty = puttingIn('(', ')').length ? emptyParensOverLines(rlx(), edits, regions) : [];
  if (empty.length) out.push({ cap: 0.5, evidence: `closes an empty '(' on a later line (\`f(⏎)\`, line ${empty.map(lineAt).join(', ')}), which no one writes` });
  const heads = blockOpenerDeleted(edits, broken);
  if (heads.length)
    out.push({
      cap: 0.5,
      evidence: `deletes the '{' that heads an indented block closed by a '}' at its indentation (line ${heads.join(', ')}): that block is whole, a lost '}' inside it is likelier`,
    });
  const bareFractions = edits.some((a) => a.candidate.edit.ins.includes('.')) ? leadingDotNumbers(rlx(), edits, regions, broken) : [];
  if (bareFractions.length)
    out.push({ cap: 0.5, evidence: `makes a number of a '.' and the digits after it (\`.0\`, line ${bareFractions.join(', ')}), as the file writes none: the '.' is likelier the slip` });
  if (program) {
    // trees no one writes: V8 takes them (the first fails only when run), a reader never would
    const calls = [...nodesAtEdits(program, regions, assignsToCall), ...rvalueAssigned(repaired, regions)].map((o) => lineOf(rlx(), o) + 1);
    if (calls.length) out.push({ cap: 0.3, evidence: `assigns to a call (\`f(x) = y\`, line ${calls.join(', ')} of the repair), which no one writes` });
    const wrapped = nodesAtEdits(program, regions, assignsToParenthesized).map((o) => lineOf(rlx(), o) + 1);
    if (wrapped.length)
      out.push({ cap: 0.3, evidence: `assigns to a target in parentheses (\`(a.b) = x\`, line ${wrapped.join(', ')} of the repair), which no one writes: the parentheses are likelier an arrow's parameters` });
    const sequences = newSequence(program, repaired, regions);
    if (sequences.length)
      out.push({ cap: 0.5, weak: true, evidence: `makes a comma expression (\`a, b\` as one value, line ${sequences.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), which the file writes nowhere else` });
    // `avr (x = 1, …)`: a name a space before the edit counts as at it
    const wide = regions.map(([lo, hi]): [number, number] => [lo - (/\s*$/.exec(repaired.slice(Math.max(0, lo - 40), lo))?.[0].length ?? 0), hi]);
    const bound = boundNames(program);
    const counts = nameCounts(broken);
    const near = orphanNames(program, repaired, regions, bound, counts);
    const orphans = orphanNames(program, repaired, wide, bound, counts).filter((n) => !near.includes(n));
    if (orphans.length) out.push({ cap: 0.3, evidence: `reads ${orphans.map((n) => `'${n}'`).join(', ')} just before an edit, which nothing declares and the file uses nowhere else` });
    const idle = idleStatements(program, regions);
    if (idle.length)
      out.push({
        cap: 0.5,
        evidence: `makes a statement that does nothing (a lone ';' or a bare name read, line ${idle.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), which the file writes nowhere else`,
      });
    const strings = nodesAtEdits(program, regions, stringLacks).map((o) => lineOf(rlx(), o) + 1);
    if (strings.length)
      out.push({ cap: 0.3, evidence: `reads a property no string has off a string literal (\`'./x'.js\`, line ${strings.join(', ')} of the repair): the quote closes too early` });
    const braces = puttingIn('{');
    const bare = braces.length ? newBareBlock(program, braces) : [];
    if (bare.length)
      out.push({ cap: 0.5, evidence: `opens a bare block (a '{' that no statement heads, line ${bare.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), which the file writes nowhere else` });
    const loose = nodesAtEdits(program, regions, functionAsStatement).map((o) => lineOf(rlx(), o) + 1);
    if (loose.length) out.push({ cap: 0.5, evidence: `leaves a function as a statement of its own, never called nor kept (line ${loose.join(', ')} of the repair), which no one writes` });
    const parens = puttingIn('(');
    const calls2 = parens.length ? callsOpenedBelow(program, repaired, parens) : [];
    if (calls2.length)
      out.push({ cap: 0.5, evidence: `calls the line before with a '(' that opens its line (line ${calls2.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), which no one writes` });
    const dupes = keysWrittenTwice(program, regions).map((o) => lineOf(rlx(), o) + 1);
    if (dupes.length)
      out.push({ cap: 0.3, evidence: `writes a key twice in one object literal (line ${dupes.join(', ')} of the repair), the second silently replacing the first, which no one means` });
    const asi = statementsEndedByAsi(program, repaired, regions, edits.map((a) => a.candidate.kind === 'delete'));
    if (asi.length)
      out.push({ cap: 0.5, evidence: `ends a statement with no ';' at the edit (line ${asi.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), where the file ends every other one with ';'` });
    const elses = elsesOutdented(program, rlx(), regions).map((o) => lineOf(rlx(), o) + 1);
    if (elses.length)
      out.push({ cap: 0.5, evidence: `pairs an 'else' with an 'if' indented deeper than it (line ${elses.join(', ')} of the repair): the 'else' belongs to an outer 'if', whose block lost its '}' there` });
    const thisCalls = nodesAtEdits(program, regions, callsThis).map((o) => lineOf(rlx(), o) + 1);
    if (thisCalls.length) out.push({ cap: 0.3, evidence: `calls \`this\` (\`this(x)\`, line ${thisCalls.join(', ')} of the repair), which no one writes: a '.' typed as '(' is likelier` });
    // on the edits' lines: a '[' deleted for a lost ']' leaves the list it opened as a subscript further on
    const lists = nodesAtEdits(program, linesOf(rlx(), regions), commaSubscript).map((o) => lineOf(rlx(), o) + 1);
    if (lists.length) out.push({ cap: 0.3, evidence: `reads a subscript of a comma list (\`a[b, c]\`, line ${lists.join(', ')} of the repair), which no one writes` });
    const assigned = argumentsAssigned(program, regions);
    if (assigned.length)
      out.push({ cap: 0.3, evidence: `passes an assignment as a call's argument (\`f(a, b = c)\`, line ${assigned.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), as the file does nowhere else: a declaration list closed early` });
    const cut = membersAsVariables(program, regions, bound, broken);
    if (cut.length)
      out.push({ cap: 0.3, evidence: `reads ${cut.map((n) => `'${n}'`).join(', ')} at the edit as a variable, which nothing declares and the file writes elsewhere only as a property: a lost '.' is likelier` });
    const commas = trailingCommaDropped(program, repaired, regions);
    if (commas.length)
      out.push({ cap: 0.5, evidence: `ends a literal over several lines with no ',' after its last entry at the edit (line ${commas.map((o) => lineOf(rlx(), o) + 1).join(', ')} of the repair), where the file ends every other such literal with one: the token there stood for the ','` });
  }
  const typos = mistypedWordsKept(rlx(), edits, broken);
  if (typos.length)
    out.push({ cap: 0.3, evidence: `keeps ${typos.map((w) => `'${w}'`).join(', ')} on the edit's line, a keyword garbled (a letter swapped, dropped or doubled) that the file writes nowhere else: the mistyped keyword is the slip` });
  const keywords = keywordMembers(rlx(), regions);
  if (keywords.length)
    out.push({ cap: 0.5, evidence: `leaves a keyword read as a property on the edit's line (${keywords.map((w) => `'.${w}'`).join(', ')}), which the file writes nowhere else: the '.' before it is likelier the slip` });
  const wrapped = callsInOwnParens(rlx(), regions, broken);
  if (wrapped.length)
    out.push({ cap: 0.5, evidence: `leaves a call alone in its own parentheses (\`(a.b())\`, line ${wrapped.join(', ')} of the repair), as the file writes nowhere else: a ')' doubled after the call is likelier the slip` });
  // on every repair: the slip that stitched the blocks may be far from the edit, and of any token
  const apart = bracesIndentedApart(rlx(), regions);
  if (apart.length)
    out.push({
      cap: 0.5,
      evidence: `pairs a '{' with a '}' indented deeper than the line it opens on, around the edit (line ${apart.join(', ')} of the repair), as the file does nowhere else: a brace is still missing or extra there`,
    });
  const flat = blocksOverFlatLines(rlx(), regions);
  if (flat.length)
    out.push({
      cap: 0.3,
      evidence: `opens a block on line ${flat.join(', ')} of the repair that holds lines indented no deeper than that line, as the file's blocks never do: a '}' is still missing or extra there`,
    });
  const twins = twinLines(rlx(), edits, regions, broken);
  if (twins.length)
    out.push({
      cap: 0.5,
      // a twin says the repair may be wrong, not that its rival is right (bench:repair: lodash.js's lost ']' read as a '[' too many)
      weak: true,
      evidence: `repairs line ${twins.map(([l]) => l).join(', ')} otherwise than the file writes its twin (line ${twins.map(([, t]) => t).join(', ')}: the same tokens but for one bracket, ',' or ':'): that bracket is likelier the slip`,
    });
  const after = codeAfterBrace(repaired, edits, regions, broken, stats);
  if (after.length)
    out.push({
      cap: 0.5,
      evidence: `puts a '}' with code after it on its line (line ${after.join(', ')}), as the file never writes: a '}' typed mid-line is likelier the slip than the block's end`,
    });
  return out;
}

/**
 * 1-based lines of the repair where a `}` an edit put in is followed on its line by a new
 * statement (`format}key[1];`), a pair the file shows nowhere else.
 */
function codeAfterBrace(repaired: string, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed, stats: Bigrams): number[] {
  const out: number[] = [];
  edits.forEach((a, k) => {
    if (a.candidate.kind === 'delete' || a.candidate.token !== '}') return;
    const [lo, hi] = regions[k]!;
    const p = lo + repaired.slice(lo, hi).indexOf('}');
    const from = repaired.lastIndexOf('\n', Math.max(0, p - 1)) + 1;
    const end = repaired.indexOf('\n', p);
    const lx = lex(repaired.slice(from, end < 0 ? repaired.length : end));
    const at = tokenAt(lx, p - from);
    const brace = lx.tokens[at];
    const next = lx.tokens[at + 1];
    if (!brace || brace.type !== 'punct' || brace.value !== '}' || brace.start !== p - from) return;
    if (!next || !(next.type === 'name' || next.type === 'num' || next.type === 'string') || GOES_ON.has(next.value)) return;
    const pair = `} ${tokenClass(lx, next)}`;
    // the broken line's own pairs are the slip's doing: they are no witness
    const bl = lineOf(broken, a.offset);
    const blx = lex(broken.text.slice(broken.lineStarts[bl], broken.lineStarts[bl + 1] ?? broken.text.length));
    let local = 0;
    for (let j = 1; j < blx.tokens.length; j++) if (!blx.tokens[j]!.first && `${tokenClass(blx, blx.tokens[j - 1])} ${tokenClass(blx, blx.tokens[j])}` === pair) local++;
    if ((stats.pair.get(pair) ?? 0) <= local) out.push(lineOf(broken, a.offset) + 1);
  });
  return out;
}

/**
 * Edits (their indices) that put in a `}` ending a block opened on an earlier line after code on
 * its own line (`args[6])};`), when the file's other lines never close a block so.
 */
function blockEndsMidLine(rlx: Lexed, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed): number[] {
  const out: number[] = [];
  let habit: number | undefined;
  edits.forEach((a, k) => {
    if (a.candidate.kind === 'delete' || a.candidate.token !== '}') return;
    const [lo, hi] = regions[k]!;
    const at = tokenAt(rlx, lo);
    let j = at;
    while (j < rlx.tokens.length && rlx.tokens[j]!.start < hi && rlx.tokens[j]!.value !== '}') j++;
    const brace = rlx.tokens[j];
    if (!brace || brace.value !== '}' || brace.start >= hi || brace.first) return;
    const open = rlx.match[j]!;
    if (open < 0 || rlx.tokens[open]!.line === brace.line) return;
    // the broken line's own braces are the slip's doing: no witness
    const line = lineOf(broken, a.offset);
    habit ??= midLineEnds(broken, line);
    if (habit === 0) out.push(k);
  });
  return out;
}

/** The `}` after code on their line that close a `{` of an earlier line, in `lx` but for one line. */
function midLineEnds(lx: Lexed, skipLine: number): number {
  let n = 0;
  lx.tokens.forEach((t, k) => {
    if (t.type !== 'punct' || t.value !== '}' || t.first || t.line === skipLine) return;
    const open = lx.match[k]!;
    if (open >= 0 && lx.tokens[open]!.line < t.line) n++;
  });
  return n;
}

/** Edits (their indices) that put in a `{` with another `{` beside it on its line, when the file never writes `{ {`. */
function bracesSideBySide(rlx: Lexed, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed): number[] {
  const out: number[] = [];
  edits.forEach((a, k) => {
    if (a.candidate.kind === 'delete' || a.candidate.token !== '{') return;
    const [lo, hi] = regions[k]!;
    let j = tokenAt(rlx, lo);
    while (j < rlx.tokens.length && rlx.tokens[j]!.start < hi && rlx.tokens[j]!.value !== '{') j++;
    const t = rlx.tokens[j];
    if (!t || t.value !== '{' || t.start >= hi) return;
    const beside = [rlx.tokens[j - 1], rlx.tokens[j + 1]].some((n) => n && n.type === 'punct' && n.value === '{' && n.line === t.line);
    if (!beside) return;
    const line = lineOf(broken, a.offset);
    const seen = broken.tokens.some((b, i) => i > 0 && b.line !== line && b.value === '{' && b.type === 'punct' && broken.tokens[i - 1]!.value === '{' && broken.tokens[i - 1]!.line === b.line);
    if (!seen) out.push(k);
  });
  return out;
}

/**
 * 1-based lines where the repair deletes a `{` that ends its line and heads an indented block that
 * a `}` at the head's indentation closes: a block whole by its layout, whose `{` no slip put in.
 */
function blockOpenerDeleted(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  for (const a of edits) {
    if (a.candidate.kind !== 'delete' || a.candidate.edit.ins !== '') continue;
    const k = tokenAt(lx, a.offset);
    const t = lx.tokens[k];
    if (!t || t.type !== 'punct' || t.value !== '{' || t.start >= a.offset + a.candidate.edit.del) continue;
    const next = lx.tokens[k + 1];
    const prev = lx.tokens[k - 1];
    // a doubled `{ {` is the slip itself
    if ((next && next.line === t.line) || (prev && prev.line === t.line && prev.value === '{')) continue;
    // the '}' the lexer pairs with it leads its line, the lines between are indented deeper
    const close = lx.match[k]!;
    const end = lx.tokens[close];
    if (close < 0 || !end || !end.first || end.line === t.line) continue;
    const at = lx.indent[end.line]!;
    let deeper = true;
    for (let l = t.line + 1; l < end.line && deeper; l++) deeper = lx.indent[l]! < 0 || lx.indent[l]! > at;
    if (!deeper) continue;
    // and the statement the '{' heads starts at that '}''s indentation (back over its continuation
    // lines), not inside a block whose own '{' ends a line above (a stray '{' pairs with the enclosing '}')
    let h = t.line;
    while (h > 0 && (lx.indent[h]! < 0 || lx.indent[h]! > at)) h--;
    const last = lx.tokens[(lx.lineFirst[h + 1] ?? lx.tokens.length) - 1];
    if (h !== t.line && last && last.line === h && last.value === '{') continue;
    if (lx.indent[h] === at) out.push(t.line + 1);
  }
  return out;
}

type NodeTest = (n: Node & Record<string, unknown>) => boolean;

const assignsToCall: NodeTest = (n) =>
  (n.type === 'AssignmentExpression' && (n.left as Node).type === 'CallExpression') || (n.type === 'UpdateExpression' && (n.argument as Node).type === 'CallExpression');

/** `(err. res) = {`: an assignment whose target alone is in parentheses (acorn starts the assignment at the '(', its target after it). */
const assignsToParenthesized: NodeTest = (n) => n.type === 'AssignmentExpression' && (n.left as Node).start > n.start;

/** `'./eachOf'.js`: a name read off a string literal that String.prototype does not have (a read of undefined). */
const stringLacks: NodeTest = (n) => {
  if (n.type !== 'MemberExpression' || n.computed) return false;
  const object = n.object as Node & { value?: unknown };
  const property = n.property as Node & { name?: string };
  return object.type === 'Literal' && typeof object.value === 'string' && property.type === 'Identifier' && !(property.name! in String.prototype);
};

const callsThis: NodeTest = (n) => (n.type === 'CallExpression' || n.type === 'NewExpression') && (n.callee as Node).type === 'ThisExpression';

const commaSubscript: NodeTest = (n) => n.type === 'MemberExpression' && n.computed === true && (n.property as Node).type === 'SequenceExpression';

/**
 * Start offsets of calls at the edits that take a plain assignment to a name as an argument
 * (`require('./a',⏎ b = require('./b'))`, a declaration list's ',' left and its ';' typed as '.'),
 * when the program passes no such assignment to a call elsewhere. `f(a, (i += n))` is code people
 * write (lodash's chunk).
 */
function argumentsAssigned(program: Program, regions: readonly (readonly [number, number])[]): number[] {
  const near = (n: Node): boolean => regions.some(([lo, hi]) => n.start <= hi && n.end >= lo);
  const takesAssignment = (n: Node & Record<string, unknown>): boolean =>
    (n.type === 'CallExpression' || n.type === 'NewExpression') &&
    (n.arguments as (Node & Record<string, unknown>)[]).some((a) => a.type === 'AssignmentExpression' && a.operator === '=' && (a.left as Node).type === 'Identifier');
  const at: number[] = [];
  let elsewhere = 0;
  for (const n of nodeIndex(program).calls) {
    if (takesAssignment(n)) {
      if (near(n)) at.push(n.start);
      else elsewhere++;
    }
  }
  return elsewhere ? [] : at;
}

/**
 * Names on an edit's line of the broken text, a keyword garbled (garbledKeyword) and
 * written nowhere else in the file, that the repair keeps (`isPM: functioon (input) {` repaired
 * into a method of a new object literal, `isPM: {functioon (input) {`).
 */
function mistypedWordsKept(rlx: Lexed, edits: readonly AppliedEdit[], broken: Lexed): string[] {
  const lines = new Set(edits.map((a) => lineOf(broken, a.offset)));
  const words = new Set<string>();
  for (const line of lines) {
    for (let k = Math.max(0, broken.lineFirst[line]!); k < broken.tokens.length && broken.tokens[k]!.line === line; k++) {
      const t = broken.tokens[k]!;
      if (t.type === 'name' && garbledKeyword(t.value)) words.add(t.value);
    }
  }
  if (!words.size) return [];
  const once = (w: string, lx: Lexed): number => lx.tokens.filter((t) => t.type === 'name' && t.value === w).length;
  return [...words].filter((w) => once(w, broken) === 1 && once(w, rlx) >= 1);
}

/** The whole lines the regions sit on, in `lx`'s text. */
function linesOf(lx: Lexed, regions: readonly (readonly [number, number])[]): [number, number][] {
  return regions.map(([lo, hi]) => {
    const end = lx.text.indexOf('\n', hi);
    return [lx.text.lastIndexOf('\n', lo - 1) + 1, end < 0 ? lx.text.length : end];
  });
}

/** Keywords few files read as properties (`.catch`, `.default`, `.for`, `.delete` are common ones). */
const ODD_MEMBERS = new Set(['function', 'var', 'const', 'let', 'if', 'else', 'while', 'do', 'switch', 'case', 'break', 'continue', 'typeof', 'instanceof', 'void', 'with', 'class', 'extends', 'this', 'in', 'import', 'export', 'return']);

/**
 * Keywords the repair leaves read as properties (`baseRest.function(…)`, a '(' typed as '.') on
 * an edit's line, each written so nowhere else in the file: the repair mends something else.
 */
function keywordMembers(lx: Lexed, regions: readonly (readonly [number, number])[]): string[] {
  const lines = new Set(regions.map(([lo]) => lineOf(lx, lo)));
  const dotted = (k: number): boolean => {
    const t = lx.tokens[k]!;
    return t.type === 'name' && ODD_MEMBERS.has(t.value) && afterDot(lx, k);
  };
  const out: string[] = [];
  lx.tokens.forEach((t, k) => {
    if (!lines.has(t.line) || !dotted(k)) return;
    if (!lx.tokens.some((u, j) => j !== k && u.value === t.value && dotted(j))) out.push(t.value);
  });
  return out;
}

/**
 * Whether the tokens in (open, close) are one call chain ending in a call: `this.hours()`,
 * `a.b[c](d)`, with nothing else in the parentheses.
 */
function lonelyCall(lx: Lexed, open: number, close: number): boolean {
  let k = open + 1;
  if (lx.tokens[k]?.type !== 'name') return false;
  k++;
  let called = false;
  while (k < close) {
    const t = lx.tokens[k]!;
    if (t.type === 'punct' && (t.value === '.' || t.value === '?.') && lx.tokens[k + 1]?.type === 'name') {
      k += 2;
      called = false;
    } else if (t.type === 'punct' && (t.value === '(' || t.value === '[') && lx.match[k]! > k && lx.match[k]! < close) {
      called = t.value === '(';
      k = lx.match[k]! + 1;
    } else return false;
  }
  return called;
}

/** A '(' that wraps one call chain and is no call's or head's own: not after a name, ')' or ']'. */
function wrapsLonelyCall(lx: Lexed, open: number): boolean {
  const t = lx.tokens[open]!;
  const close = lx.match[open]!;
  if (t.type !== 'punct' || t.value !== '(' || close <= open) return false;
  const b = lx.tokens[open - 1];
  if (b && ((b.type === 'name' && !/^(return|typeof|void|await|throw|case|in|of|delete|yield)$/.test(b.value)) || (b.type === 'punct' && (b.value === ')' || b.value === ']')))) return false;
  return lonelyCall(lx, open, close);
}

/**
 * 1-based lines of the repair, at the edits, where a call stands alone in parentheses of its own
 * (`(this.hours()) !== 1 ? …` for `(this.hours() !== 1 ? …)`, when a doubled ')' was deleted at the
 * far end), when the broken text writes no such parentheses on any other line.
 */
function callsInOwnParens(rlx: Lexed, regions: readonly (readonly [number, number])[], broken: Lexed): number[] {
  const lines = new Set(regions.map(([lo]) => lineOf(rlx, lo)));
  const out: number[] = [];
  rlx.tokens.forEach((t, k) => {
    if (lines.has(t.line) && wrapsLonelyCall(rlx, k)) out.push(t.line + 1);
  });
  if (!out.length) return [];
  // the file's own habit, away from the edits' lines (lines shift by the edits only where they put in line breaks: a few)
  const near = new Set([...lines].flatMap((l) => [l - 2, l - 1, l, l + 1, l + 2]));
  return broken.tokens.some((t, k) => !near.has(t.line) && wrapsLonelyCall(broken, k)) ? [] : [...new Set(out)];
}

/**
 * End offsets of the last entries of object and array literals over several lines that the edit leaves
 * with no ',' before the closer's line, when the program ends at least TRAILING_HABIT other such
 * literals with a ',' and none without (`},⏎});` typed `}.⏎});` and repaired by deleting the '.').
 */
function trailingCommaDropped(program: Program, text: string, regions: readonly (readonly [number, number])[]): number[] {
  const at: number[] = [];
  let withComma = 0;
  let without = 0;
  for (const n of nodeIndex(program).literals) {
    if (n.type !== 'ObjectExpression' && n.type !== 'ArrayExpression') continue;
    const entries = (n.type === 'ObjectExpression' ? n.properties : n.elements) as (Node | null)[];
    const last = entries[entries.length - 1];
    if (!last) continue;
    const tail = text.slice(last.end, n.end - 1);
    // only a closer on a line of its own: `{ a, b }` on one line never takes the ','
    if (!tail.includes('\n')) continue;
    const comma = /^\s*,/.test(tail);
    if (!comma && regions.some(([lo, hi]) => lo >= last.end - 1 && hi <= last.end + tail.length)) at.push(last.end);
    else if (comma) withComma++;
    else without++;
  }
  return at.length && without === 0 && withComma >= TRAILING_HABIT ? at : [];
}

/** Literals the file must end with a ',' for its habit to count. */
const TRAILING_HABIT = 3;

/**
 * The nodes of a program that the whole-tree findings count, each kind in the order eachNode
 * visits them: the tree walked once per program, and each finding looping over its own kind
 * only, not over every node (reading the type of every kind of node is a slow, megamorphic load).
 */
interface NodeIndex {
  sequences: (Node & Record<string, unknown>)[];
  /** CallExpression and NewExpression. */
  calls: (Node & Record<string, unknown>)[];
  /** ObjectExpression and ArrayExpression. */
  literals: (Node & Record<string, unknown>)[];
}
const NODES = new WeakMap<Program, NodeIndex>();
function nodeIndex(program: Program): NodeIndex {
  let index = NODES.get(program);
  if (!index) {
    const idx: NodeIndex = { sequences: [], calls: [], literals: [] };
    eachNode(program, (n) => {
      const t = n.type;
      if (t === 'SequenceExpression') idx.sequences.push(n);
      else if (t === 'CallExpression' || t === 'NewExpression') idx.calls.push(n);
      else if (t === 'ObjectExpression' || t === 'ArrayExpression') idx.literals.push(n);
      return true;
    });
    NODES.set(program, (index = idx));
  }
  return index;
}

/** Every node of the tree, depth first; `enter` returns whether to go into the node's children. */
function eachNode(program: Program, enter: (n: Node & Record<string, unknown>) => boolean): void {
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const n = v as Node & Record<string, unknown>;
    if (typeof n.type !== 'string' || !enter(n)) return;
    // for…in, not Object.entries: the same keys in the same order (acorn's nodes inherit none), no array per node
    for (const key in n) {
      const x = n[key];
      if (key !== 'loc' && x && typeof x === 'object') walk(x);
    }
  };
  walk(program);
}

/**
 * Offsets of the `else`s, in the statement lists that hold an edit, that open a line indented
 * less than their `if`'s (`if (!t) x = null;⏎ else if (…) {` under `if (…) {`): a reader pairs
 * an `else` with the `if` at its own indentation, which a '}' lost before it left open.
 */
function elsesOutdented(program: Program, rlx: Lexed, regions: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  const near = (n: Node): boolean => regions.some(([lo, hi]) => n.start <= hi && n.end >= lo);
  const indentAt = (o: number): number => rlx.indent[lineOf(rlx, o)]!;
  const check = (st: Node & Record<string, unknown>): void => {
    for (let n = st; n.type === 'IfStatement' && n.alternate; n = n.alternate as Node & Record<string, unknown>) {
      const from = (n.consequent as Node).end;
      const at = from + rlx.text.slice(from, (n.alternate as Node).start).indexOf('else');
      const line = lineOf(rlx, at);
      // only an `else` that opens its line: `} else` sits at its '}''s indentation
      if (at < from || rlx.tokens[rlx.lineFirst[line]!]?.start !== at) continue;
      if (rlx.indent[line]! < indentAt(n.start)) out.push(at);
    }
  };
  eachNode(program, (n) => {
    if (!near(n)) return false;
    const list = n.type === 'Program' || n.type === 'BlockStatement' ? (n.body as (Node & Record<string, unknown>)[]) : n.type === 'SwitchCase' ? (n.consequent as (Node & Record<string, unknown>)[]) : undefined;
    if (list) for (const st of list) check(st);
    return true;
  });
  return out;
}

/** Start offsets of the nodes passing `test` that overlap an edit's region. */
function nodesAtEdits(program: Program, regions: readonly (readonly [number, number])[], test: NodeTest): number[] {
  const out: number[] = [];
  const near = (n: Node): boolean => regions.some(([lo, hi]) => n.start <= hi && n.end >= lo);
  eachNode(program, (n) => {
    if (!near(n)) return false;
    if (test(n)) out.push(n.start);
    return true;
  });
  return out;
}

/**
 * Where acorn refuses the repair as an assignment to a call (V8 takes `f() = x` and throws only
 * when it runs; acorn says so at once), when that is at an edit's region.
 */
function rvalueAssigned(text: string, regions: readonly (readonly [number, number])[]): number[] {
  // a whole parse only where an edit's line assigns after a ')' or ']'
  const lines = regions.map(([lo, hi]) => text.slice(text.lastIndexOf('\n', lo - 1) + 1, text.indexOf('\n', hi) < 0 ? text.length : text.indexOf('\n', hi)));
  if (!lines.some((l) => /[)\]]\s*(=(?![=>])|[-+*/%&|^]=|\+\+|--)/.test(l))) return [];
  for (const sourceType of ['script', 'module'] as const) {
    try {
      acorn.parse(text, { ecmaVersion: 'latest', sourceType, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: sourceType === 'module' });
      return [];
    } catch (e) {
      const pos = (e as { pos?: number }).pos;
      if (!(e instanceof SyntaxError) || pos === undefined) return [];
      if (/rvalue/.test(e.message)) {
        // the target's start: the edit sits in it, or in the call's arguments
        const line = text.lastIndexOf('\n', pos) + 1;
        const end = text.indexOf('\n', pos);
        return regions.some(([lo, hi]) => hi >= line && lo <= (end < 0 ? text.length : end)) ? [pos] : [];
      }
    }
  }
  return [];
}

/** Start offsets of comma expressions at the edits, when the program has none elsewhere. */
function newSequence(program: Program, text: string, regions: readonly (readonly [number, number])[]): number[] {
  // the parentheses around a sequence are its own (`(this, f)` closed by a ')' put in after f's)
  const wrapped = (from: number, to: number, parens: RegExp): boolean => to - from < 40 && parens.test(text.slice(from, to));
  const near = (n: Node): boolean => regions.some(([lo, hi]) => (n.start <= hi || wrapped(hi, n.start, /^[\s(]*$/)) && (n.end >= lo || wrapped(n.end, lo, /^[\s)]*$/)));
  const at: number[] = [];
  let elsewhere = 0;
  for (const n of nodeIndex(program).sequences) {
    // `(0, f)(x)`: a call without its `this`, as compilers write it, is no slip's doing
    if ((n.expressions as Node[])[0]?.type !== 'Literal') {
      if (near(n)) at.push(n.start);
      else elsewhere++;
    }
  }
  return elsewhere ? [] : at;
}

/** 1-based lines where an edit's '.' begins a number (`= .0`), when the file writes no number so. */
function leadingDotNumbers(rlx: Lexed, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed): number[] {
  const out: number[] = [];
  const dotted = (lx: Lexed, t: { type: string; start: number }): boolean => t.type === 'num' && lx.text[t.start] === '.';
  edits.forEach((a, k) => {
    if (!a.candidate.edit.ins.includes('.')) return;
    const [lo, hi] = regions[k]!;
    const t = rlx.tokens[tokenAt(rlx, lo)];
    if (!t || t.start >= hi || !dotted(rlx, t)) return;
    const line = lineOf(broken, a.offset);
    if (!broken.tokens.some((b) => b.line !== line && dotted(broken, b))) out.push(line + 1);
  });
  return out;
}

/** A statement that does nothing: an empty one (`};` after a block, `{;`), or one that only reads a name (`require;`, `x.split;`). */
function idle(n: Node & Record<string, unknown>): boolean {
  if (n.type === 'EmptyStatement') return true;
  const e = n.type === 'ExpressionStatement' ? (n.expression as Node) : undefined;
  return !!e && (e.type === 'Identifier' || (e.type === 'MemberExpression' && !(e as Node & { computed: boolean }).computed));
}

/** Start offsets of statements that do nothing at the edits, when the program has none elsewhere. */
function idleStatements(program: Program, regions: readonly (readonly [number, number])[]): number[] {
  // the statement holds what an edit put in, or the spot where one deleted: `;(function` beside an edit is the file's own
  const near = (n: Node): boolean => regions.some(([lo, hi]) => (hi > lo ? n.start < hi && n.end > lo : n.start < lo && n.end > lo));
  // the statements at the edits first (a walk of their branches alone): the whole tree only when one does nothing
  const at: number[] = [];
  const first = Math.min(...regions.map(([lo]) => lo));
  const last = Math.max(...regions.map(([, hi]) => hi));
  eachNode(program, (n) => {
    if (n.end < first || n.start > last) return false;
    if (idle(n) && near(n)) at.push(n.start);
    return true;
  });
  if (!at.length) return [];
  let elsewhere = 0;
  eachNode(program, (n) => {
    if (idle(n) && !near(n)) elsewhere++;
    return elsewhere === 0;
  });
  return elsewhere ? [] : at;
}

/** A property's key as written, for a plain `key: value` or shorthand; undefined for computed keys, methods, accessors, spreads. */
function plainKey(p: Node & Record<string, unknown>): string | undefined {
  if (p.type !== 'Property' || p.kind !== 'init' || p.computed || p.method) return undefined;
  const k = p.key as Node & { name?: string; value?: unknown };
  return k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : undefined;
}

/** Start offsets of properties at an edit whose key an earlier or later property of the same literal repeats (`{ a, a: 1 }`). */
function keysWrittenTwice(program: Program, regions: readonly (readonly [number, number])[]): number[] {
  const at = (n: Node): boolean => regions.some(([lo, hi]) => n.start <= hi && n.end >= lo);
  const out: number[] = [];
  eachNode(program, (n) => {
    if (!at(n)) return false;
    if (n.type !== 'ObjectExpression') return true;
    const props = n.properties as (Node & Record<string, unknown>)[];
    const seen = new Map<string, number>();
    for (const p of props) {
      const k = plainKey(p);
      if (k !== undefined) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    for (const p of props) {
      const k = plainKey(p);
      if (k !== undefined && seen.get(k)! > 1 && at(p)) out.push(p.start);
    }
    return true;
  });
  return out;
}

/** Statements that may end with ';' or by automatic semicolon insertion. */
const SEMI_ENDED = new Set(['ExpressionStatement', 'VariableDeclaration', 'ReturnStatement', 'ThrowStatement', 'BreakStatement', 'ContinueStatement', 'ImportDeclaration', 'ExportAllDeclaration']);

/** Whether the statement ends with ';' or with nothing (`export default x`, not `export default function`). */
function semicolonOptional(n: Node & Record<string, unknown>): boolean {
  const exported = n.type === 'ExportNamedDeclaration' ? !n.declaration : n.type === 'ExportDefaultDeclaration' ? !/Declaration$/.test((n.declaration as Node).type) : false;
  return SEMI_ENDED.has(n.type) || exported;
}

const SEMICOLON = 59;

/**
 * Start offsets of statements that end at an edit with no ';' (automatic semicolon insertion),
 * when the file ends at least SEMI_HABIT other statements with ';' and none without:
 * `'[object WeakMap]'.⏎var x` repaired by deleting the '.' rather than reading it as the ';'.
 * A statement ended by its block's '}' counts only where the edit deletes what stood there
 * (`f(x))⏎}` read as `f(x)⏎}`, where `f(x);⏎}` lost its ';' to the ')'), and only in a file that
 * writes the ';' before every other block end too: a closer put back before a '}' leaves the
 * ending the file had (`factory(x)⏎}`, which many files that write ';' leave bare).
 */
function statementsEndedByAsi(program: Program, repaired: string, regions: readonly (readonly [number, number])[], deletes: readonly boolean[]): number[] {
  const endsAt = (n: Node, blockEnded: boolean): boolean => regions.some(([lo, hi], k) => n.end >= lo - 1 && n.end <= hi + 1 && (!blockEnded || deletes[k]));
  const first = Math.min(...regions.map(([lo]) => lo)) - 1;
  const last = Math.max(...regions.map(([, hi]) => hi)) + 1;
  // ended by a line break ('line'), by its block's '}' on a later line ('block'), or not by ASI
  const ending = (n: Node): 'line' | 'block' | undefined => {
    const after = repaired.slice(n.end, n.end + 400);
    const gap = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(after)![0];
    const next = after[gap.length];
    if (next === undefined || !gap.includes('\n')) return undefined;
    return next === '}' ? 'block' : 'line';
  };
  const bare = (n: Node & Record<string, unknown>, heads: Set<Node>): boolean => semicolonOptional(n) && !heads.has(n) && repaired.charCodeAt(n.end - 1) !== SEMICOLON;
  // a `for (var i = 0; …)` head's declaration ends with no ';' of its own
  const headsOf = (n: Node & Record<string, unknown>, heads: Set<Node>): void => {
    if (n.type === 'ForStatement' && n.init) heads.add(n.init as Node);
    if ((n.type === 'ForInStatement' || n.type === 'ForOfStatement') && n.left) heads.add(n.left as Node);
  };
  const at: number[] = [];
  let blockEnded = false;
  const heads = new Set<Node>();
  eachNode(program, (n) => {
    if (n.end < first || n.start > last) return false;
    headsOf(n, heads);
    const end = bare(n, heads) ? ending(n) : undefined;
    if (end && endsAt(n, end === 'block')) {
      at.push(n.start);
      if (end === 'block') blockEnded = true;
    }
    return true;
  });
  if (!at.length) return [];
  let semi = 0;
  let without = 0;
  const allHeads = new Set<Node>();
  eachNode(program, (n) => {
    headsOf(n, allHeads);
    if (semicolonOptional(n) && !allHeads.has(n) && !at.includes(n.start)) {
      if (repaired.charCodeAt(n.end - 1) === SEMICOLON) semi++;
      else {
        const end = ending(n);
        if (end === 'line' || (end === 'block' && blockEnded)) without++;
      }
    }
    return without === 0;
  });
  return without === 0 && semi >= SEMI_HABIT ? at : [];
}

/** Statements the file must end with ';' for its habit to count. */
const SEMI_HABIT = 5;

const functionAsStatement: NodeTest = (n) =>
  n.type === 'ExpressionStatement' && ['FunctionExpression', 'ArrowFunctionExpression', 'ClassExpression'].includes((n.expression as Node).type);

/** Offsets of '(' an edit put in (`opened`: those edits' regions) that open their line and call what ends on a line above (`x⏎(y)`). */
function callsOpenedBelow(program: Program, repaired: string, opened: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  const near = (n: Node): boolean => opened.some(([lo, hi]) => n.start <= hi && n.end >= lo);
  eachNode(program, (n) => {
    if (!near(n)) return false;
    if (n.type === 'CallExpression') {
      const callee = n.callee as Node;
      const paren = repaired.indexOf('(', callee.end);
      if (paren >= 0 && opened.some(([lo, hi]) => paren >= lo && paren < hi) && /\n/.test(repaired.slice(callee.end, paren)) && /^\s*$/.test(repaired.slice(repaired.lastIndexOf('\n', paren) + 1, paren))) out.push(paren);
    }
    return true;
  });
  return out;
}

/** Edits (their indices) that put in a '(' or ')' of an empty pair whose two halves are on different lines. */
function emptyParensOverLines(rlx: Lexed, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  edits.forEach((a, k) => {
    const c = a.candidate;
    if (c.kind === 'delete' || (c.token !== '(' && c.token !== ')')) return;
    const [lo, hi] = regions[k]!;
    for (let t = tokenAt(rlx, lo); t < rlx.tokens.length && rlx.tokens[t]!.start < hi; t++) {
      const tok = rlx.tokens[t]!;
      if (tok.type !== 'punct' || tok.value !== c.token) continue;
      const m = rlx.match[t]!;
      if ((m === t + 1 || m === t - 1) && rlx.tokens[m]!.line !== tok.line) {
        out.push(k);
        return;
      }
    }
  });
  return out;
}

/**
 * Start offsets of bare blocks (a block among statements, headed by no `if`, loop, function or
 * `case`) whose '{' an edit put in (`opened`: those edits' regions), when the program has no other bare block: `.function f` typed
 * for `function f` read as `{function f` closed by an extra '}'.
 */
function newBareBlock(program: Program, opened: readonly (readonly [number, number])[]): number[] {
  const at: number[] = [];
  let elsewhere = 0;
  eachNode(program, (n) => {
    if (n.type !== 'Program' && n.type !== 'BlockStatement' && n.type !== 'StaticBlock') return true;
    for (const b of n.body as Node[]) {
      if (b.type !== 'BlockStatement') continue;
      if (opened.some(([lo, hi]) => b.start >= lo && b.start < hi)) at.push(b.start);
      else elsewhere++;
    }
    return true;
  });
  return elsewhere ? [] : at;
}

/**
 * 1-based lines where the repair deletes a '[' that leads its line and has no ']' on it, when
 * another line of the file leads with '[' and closes it on the line (`['a', 'b'],`).
 */
function listLineOpenerDeleted(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  const closedOnLine = (line: number): boolean => {
    const f = lx.lineFirst[line] ?? -1;
    const t = lx.tokens[f];
    return !!t && t.value === '[' && t.type === 'punct' && lx.match[f]! >= 0 && lx.tokens[lx.match[f]!]!.line === line;
  };
  for (const a of edits) {
    if (a.candidate.kind !== 'delete' || a.candidate.edit.ins !== '') continue;
    const k = tokenAt(lx, a.offset);
    const t = lx.tokens[k];
    if (!t || t.type !== 'punct' || t.value !== '[' || !t.first || t.start >= a.offset + a.candidate.edit.del) continue;
    if (closedOnLine(t.line)) continue;
    let has = false;
    for (let l = 0; l < lx.lineStarts.length && !has; l++) has = l !== t.line && lx.indent[l] === lx.indent[t.line] && closedOnLine(l);
    if (has) out.push(t.line + 1);
  }
  return out;
}

/** 1-based lines whose only token the repair deletes (not a bracket: a doubled '}' line is a slip). */
function loneTokenDeleted(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  for (const a of edits) {
    // a stray character ('\\', '#', '@') is typed where no token goes: alone on a line too
    if (a.candidate.kind !== 'delete' || a.candidate.edit.ins !== '' || a.candidate.why === 'stray') continue;
    const k = tokenAt(lx, a.offset);
    const t = lx.tokens[k];
    if (!t || t.start >= a.offset + a.candidate.edit.del || /^[()[\]{}]$/.test(t.value)) continue;
    const alone = t.first && (lx.tokens[k + 1]?.line ?? -1) !== t.line;
    if (alone) out.push(t.line + 1);
  }
  return out;
}

/**
 * Names a '.' put in makes properties of (`path castFunction(u)` read as `path.castFunction(u)`)
 * that the file writes as a bare name elsewhere and never after a '.'.
 */
function variablesAsMembers(edits: readonly AppliedEdit[], lx: Lexed): string[] {
  const out: string[] = [];
  const toks = lx.tokens;
  for (const a of edits) {
    const c = a.candidate;
    // put in between two tokens, where a lost ',' would go too (a '.' in place of a token is another slip)
    if (c.token !== '.' || c.kind !== 'insert') continue;
    const k = tokenAt(lx, a.offset);
    const t = toks[k];
    if (!t || t.type !== 'name' || !/^\s*$/.test(lx.text.slice(a.offset, t.start))) continue;
    const { bare, member } = nameUses(lx, t.value, k);
    if (bare >= 1 && member === 0) out.push(t.value);
  }
  return out;
}

/**
 * Names of members read right before an edit and not called after it (`this.date))` repaired as
 * `this.date)`), that the file calls at each of at least two other mentions (`this.date()`).
 */
function methodsUncalled(edits: readonly AppliedEdit[], lx: Lexed): string[] {
  const out: string[] = [];
  const toks = lx.tokens;
  const member = (k: number): boolean => toks[k]?.type === 'name' && afterDot(lx, k);
  const called = (k: number): boolean => toks[k + 1]?.type === 'punct' && toks[k + 1]!.value === '(';
  for (const a of edits) {
    const c = a.candidate;
    if (c.token === '(' && c.kind !== 'delete') continue;
    // the member just before the edit, or before the ')' just before it (`this.date)⏎)`)
    let k = tokenAt(lx, a.offset) - 1;
    if (k > 0 && toks[k]!.value === ')' && toks[k]!.type === 'punct') k--;
    if (k < 1 || !member(k) || called(k) || !/^[\s)]*$/.test(lx.text.slice(toks[k]!.end, a.offset))) continue;
    if (a.offset === toks[k]!.end && c.kind === 'delete' && toks[tokenAt(lx, a.offset + c.edit.del)]?.value === '(') continue;
    const name = toks[k]!.value;
    let calls = 0;
    let reads = 0;
    for (let j = 1; j < toks.length && reads === 0; j++) {
      if (j === k || toks[j]!.value !== name || !member(j)) continue;
      if (called(j)) calls++;
      else reads++;
    }
    if (calls >= 2 && reads === 0) out.push(name);
  }
  return out;
}

/** 1-based lines where the repair deletes the `}` of `const name} =`: a pattern's '{' lost is as likely. */
function patternCloseDeleted(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  for (const a of edits) {
    if (a.candidate.kind !== 'delete' || a.candidate.edit.ins !== '') continue;
    const removed = lx.text.slice(a.offset, a.offset + a.candidate.edit.del);
    if (removed.trim() !== '}') continue;
    const line = lineOf(lx, a.offset);
    const before = lx.text.slice(lx.lineStarts[line], a.offset);
    if (/\b(const|let|var)\s+[\w$]+(\s*,\s*[\w$]+)*\s*$/.test(before) && /^\s*=/.test(lx.text.slice(a.offset + a.candidate.edit.del, a.offset + 40))) out.push(line + 1);
  }
  return out;
}

const TRAILING = /,[ \t]*[)\]]/;

/** 1-based lines where the repair leaves `, )` or `, ]` at its edit, when no other line of the broken text has one. */
function trailingCommaOnLine(repaired: string, regions: readonly (readonly [number, number])[], lx: Lexed, edits: readonly AppliedEdit[]): number[] {
  const out: number[] = [];
  regions.forEach(([lo, hi], k) => {
    const near = repaired.slice(Math.max(0, lo - 3), hi + 3);
    if (!TRAILING.test(near)) return;
    const line = lineOf(lx, edits[k]!.offset);
    let seen = false;
    for (let l = 0; l < lx.lineStarts.length && !seen; l++) if (l !== line) seen = TRAILING.test(lx.text.slice(lx.lineStarts[l], lx.lineStarts[l + 1] ?? lx.text.length));
    if (!seen) out.push(line + 1);
  });
  return out;
}

const SPACED_PAREN = /[\w$]\([ \t]+[^\s)]/;

/**
 * 1-based lines of edits (not at the spot) whose line in the broken text has a call's '(' spaced
 * from its first argument (`iteratee( 2)`), when no other line of the file does: a ',' typed as '('
 * left it so, and a repair elsewhere on the line mends the wrong thing.
 */
function oddlySpacedParen(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  const lineText = (l: number): string => lx.text.slice(lx.lineStarts[l], lx.lineStarts[l + 1] ?? lx.text.length);
  let elsewhere: boolean | undefined;
  for (const a of edits) {
    const line = lineOf(lx, a.offset);
    const m = SPACED_PAREN.exec(lineText(line));
    if (!m) continue;
    const paren = lx.lineStarts[line]! + m.index + 1;
    if (a.offset >= paren - 1 && a.offset <= paren + 1) continue;
    elsewhere ??= lx.lineStarts.some((_, l) => l !== line && SPACED_PAREN.test(lineText(l)));
    if (!elsewhere) out.push(line + 1);
  }
  return out;
}

/**
 * 1-based lines of the repair where a '}' that leads its line closes a '{' around an edit whose
 * line is indented less than the '}' (`function f() {` at 0 closed by a loop's `}` at 4): the
 * pairs the indentation draws are not the ones the brackets make, so the repair has stitched
 * one block's head to another's end (two slips read as one). Only when no other pair in the
 * file is so indented (a habit, or damage the repair did not touch).
 */
function bracesIndentedApart(lx: Lexed, regions: readonly (readonly [number, number])[]): number[] {
  const around: number[] = [];
  let elsewhere = 0;
  lx.tokens.forEach((t, k) => {
    if (!t.first || t.type !== 'punct' || t.value !== '}') return;
    const open = lx.match[k]!;
    if (open < 0) return;
    const o = lx.tokens[open]!;
    if (o.value !== '{' || lx.indent[t.line]! <= lx.indent[o.line]! || !headsBlockOnItsLine(lx, open)) return;
    if (regions.some(([lo, hi]) => o.start < lo && hi <= t.start)) around.push(t.line + 1);
    else elsewhere++;
  });
  return elsewhere ? [] : around;
}

/**
 * 1-based lines of the repair, at the edits, that open a block with lines inside it indented no
 * deeper than the opening line (\`function f(o) { return { default: o  }\` left open by a deleted ';'
 * until an extra '}' far below, holding the next functions), when no other block of the file does.
 */
function blocksOverFlatLines(lx: Lexed, regions: readonly (readonly [number, number])[]): number[] {
  const lines = new Set(regions.map(([lo]) => lineOf(lx, lo)));
  const around = new Set<number>();
  let elsewhere = 0;
  for (let line = 0; line < lx.lineFirst.length && !elsewhere; line++) {
    const first = lx.lineFirst[line]!;
    if (first < 0) continue;
    const f = lx.tokens[first]!;
    // a closer leads the line at its block's own indentation
    if (f.type === 'punct' && (f.value === '}' || f.value === ')' || f.value === ']')) continue;
    const open = lx.parent[first]!;
    if (open < 0) continue;
    const o = lx.tokens[open]!;
    if (o.value !== '{' || o.type !== 'punct' || o.line === line) continue;
    // a head over several lines (\`if (a ||⏎    b) {\`) indents its block from the line it starts on
    const before = lx.tokens[open - 1];
    const head = before?.type === 'punct' && before.value === ')' && lx.match[open - 1]! >= 0 ? lx.tokens[lx.match[open - 1]!]!.line : o.line;
    if (lx.indent[line]! > Math.min(lx.indent[o.line]!, lx.indent[head]!)) continue;
    if (lines.has(o.line)) around.add(o.line + 1);
    else elsewhere++;
  }
  return elsewhere ? [] : [...around];
}

/**
 * A '{' that ends a statement's head on one line (`function f(a) {`, `} else {`, `for (…) {`):
 * after ')' or a keyword, last on its line, with no other bracket of the line left open. A
 * callback's or a literal's '{' (`if (some(xs, function (x) {`, `var map = {`) is often closed
 * deeper: the file's style, not a sign.
 */
function headsBlockOnItsLine(lx: Lexed, open: number): boolean {
  const o = lx.tokens[open]!;
  const next = lx.tokens[open + 1];
  if (next && next.line === o.line) return false;
  const prev = lx.tokens[open - 1];
  if (!prev || !((prev.type === 'punct' && prev.value === ')') || (prev.type === 'name' && /^(else|try|finally|do)$/.test(prev.value)))) return false;
  const first = lx.lineFirst[o.line]!;
  const f = lx.tokens[first]!;
  const closes = f.type === 'punct' && (f.value === '}' || f.value === ')' || f.value === ']') ? 1 : 0;
  return lx.depth[first]! - closes === lx.depth[open]!;
}

/** Tokens a twin line may differ by: what a slip loses, doubles or mistypes. */
const TWIN_DIFF = new Set(['(', ')', '[', ']', '{', '}', ',', ':']);
/** A line shorter than this repeats by chance (`});`, `return x;`). */
const TWIN_MIN_TOKENS = 6;

/**
 * [1-based line of the broken text, 1-based line of its twin] where an edit sits on a line that
 * another line of the file writes with one bracket, ',' or ':' more, less or other (literals
 * aside: a locale's `return result + (plural(number) ? 'hodiny' : 'hodín');` for each unit), and
 * the repair's line is not that twin. Code repeats itself; a slip rarely repeats the same way.
 */
function twinLines(rlx: Lexed, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed): [number, number][] {
  const out: [number, number][] = [];
  let lines: string[][] | undefined;
  edits.forEach((a, k) => {
    const L = lineOf(broken, a.offset);
    const mine = lineKeys(broken, L);
    if (mine.length < TWIN_MIN_TOKENS) return;
    lines ??= allLineKeys(broken);
    const rl = lineOf(rlx, regions[k]![0]);
    const fixed = lineKeys(rlx, rl).join(' ');
    let twin = -1;
    for (let M = 0; M < lines.length; M++) {
      const other = lines[M]!;
      if (M === L || Math.abs(other.length - mine.length) > 1) continue;
      // a line the file writes as the repair does: the repair reads as the file
      if (other.join(' ') === fixed) return;
      if (twin < 0 && oneTwinEdit(mine, other)) twin = M;
    }
    if (twin >= 0) out.push([L + 1, twin + 1]);
  });
  return out;
}

function tokenKey(lx: Lexed, k: number): string {
  const t = lx.tokens[k]!;
  return t.type === 'string' || t.type === 'template' ? "'s'" : t.type === 'num' ? '0' : t.value || lx.text.slice(t.start, t.end);
}

function lineKeys(lx: Lexed, line: number): string[] {
  const out: string[] = [];
  for (let k = lx.lineFirst[line] ?? -1; k >= 0 && k < lx.tokens.length && lx.tokens[k]!.line === line; k++) out.push(tokenKey(lx, k));
  return out;
}

function allLineKeys(lx: Lexed): string[][] {
  const out: string[][] = lx.lineStarts.map(() => []);
  lx.tokens.forEach((t, k) => out[t.line]!.push(tokenKey(lx, k)));
  return out;
}

/** Whether `b` is `a` with one TWIN_DIFF token put in, taken out, or put for another token. */
function oneTwinEdit(a: readonly string[], b: readonly string[]): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return i < a.length && (TWIN_DIFF.has(a[i]!) || TWIN_DIFF.has(b[i]!)) && a.slice(i + 1).join(' ') === b.slice(i + 1).join(' ');
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return TWIN_DIFF.has(long[i]!) && long.slice(i + 1).join(' ') === short.slice(i).join(' ');
}
