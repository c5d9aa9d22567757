/**
 * A shallow copy of `obj` without `keys`: the `rest` of `const { a, b, ...rest } = obj`, with no
 * binding left unused for the keys dropped.
 */
export function omit<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  const rest = { ...obj };
  for (const k of keys) delete rest[k];
  return rest;
}
