/**
 * From a model's raw answer to the code it meant: `<think>` blocks and markdown fences removed.
 *
 * Every step is a linear scan with `indexOf` and character tests (no backtracking regular
 * expressions), so a runaway 50 MB answer costs one pass, not minutes.
 */
export function cleanAnswer(text: string): string {
  return stripFences(stripThinking(text)).trim();
}

const THINK_TAGS = ['think', 'thinking'] as const;

function isBlank(c: number): boolean {
  // space, tab, \r, \f, \v
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

/**
 * True when only blanks stand between the start of the line (or `floor`, the end of a block
 * just removed) and `index`.
 */
function atLineStart(text: string, index: number, floor = 0): boolean {
  let i = index - 1;
  while (i >= floor && isBlank(text.charCodeAt(i))) i--;
  return i < floor || text.charCodeAt(i) === 10;
}

/**
 * Remove `<think>…</think>` (and `<thinking>…</thinking>`) blocks whose opening tag starts a line
 * (a place no JavaScript puts it); a block left open runs to the end of the answer, so an answer
 * that is only an unfinished thought becomes empty. A closing tag starting a line with no opening
 * one before it (chat templates that put `<think>` in the prompt) drops everything up to it.
 */
export function stripThinking(text: string): string {
  if (!text.includes('<think') && !text.includes('</think')) return text;
  let out = text;
  // An orphan closing tag starting a line: the opening one was in the template, not the answer.
  for (const tag of THINK_TAGS) {
    const close = out.indexOf(`</${tag}>`);
    if (close >= 0 && atLineStart(out, close)) {
      const open = out.indexOf(`<${tag}>`);
      if (open < 0 || open > close) out = out.slice(close + tag.length + 3);
    }
  }
  const parts: string[] = [];
  const next = openTagFinder(out);
  let pos = 0;
  let search = 0;
  for (;;) {
    const found = next(search);
    if (!found) break;
    const { index, tag } = found;
    if (!atLineStart(out, index, pos)) {
      search = index + 1;
      continue;
    }
    parts.push(out.slice(pos, index));
    const closeTag = `</${tag}>`;
    const close = out.indexOf(closeTag, index);
    if (close < 0) {
      pos = out.length;
      break;
    }
    pos = close + closeTag.length;
    search = pos;
  }
  if (parts.length === 0) return out;
  parts.push(out.slice(pos));
  return parts.join('');
}

/**
 * The next opening tag at or after `from` (calls come with `from` never decreasing). Each tag's
 * next position is remembered, so the text is searched once per tag, not once per call.
 */
function openTagFinder(text: string): (from: number) => { index: number; tag: string } | undefined {
  const nextAt = new Map<string, number>(THINK_TAGS.map((t) => [t, -2]));
  return (from) => {
    let best: { index: number; tag: string } | undefined;
    for (const tag of THINK_TAGS) {
      let i = nextAt.get(tag)!;
      if (i !== -1 && i < from) {
        i = text.indexOf(`<${tag}>`, from);
        nextAt.set(tag, i);
      }
      if (i >= 0 && (!best || i < best.index)) best = { index: i, tag };
    }
    return best;
  };
}

interface Fence {
  char: number;
  length: number;
}

/** A fence line (``` or ~~~, three or more, optionally indented): its character and length. */
function fenceAt(text: string, lineStart: number, lineEnd: number): Fence | undefined {
  let i = lineStart;
  while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
  const char = text.charCodeAt(i);
  if (char !== 96 /* ` */ && char !== 126 /* ~ */) return undefined;
  let j = i;
  while (j < lineEnd && text.charCodeAt(j) === char) j++;
  const length = j - i;
  if (length < 3) return undefined;
  // CommonMark: a backtick fence's info string has no backtick.
  if (char === 96) for (let k = j; k < lineEnd; k++) if (text.charCodeAt(k) === 96) return undefined;
  return { char, length };
}

/** Only fence characters and blanks on the line: a closing fence. */
function closesFence(text: string, lineStart: number, lineEnd: number, open: Fence): boolean {
  let i = lineStart;
  while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
  let n = 0;
  while (i < lineEnd && text.charCodeAt(i) === open.char) {
    i++;
    n++;
  }
  if (n < open.length) return false;
  while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
  return i === lineEnd;
}

/**
 * Keep what is inside the fences: the one fenced block, or the largest of several when prose
 * surrounds them. A block left open (an answer cut off) runs to the end. With no fenced code,
 * the text stays as it is, less a lone fence line at its start or end.
 */
export function stripFences(text: string): string {
  if (!text.includes('```') && !text.includes('~~~')) return text;
  let open: Fence | undefined;
  let contentStart = 0;
  let best: { start: number; end: number } | undefined;
  const consider = (start: number, end: number) => {
    if (end <= start) return;
    if (best && end - start <= best.end - best.start) return;
    if (isWhitespace(text, start, end)) return;
    best = { start, end };
  };
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (open) {
      if (closesFence(text, lineStart, lineEnd, open)) {
        // The content ends before the newline that precedes the closing fence.
        consider(contentStart, Math.max(contentStart, lineStart - 1));
        open = undefined;
      }
    } else {
      const fence = fenceAt(text, lineStart, lineEnd);
      if (fence) {
        open = fence;
        contentStart = Math.min(lineEnd + 1, text.length);
      }
    }
    if (lineEnd >= text.length) break;
    lineStart = lineEnd + 1;
  }
  if (open) consider(contentStart, text.length);
  if (best) return text.slice(best.start, best.end);
  return stripLoneFenceLines(text);
}

function isWhitespace(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isBlank(c) && c !== 10) return false;
  }
  return true;
}

/** The seed's own cleaning: a fence line opening or closing the text, with nothing fenced. */
function stripLoneFenceLines(text: string): string {
  let start = 0;
  while (start < text.length && (isBlank(text.charCodeAt(start)) || text.charCodeAt(start) === 10)) start++;
  let end = text.length;
  while (end > start && (isBlank(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 10)) end--;
  const firstEnd = indexOrEnd(text, '\n', start, end);
  if (fenceAt(text, start, firstEnd)) start = Math.min(firstEnd + 1, end);
  const lastStart = text.lastIndexOf('\n', end - 1) + 1;
  if (lastStart >= start && fenceAt(text, Math.max(lastStart, start), end)) end = Math.max(start, lastStart - 1);
  return text.slice(start, end);
}

function indexOrEnd(text: string, needle: string, from: number, end: number): number {
  const i = text.indexOf(needle, from);
  return i < 0 || i > end ? end : i;
}
