import type { Config } from '../config/load.js';
import type { SyntaxChecker } from '../engine/checker.js';
import { deterministicRepairer } from './repairers/deterministic.js';
import { environmentRepairer } from './repairers/environment.js';
import { llmRepairer } from './repairers/llm.js';
import type { Repairer } from './types.js';

export interface RepairerContext {
  config: Config;
  checker: SyntaxChecker;
}

/** Every rung the ladder can have, by name: adding one is a file and a line here. */
const factories: Record<Config['repairers'][number], (ctx: RepairerContext) => Repairer> = {
  deterministic: ({ config, checker }) => deterministicRepairer(checker, config.deterministic),
  llm: ({ config }) => llmRepairer(config),
};

/**
 * The configured ladder, in order. Environment defects have their own rung (a mechanical rewrite
 * never needs a model), always present.
 */
export function buildLadder(ctx: RepairerContext): Repairer[] {
  return [...ctx.config.repairers.map((name) => factories[name](ctx)), environmentRepairer(ctx.config)];
}
