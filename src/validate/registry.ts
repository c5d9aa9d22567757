import { errorGoneValidator } from './error-gone.js';
import { exportsValidator } from './exports.js';
import { loadValidator, testsValidator } from './load.js';
import { defectGoneValidator, shellSyntaxValidator } from './shell.js';
import { syntaxValidator } from './syntax.js';
import type { ValidationInput, Validator } from './types.js';
import { undefinedNamesValidator } from './undefined-names.js';

/** Every validation step, by name: adding one is a file and a line here. */
export const validators: readonly Validator[] = [
  syntaxValidator,
  exportsValidator,
  undefinedNamesValidator,
  errorGoneValidator,
  shellSyntaxValidator,
  defectGoneValidator,
  loadValidator,
  testsValidator,
];

export function validatorsByName(names: readonly string[]): Validator[] {
  return names.map((n) => {
    const v = validators.find((x) => x.name === n);
    if (!v) throw new Error(`unknown validator "${n}"`);
    return v;
  });
}

/**
 * Run the steps of one stage that apply to this fix. The result names the steps that ran and
 * passed (`passed`), or the step that failed.
 */
export async function validateFix(
  steps: readonly Validator[],
  input: ValidationInput,
  stage: Validator['stage'],
): Promise<ValidationVerdict> {
  const passed: string[] = [];
  for (const step of steps) {
    if (step.stage !== stage || !step.appliesTo(input)) continue;
    const r = await step.validate(input);
    if (!r.ok) return { ok: false, step: step.name, reason: `${step.name}: ${r.reason}`, passed };
    passed.push(step.name);
  }
  return { ok: true, passed };
}

export type ValidationVerdict = { ok: true; passed: string[] } | { ok: false; step: string; reason: string; passed: string[] };
