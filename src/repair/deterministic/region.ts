/**
 * Checking the affected region first. In a large file, compiling the whole text once per
 * candidate is most of the search's cost; but a candidate that fails fails inside the top-level
 * statements it touches. So a candidate is first compiled as just the span of top-level
 * statements from the one holding the edit to the one holding the error: if V8 reports an error
 * inside that span, after the edit and before the span's end, the whole file fails there too
 * (the statements before the span parsed, and a parser reads on from them alone). Anything else
 * (the span parses, or fails at its edge) is inconclusive and the whole file is compiled.
 */
import { compileVerdict, endOfInput, type ModuleFormat } from '../../analysis/compile.js';
import type { Edit } from './candidates.js';
import type { Lexed } from './tokens.js';

/** Files below this size are always compiled whole: V8 is faster than the bookkeeping. */
export const REGION_MIN_SIZE = 48 * 1024;

const CONTINUATIONS = new Set(['else', 'catch', 'finally', 'while', 'in', 'of', 'instanceof']);

/**
 * Where V8 rejects a span of statements (an offset in it), when that means the whole file fails
 * there too: not at the span's last character or its end of input (the file may go on to
 * complete it), and not an `export` of a name declared outside it. `prefix` is compiled before
 * the span (`'use strict';`). Undefined otherwise.
 */
export function rejectedInside(span: string, filename: string, format: ModuleFormat, prefix = ''): number | undefined {
  const v = compileVerdict(prefix + span, filename, format);
  if (v.ok || v.line <= 0 || endOfInput(v.message) || v.message.startsWith('Export ')) return undefined;
  let at = 0;
  for (let l = 1; l < v.line; l++) {
    const nl = span.indexOf('\n', at);
    if (nl < 0) return undefined;
    at = nl + 1;
  }
  at += Math.max(0, v.column - 1 - (v.line === 1 ? prefix.length : 0));
  return at < span.length - 1 ? at : undefined;
}

export type RegionVerdict = { ok: false; offset: number } | { ok: 'unknown' };

export class RegionChecker {
  private readonly boundaries: number[] = [];
  private readonly strict: boolean;
  private readonly enabled: boolean;

  constructor(
    private readonly lx: Lexed,
    private readonly err: number,
    private readonly filename: string,
    private readonly format: ModuleFormat,
  ) {
    this.enabled = lx.text.length >= REGION_MIN_SIZE;
    const first = lx.tokens[0];
    this.strict = !!first && first.type === 'string' && /^['"]use strict['"]$/.test(lx.text.slice(first.start, first.end));
    if (!this.enabled) return;
    const toks = lx.tokens;
    for (let t = 1; t < toks.length; t++) {
      const tok = toks[t]!;
      if (lx.depth[t] !== 0 || !tok.first) continue;
      const prev = toks[t - 1]!;
      if (prev.type !== 'punct' || (prev.value !== ';' && prev.value !== '}')) continue;
      if (prev.value === '}' && (tok.type !== 'name' || CONTINUATIONS.has(tok.value))) continue;
      this.boundaries.push(lx.lineStarts[tok.line]!);
    }
  }

  /** Compile the span around the edit; `text` is the state's text with `e` applied. */
  check(text: string, e: Edit): RegionVerdict {
    if (!this.enabled) return { ok: 'unknown' };
    const delta = e.ins.length - e.del;
    const lo = Math.min(e.offset, this.err);
    const hi = Math.max(e.offset + e.del, this.err + 1);
    const start = this.lastAtOrBefore(lo);
    const endState = this.firstAtOrAfter(hi);
    const end = endState < 0 ? text.length : endState + delta;
    if (end - start > 0.6 * text.length) return { ok: 'unknown' };
    const prefix = this.strict && this.format === 'commonjs' ? "'use strict';" : '';
    const at = rejectedInside(text.slice(start, end), this.filename, this.format, prefix);
    if (at === undefined || start + at < e.offset) return { ok: 'unknown' };
    return { ok: false, offset: start + at };
  }

  private lastAtOrBefore(x: number): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid]! <= x) {
        best = b[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  private firstAtOrAfter(x: number): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid]! >= x) {
        best = b[mid]!;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return best;
  }
}
