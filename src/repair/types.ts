import type { Bug } from '../discover/types.js';
import type { ModuleFormat } from '../discover/syntax/compile.js';

/** What a repairer is asked to fix. */
export interface RepairInput {
  bug: Bug;
  /** The file's current text (exactly as read, decoded as UTF-8). */
  original: string;
  /** Absolute path of the file. */
  file: string;
  /** How the file is parsed: ES module or CommonJS. */
  format: ModuleFormat;
  signal?: AbortSignal;
  /** Messages from a failed validation of an earlier attempt, for repairers that can learn from them. */
  feedback?: string;
}

export type RepairResult =
  | { ok: true; text: string; strategy: string; note: string; edits?: number }
  /** `rejected`: an answer came but did not pass the loss guard; asking again with the reason may help. */
  | { ok: false; strategy: string; reason: string; rejected?: boolean };

/** A repairer is one rung of the repair ladder: deterministic first, the model second. */
export interface Repairer {
  name: string;
  description: string;
  /** Which bug kinds it can attempt. */
  handles: readonly Bug['kind'][];
  /** Ask it once more, with the validator's message as `feedback`, when its candidate is rejected. */
  learnsFromFeedback?: boolean;
  /** Every attempt at one file (the feedback retry included) ends within this; its signal says so. */
  budgetMs?: number;
  repair(input: RepairInput): Promise<RepairResult>;
}
