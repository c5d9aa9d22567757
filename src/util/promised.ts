/**
 * `fn()` as a promise, settled as an `async` function with nothing to await would settle it: `fn`
 * runs at once, its value resolves the promise and its throw rejects it (never a synchronous
 * throw). For methods an interface makes asynchronous whose work here is synchronous.
 */
export function promised<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}
