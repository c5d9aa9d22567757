import type { RungAction } from '../config/git.js';
import type { Config } from '../config/load.js';

/**
 * What a rung does with a fix that passed validation: its `policy` entry, except that
 * `git.mode: propose` turns every `apply` into `propose` (a `report` stays a report).
 */
export function actionFor(config: Pick<Config, 'git' | 'policy'>, rung: string): RungAction {
  const own = rung in config.policy ? config.policy[rung as keyof Config['policy']] : 'apply';
  if (own === 'report') return 'report';
  return config.git.mode === 'propose' ? 'propose' : own;
}
