import { exportsValidator } from './exports.js';
import { syntaxValidator } from './syntax.js';
import type { ValidationInput, ValidationResult, Validator } from './types.js';

/** Every validation step, by name. */
export const validators: readonly Validator[] = [syntaxValidator, exportsValidator];

export function validatorsByName(names: readonly string[]): Validator[] {
  return names.map((n) => {
    const v = validators.find((x) => x.name === n);
    if (!v) throw new Error(`unknown validator "${n}"`);
    return v;
  });
}

/** Run the ladder; the result names the step that failed. */
export async function validateFix(
  steps: readonly Validator[],
  input: ValidationInput,
): Promise<ValidationResult & { step?: string }> {
  for (const step of steps) {
    const r = await step.validate(input);
    if (!r.ok) return { ok: false, step: step.name, reason: `${step.name}: ${r.reason}` };
  }
  return { ok: true };
}
