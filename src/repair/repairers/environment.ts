import type { Config } from '../../config/load.js';
import { findBareNode, rewriteBareNode } from '../../discover/env/bare-node.js';
import { findBash4, rewriteBash4 } from '../../discover/env/bash-compat.js';
import type { Repairer } from '../types.js';
import { promised } from '../../util/promised.js';

/**
 * Mechanical rewrites of environment defects: a bare `node` becomes the resolved absolute node
 * path (only where a log confirms the job could not find node), and bash 4+ constructs with a
 * safe bash 3.2 equivalent are rewritten; the rest is left to a person, with a suggestion.
 */
export function environmentRepairer(config: Pick<Config, 'node' | 'bashCompat'>): Repairer {
  return {
    name: 'environment',
    description: 'absolute node paths and bash 3.2 rewrites in scripts and scheduler files',
    handles: ['environment'],
    repair({ bug, original, file }) {
      return promised(() => {
        const env = bug.env;
        if (!env) return { ok: false, strategy: 'environment', reason: 'no environment finding on this bug' };
        if (env.defect === 'bare-node') {
          if (!env.confirmed)
            return {
              ok: false,
              strategy: 'environment:node-path',
              reason: 'reported only: no log shows the job failing to find node ("node: command not found", "spawn node ENOENT")',
            };
          const found = findBareNode(file, original, config.node);
          if (!found.length) return { ok: false, strategy: 'environment:node-path', reason: 'no bare node left in the file' };
          return {
            ok: true,
            strategy: 'environment:node-path',
            text: rewriteBareNode(original, found),
            note: `bare node → ${config.node} at line ${found.map((f) => f.line).join(', ')}`,
          };
        }
        const found = findBash4(original, config.bashCompat ?? '999');
        const rewritable = found.filter((f) => f.rewrite !== undefined);
        const manual = found.filter((f) => f.rewrite === undefined);
        const advice = manual.map((f) => `line ${f.line}: ${f.construct}: ${f.suggestion}`).join('; ');
        if (!rewritable.length) return { ok: false, strategy: 'environment:bash-compat', reason: `needs a person: ${advice}` };
        return {
          ok: true,
          strategy: 'environment:bash-compat',
          text: rewriteBash4(original, rewritable),
          note: `rewrote ${rewritable.map((f) => `${f.construct} at line ${f.line}`).join(', ')} for bash ${config.bashCompat}${manual.length ? `; left for a person: ${advice}` : ''}`,
          ...(manual.length ? { leftForPerson: advice } : {}),
        };
      });
    },
  };
}
