import type { Config } from '../config/load.js';
import type { Bug } from '../discover/types.js';
import type { SyntaxChecker } from '../engine/checker.js';
import type { ModuleFormat } from '../analysis/compile.js';

export interface ValidationInput {
  file: string;
  bug: Bug;
  before: string;
  after: string;
  /** The format the file is parsed in (for ambiguous files: what the original parsed as, or CommonJS). */
  format: ModuleFormat;
  checker: SyntaxChecker;
  config: Config;
  signal?: AbortSignal;
  /**
   * The file's last good version (git HEAD), when the broken `before` is that version with a few
   * lines changed (see last-good): what a file that does not parse meant, as far as anyone knows.
   */
  lastGood?: string;
}

export type ValidationResult = { ok: true } | { ok: false; reason: string };

/**
 * One step of the validation ladder. Steps run in order; the first failure rejects the fix.
 * `memory` steps judge the candidate before anything is written; `disk` steps need the file in
 * place (loading the module, the project's tests) and a failure there restores the original.
 */
export interface Validator {
  name: string;
  description: string;
  stage: 'memory' | 'disk';
  appliesTo(input: ValidationInput): boolean;
  validate(input: ValidationInput): Promise<ValidationResult>;
}

const JS = /\.(c|m)?js$/;
export const isJavaScript = (file: string) => JS.test(file);
