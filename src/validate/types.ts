import type { Bug } from '../discover/types.js';
import type { SyntaxChecker } from '../discover/syntax/checker.js';
import type { ModuleFormat } from '../discover/syntax/compile.js';

export interface ValidationInput {
  file: string;
  bug: Bug;
  before: string;
  after: string;
  /** The format the file is parsed in (for ambiguous files: what the original parsed as, or CommonJS). */
  format: ModuleFormat;
  checker: SyntaxChecker;
}

export type ValidationResult = { ok: true } | { ok: false; reason: string };

/** One step of the validation ladder. Steps run in order; the first failure rejects the fix. */
export interface Validator {
  name: string;
  description: string;
  validate(input: ValidationInput): Promise<ValidationResult>;
}
