/**
 * Bash 4+ constructs in a script that must also run on an older bash (macOS ships 3.2). Each
 * finding names the construct, where it is, the version it needs, and a rewrite: a mechanical
 * one where a safe equivalent exists, otherwise advice for a person.
 */
export interface BashFinding {
  construct: string;
  line: number;
  column: number;
  /** The bash version the construct needs. */
  needs: string;
  /** The text matched on the line. */
  match: string;
  /** A mechanical rewrite of `match`, when one is safe. */
  rewrite?: string;
  suggestion: string;
}

interface Rule {
  construct: string;
  needs: string;
  pattern: RegExp;
  rewrite?: (m: RegExpExecArray) => string;
  suggestion: string;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';

const RULES: Rule[] = [
  {
    construct: 'associative array',
    needs: '4.0',
    pattern: /\b(?:declare|local|typeset)\s+-[a-zA-Z]*A[a-zA-Z]*\b/g,
    suggestion: 'bash 3.2 has no associative arrays: use two indexed arrays, a case statement, or files',
  },
  {
    construct: 'nameref',
    needs: '4.3',
    pattern: /\b(?:declare|local|typeset)\s+-[a-zA-Z]*n[a-zA-Z]*\b/g,
    suggestion: 'bash 3.2 has no namerefs (declare -n): pass the variable name and use eval or printf -v',
  },
  {
    construct: 'mapfile',
    needs: '4.0',
    pattern: new RegExp(`\\b(?:mapfile|readarray)\\s+-t\\s+(${NAME})\\s*<\\s*("[^"]*"|'[^']*'|[^\\s;|&]+)`, 'g'),
    rewrite: (m) => `${m[1]}=(); while IFS= read -r __line || [ -n "$__line" ]; do ${m[1]}+=("$__line"); done < ${m[2]}`,
    suggestion: 'read the lines with a while-read loop',
  },
  {
    construct: 'mapfile',
    needs: '4.0',
    pattern: /\b(?:mapfile|readarray)\b(?!\s+-t\s+[A-Za-z_][A-Za-z0-9_]*\s*<)/g,
    suggestion: 'bash 3.2 has no mapfile/readarray: read the lines with a while-read loop',
  },
  {
    construct: 'lowercase expansion',
    needs: '4.0',
    pattern: new RegExp(`\\$\\{(${NAME}),,\\}`, 'g'),
    rewrite: (m) => `$(printf '%s' "$${m[1]}" | tr '[:upper:]' '[:lower:]')`,
    suggestion: "use tr '[:upper:]' '[:lower:]'",
  },
  {
    construct: 'uppercase expansion',
    needs: '4.0',
    pattern: new RegExp(`\\$\\{(${NAME})\\^\\^\\}`, 'g'),
    rewrite: (m) => `$(printf '%s' "$${m[1]}" | tr '[:lower:]' '[:upper:]')`,
    suggestion: "use tr '[:lower:]' '[:upper:]'",
  },
  {
    construct: 'case-change expansion',
    needs: '4.0',
    pattern: new RegExp(`\\$\\{${NAME}(?:,|\\^)(?![,^])[^}]*\\}`, 'g'),
    suggestion: 'bash 3.2 cannot change case in an expansion: use tr or awk',
  },
  {
    construct: 'pipe of stderr (|&)',
    needs: '4.0',
    pattern: /\|&/g,
    rewrite: () => '2>&1 |',
    suggestion: 'write 2>&1 | instead of |&',
  },
  {
    construct: 'append both streams (&>>)',
    needs: '4.0',
    pattern: /&>>\s*("[^"]*"|'[^']*'|[^\s;|&]+)/g,
    rewrite: (m) => `>> ${m[1]} 2>&1`,
    suggestion: 'write >> file 2>&1 instead of &>> file',
  },
  {
    construct: 'negative array index',
    needs: '4.3',
    pattern: new RegExp(`\\$\\{(${NAME})\\[-(\\d+)\\]\\}`, 'g'),
    rewrite: (m) => `\${${m[1]}[\${#${m[1]}[@]}-${m[2]}]}`,
    suggestion: 'index from the length: ${a[${#a[@]}-1]}',
  },
  {
    construct: 'coproc',
    needs: '4.0',
    pattern: /(^|[;&|]\s*|\s)coproc\b/g,
    suggestion: 'bash 3.2 has no coproc: use a named pipe (mkfifo) or a background job with files',
  },
];

export function versionLess(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** The code part of a line: a comment is dropped when `#` starts a word outside quotes. */
function codeOf(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '\\') i++;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Every construct newer than `compat` in a bash script. */
export function findBash4(text: string, compat: string): BashFinding[] {
  const out: BashFinding[] = [];
  const lines = text.split('\n');
  let heredoc: string | undefined;
  lines.forEach((raw, i) => {
    if (heredoc) {
      if (raw.replace(/^\t+/, '').replace(/\r$/, '') === heredoc) heredoc = undefined;
      return;
    }
    if (i === 0 && raw.startsWith('#!')) return;
    const code = codeOf(raw.replace(/\r$/, ''));
    const here = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(code);
    const taken: [number, number][] = [];
    for (const rule of RULES) {
      if (!versionLess(compat, rule.needs)) continue;
      rule.pattern.lastIndex = 0;
      for (let m = rule.pattern.exec(code); m; m = rule.pattern.exec(code)) {
        const start = m.index + (rule.construct === 'coproc' ? m[0].indexOf('coproc') : 0);
        const end = m.index + m[0].length;
        if (taken.some(([a, b]) => start < b && end > a)) continue;
        taken.push([start, end]);
        const match = rule.construct === 'coproc' ? 'coproc' : m[0];
        out.push({
          construct: rule.construct,
          line: i + 1,
          column: start + 1,
          needs: rule.needs,
          match,
          ...(rule.rewrite ? { rewrite: rule.rewrite(m) } : {}),
          suggestion: rule.suggestion,
        });
      }
    }
    if (here) heredoc = here[1];
  });
  return out;
}

/** Apply every mechanical rewrite; findings without one are left as they are. */
export function rewriteBash4(text: string, findings: readonly BashFinding[]): string {
  const lines = text.split('\n');
  const byLine = new Map<number, BashFinding[]>();
  for (const f of findings) if (f.rewrite !== undefined) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f]);
  for (const [line, fs] of byLine) {
    let l = lines[line - 1]!;
    // Right to left, so earlier columns stay valid.
    for (const f of [...fs].sort((a, b) => b.column - a.column)) {
      const at = f.column - 1;
      if (l.slice(at, at + f.match.length) === f.match) l = l.slice(0, at) + f.rewrite + l.slice(at + f.match.length);
    }
    lines[line - 1] = l;
  }
  return lines.join('\n');
}

export function isBashScript(file: string, text: string): boolean {
  const first = text.slice(0, 200).split('\n')[0] ?? '';
  // macOS's /bin/sh is bash 3.2 too, so sh scripts are held to the same line.
  if (/^#!\s*\S*\/(env\s+)?(ba)?sh\b/.test(first)) return true;
  if (/^#!/.test(first)) return false;
  return /\.(sh|bash)$/.test(file);
}
