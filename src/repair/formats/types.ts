import type { Bug } from '../../discover/types.js';
import type { ChainSection } from './chain.js';

/** What an edit format needs to ask for a fix. */
export interface FormatInput {
  bug: Bug;
  /** The whole file, secrets already masked. */
  text: string;
  /** The file's name as the model sees it (relative to its root). */
  displayName: string;
  /** The error as the model sees it. */
  error: string;
  /**
   * Read-only context after the error, best first (the call chain of a runtime error): the format
   * keeps as many sections as its budget allows, dropping them before it shrinks what it edits.
   * The window format lets an answer edit what a kept section shows of its file.
   */
  context?: ChainSection[];
}

/** A prompt, and how to turn the model's answer into the whole new file. */
export interface FormatPlan {
  format: string;
  prompt: string;
  /** Lines (1-based, inclusive) the model was shown; the whole file for `whole`. */
  shown: { start: number; end: number };
  /**
   * The new file from the answer (secrets still masked), or why the answer cannot be used.
   * Applying never guesses: an answer that does not say exactly what to change is rejected.
   */
  apply(answer: string): { ok: true; text: string; note: string; others?: OtherFileEdit[] } | { ok: false; reason: string };
}

/** A file of the call chain that an answer changed too: its absolute path and its new (masked) text. */
export interface OtherFileEdit {
  file: string;
  text: string;
}

/**
 * One way of asking a model for an edit, and of reading its answer back (../shared/STYLE.md:
 * interchangeable parts). `plan` returns undefined with a reason when the format cannot serve
 * this file within `budgetChars` of prompt.
 */
export interface EditFormat {
  name: 'whole' | 'window';
  plan(input: FormatInput, budgetChars: number): FormatPlan | { reason: string };
}
