import fs from 'node:fs';
import os from 'node:os';
import { isInside } from '../../workspace/paths.js';
import { expandLogGlobs } from '../logs/read.js';
import { globMatcher } from '../walk.js';
import { treeOf } from '../files.js';
import { decodeSource } from '../../analysis/decode.js';
import type { Bug, BugSource } from '../types.js';
import { findBash4, isBashScript } from './bash-compat.js';
import { findBareNode, NODE_NOT_FOUND } from './bare-node.js';
import { createHash } from 'node:crypto';

const LOG_TAIL_BYTES = 256 * 1024;

function id(parts: readonly (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 12);
}

/** The last line in the logs' tails saying a job could not find node, with its log. */
function nodeNotFoundEvidence(logs: readonly string[]): string | undefined {
  for (const log of logs) {
    let text: string;
    try {
      const fd = fs.openSync(log, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const start = Math.max(0, size - LOG_TAIL_BYTES);
        const buf = Buffer.alloc(size - start);
        fs.readSync(fd, buf, 0, buf.length, start);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue;
    }
    const lines = text.split('\n').filter((l) => NODE_NOT_FOUND.test(l));
    if (lines.length) return `${log}: ${lines[lines.length - 1]!.trim().slice(0, 200)}`;
  }
  return undefined;
}

/**
 * Environment defects in the scripts and scheduler files under the roots: a bare `node` where no
 * PATH is guaranteed (repaired only when a log confirms the job could not find node), and bash 4+
 * constructs in scripts held to `bashCompat`.
 */
export const environmentSource: BugSource = {
  name: 'environment',
  description: 'scripts, crontabs, launchd plists and PM2 ecosystem files that break where they run',
  async discover(ctx, out) {
    const { config } = ctx;
    const files = new Set<string>();
    const envFiles = globMatcher(config.envFiles);
    const tree = ctx.tree ?? treeOf(config);
    for (const root of config.roots) {
      const found = tree.files(root, envFiles);
      for (const f of found) if (![config.stateDir, config.backupDir].some((o) => isInside(f, o))) files.add(f);
    }
    if (!files.size) return;
    let evidence: string | undefined | null = null;
    const confirm = async () => {
      if (evidence === null) evidence = nodeNotFoundEvidence(await expandLogGlobs(config.logs, process.env.HOME ?? os.homedir()));
      return evidence;
    };
    for (const file of [...files].sort()) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(file);
      } catch {
        continue;
      }
      if (!st.isFile() || st.size > config.maxFileBytes) continue;
      const decoded = decodeSource(fs.readFileSync(file));
      if (!decoded.ok) continue;
      const text = decoded.text;

      const bare = findBareNode(file, text, config.node);
      if (bare.length) {
        const ev = await confirm();
        const first = bare[0]!;
        const lines = bare.map((b) => `line ${b.line}`).join(', ');
        const bug: Bug = {
          id: id(['environment', 'bare-node', file]),
          file,
          kind: 'environment',
          line: first.line,
          column: first.column,
          errorType: 'BareNode',
          message: `bare \`node\` in a ${first.where} (${lines}): no PATH is guaranteed there`,
          priority: ev ? 90 : 30,
          source: 'environment',
          detail: [
            `${file}: ${first.where} calls \`node\` by bare name at ${lines}; cron and launchd run jobs with a minimal PATH.`,
            `Fix: call ${config.node} (the resolved node) instead.`,
            ev ? `Confirmed by ${ev}` : 'Not confirmed by any log (no "node: command not found" or "spawn node ENOENT"): reported only.',
          ].join('\n'),
          env: {
            defect: 'bare-node',
            confirmed: !!ev,
            ...(ev ? { evidence: ev } : {}),
            findings: bare.map((b) => ({ line: b.line, column: b.column, what: `bare node (${b.where})`, suggestion: `use ${b.replacement}`, rewritable: true })),
          },
        };
        out.bugs.push(bug);
      }

      if (config.bashCompat !== null && isBashScript(file, text)) {
        const found = findBash4(text, config.bashCompat);
        if (found.length) {
          const needs = found.map((f) => f.needs).sort().pop();
          out.bugs.push({
            id: id(['environment', 'bash-compat', file]),
            file,
            kind: 'environment',
            line: found[0]!.line,
            column: found[0]!.column,
            errorType: 'BashCompat',
            message: `${found.length} bash ${needs} construct${found.length > 1 ? 's' : ''} in a script held to bash ${config.bashCompat}: ${[...new Set(found.map((f) => f.construct))].join(', ')}`,
            priority: 50,
            source: 'environment',
            detail: found.map((f) => `line ${f.line}:${f.column}: ${f.construct} (bash ${f.needs}+): \`${f.match}\` → ${f.rewrite ? `\`${f.rewrite}\`` : f.suggestion}`).join('\n'),
            env: {
              defect: 'bash-compat',
              findings: found.map((f) => ({ line: f.line, column: f.column, what: f.construct, suggestion: f.rewrite ?? f.suggestion, rewritable: f.rewrite !== undefined })),
            },
          });
        }
      }
    }
  },
};
