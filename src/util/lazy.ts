/**
 * `obj` with property `key` made by `make` when first read, then kept: a probe's or a channel's
 * options schema is built when a config that has one is validated, not at every start.
 */
export function lazyProperty<T extends object, K extends PropertyKey, V>(obj: T, key: K, make: () => V): T & Record<K, V> {
  let value: V | undefined;
  let made = false;
  return Object.defineProperty(obj, key, {
    get: () => {
      if (!made) {
        value = make();
        made = true;
      }
      return value;
    },
    enumerable: true,
  }) as T & Record<K, V>;
}
