/** An async iterator whose `return()` always exists: graphql-ws ends subscriptions through it. */
export type Subscription<T> = Required<AsyncIterableIterator<T, void, undefined>>;

/**
 * `source` with `map` applied to each value. Unlike an async generator looping
 * over `source`, `return()` reaches `source` at once, even while a `next()` is
 * still waiting for a value: an unsubscribed client stops listening now, not
 * after the next event.
 */
export function mapAsyncIterator<T, U>(source: AsyncIterator<T>, map: (value: T) => U | Promise<U>): Subscription<U> {
  const done = async (): Promise<IteratorReturnResult<void>> => {
    await source.return?.();
    return { done: true, value: undefined };
  };
  const mapped: Subscription<U> = {
    async next() {
      const result = await source.next();
      return result.done ? { done: true, value: undefined } : { done: false, value: await map(result.value) };
    },
    return: done,
    async throw(error: unknown) {
      await done();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
