import path from 'node:path';

/**
 * A bare `node` where nothing guarantees a PATH that has it: cron and launchd start jobs with a
 * minimal PATH (/usr/bin:/bin), which on macOS does not hold Homebrew's /opt/homebrew/bin/node.
 */
export interface BareNodeFinding {
  line: number;
  column: number;
  /** What kind of file it is: the reason no PATH is guaranteed. */
  where: 'crontab' | 'shell script' | 'launchd plist' | 'PM2 ecosystem';
  /** The text to replace, exactly as on the line. */
  match: string;
  replacement: string;
}

export type EnvFileKind = BareNodeFinding['where'];

export function envFileKind(file: string, text: string): EnvFileKind | undefined {
  const base = path.basename(file);
  if (/\.plist$/.test(base)) return 'launchd plist';
  if (/^ecosystem\.config\.(c|m)?js$|^ecosystem\.config\.json$/.test(base)) return 'PM2 ecosystem';
  if (/crontab|\.cron$/.test(base) || file.split(path.sep).includes('cron.d')) return 'crontab';
  if (/\.(sh|bash)$/.test(base) || /^#!\s*\S*\/(env\s+)?(ba)?sh\b/.test(text.slice(0, 100))) return 'shell script';
  return undefined;
}

/** `node` in command position: line start, after ; && || | or a wrapper such as exec/nohup. */
const COMMAND_NODE = /(^|[;&|(]\s*|\b(?:exec|nohup|time|nice)\s+)node(?=\s|$)/g;
const CRON_TIME = /^\s*(@\w+|(\S+\s+){5})/;

export function findBareNode(file: string, text: string, nodePath: string): BareNodeFinding[] {
  const where = envFileKind(file, text);
  if (!where) return [];
  const out: BareNodeFinding[] = [];
  const lines = text.split('\n');
  let pathSet = false;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith('<!--')) return;
    if (where === 'launchd plist') {
      const at = line.indexOf('<string>node</string>');
      if (at >= 0) out.push({ line: i + 1, column: at + 9, where, match: 'node', replacement: nodePath });
      return;
    }
    if (where === 'PM2 ecosystem') {
      const m = /\binterpreter\s*:\s*(['"])node\1/.exec(line) ?? /"interpreter"\s*:\s*(")node"/.exec(line);
      if (m) {
        const col = line.indexOf('node', m.index);
        out.push({ line: i + 1, column: col + 1, where, match: 'node', replacement: nodePath });
      }
      return;
    }
    // A script or crontab that sets PATH itself gives its commands one.
    if (/^(export\s+)?PATH=/.test(trimmed)) {
      pathSet = true;
      return;
    }
    if (pathSet) return;
    let command = line;
    let offset = 0;
    if (where === 'crontab') {
      if (/^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(line)) return;
      const t = CRON_TIME.exec(line);
      if (!t) return;
      offset = t[0].length;
      command = line.slice(offset);
    }
    COMMAND_NODE.lastIndex = 0;
    for (let m = COMMAND_NODE.exec(command); m; m = COMMAND_NODE.exec(command)) {
      const col = offset + m.index + m[1]!.length;
      out.push({ line: i + 1, column: col + 1, where, match: 'node', replacement: nodePath });
    }
  });
  return out;
}

/** Replace each finding's `node` by the absolute path, column-exactly. */
export function rewriteBareNode(text: string, findings: readonly BareNodeFinding[]): string {
  const lines = text.split('\n');
  for (const f of [...findings].sort((a, b) => b.line - a.line || b.column - a.column)) {
    const l = lines[f.line - 1]!;
    const at = f.column - 1;
    if (l.slice(at, at + f.match.length) === f.match) lines[f.line - 1] = l.slice(0, at) + f.replacement + l.slice(at + f.match.length);
  }
  return lines.join('\n');
}

/** What a log says when a job could not find node. */
export const NODE_NOT_FOUND = /(?:^|\s|:)node: (?:command )?not found|spawn node ENOENT|env: ['‘]?node['’]?: No such file or directory|node: No such file or directory/m;
