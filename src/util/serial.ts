/** Runs the functions given to it one at a time, in the order given (a failure does not stop the queue). */
export type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

export function serial(): Serial {
  const one = new Limiter(1);
  return (fn) => one.run(fn);
}

/**
 * At most `n` tasks at once, the others in order of arrival. A finished task hands its place to
 * the next waiter directly, so a caller arriving meanwhile cannot slip in beside it.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly n: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

