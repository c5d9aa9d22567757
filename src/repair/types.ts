import type { Bug } from '../discover/types.js';
import type { ModuleFormat } from '../analysis/compile.js';

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

/**
 * How far a candidate can be trusted to restore what was written (the deterministic rung's
 * measure, in [0, 1]), what raised or lowered it, and the nearest other repair that also parses.
 */
export interface Confidence {
  confidence: number;
  evidence: string[];
  rival?: string;
}

/**
 * A candidate a rung made but would not write (below its confidence gate): if no rung applies a
 * fix, it is validated in memory and shown to a person, never written.
 */
export interface Proposal extends Partial<Confidence> {
  text: string;
  /** What the candidate changes, as a fix's note says it. */
  note: string;
  /** Why the rung held it back: `confidence 0.42 below the gate 0.7 (...)`. */
  held: string;
}

/**
 * Another file a fix changes besides the bug's (a caller of the call chain): the text the rung
 * read and built on (`before`; the fix is dropped if the file no longer holds it) and its new text.
 */
export interface OtherFileChange {
  file: string;
  before: string;
  text: string;
}

export type RepairResult =
  /**
   * `leftForPerson`: what the fix could not do and a person must (the bug is not done).
   * `others`: more files the fix changes; with the bug's file it is one fix, written and reverted together.
   */
  | ({ ok: true; text: string; strategy: string; note: string; edits?: number; leftForPerson?: string; others?: OtherFileChange[] } & Partial<Confidence>)
  /**
   * `rejected`: an answer came but did not pass the loss guard; asking again with the reason may help.
   * `proposal`: a candidate the rung made but holds back (below its gate), for a person to judge.
   * `outage`: the model server could not be asked (unreachable, failing, too slow): no verdict on the file.
   */
  | { ok: false; strategy: string; reason: string; rejected?: boolean; proposal?: Proposal; outage?: boolean };

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
