import { undefinedNameOf, undefinedNames } from '../analysis/scope.js';
import { isJavaScript, type Validator } from './types.js';
import { promised } from '../util/promised.js';

/**
 * Where it can be told without running the code, the reported error must be gone: a
 * ReferenceError's name is now declared. (A syntax error being gone is the syntax step's job.)
 */
export const errorGoneValidator: Validator = {
  name: 'error-gone',
  description: "the reported error is gone where that can be checked statically (a ReferenceError's name is defined)",
  stage: 'memory',
  appliesTo: ({ file, bug }) => isJavaScript(file) && bug.kind === 'runtime' && bug.errorType === 'ReferenceError' && !!undefinedNameOf(bug.message),
  validate({ after, format, bug }) {
    return promised(() => {
      const name = undefinedNameOf(bug.message)!;
      const names = undefinedNames(after, format);
      if (!names) return { ok: true };
      if (names.has(name)) return { ok: false, reason: `${name} is still not defined (line ${names.get(name)![0]})` };
      return { ok: true };
    });
  },
};
