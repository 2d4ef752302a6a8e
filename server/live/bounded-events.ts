import type { EventEmitter } from "node:events";
import { GraphQLError } from "graphql";
import type { Subscription } from "./map-async-iterator";

/**
 * The `topic` events of `emitter` as an async iterator that queues at most
 * `limit` events for a subscriber that has not taken them yet. A subscriber
 * that falls further behind (a client that stopped reading its socket) is
 * unsubscribed with SUBSCRIBER_TOO_SLOW instead of holding an ever longer
 * queue; it can subscribe again and read the current state.
 */
export function boundedEvents<T>(emitter: EventEmitter, topic: string, limit: number): Subscription<T> {
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T, void>) => void) | null = null;
  let failure: GraphQLError | null = null;
  let ended = false;

  const stop = () => {
    ended = true;
    emitter.off(topic, listener);
    queue.length = 0;
  };
  function listener(value: T): void {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ done: false, value });
      return;
    }
    if (queue.length < limit) {
      queue.push(value);
      return;
    }
    stop();
    failure = new GraphQLError(`the subscriber fell more than ${limit} updates behind; subscribe again`, {
      extensions: { code: "SUBSCRIBER_TOO_SLOW" },
    });
  }
  emitter.on(topic, listener);

  const done = async (): Promise<IteratorReturnResult<void>> => {
    stop();
    waiting?.({ done: true, value: undefined });
    waiting = null;
    return { done: true, value: undefined };
  };
  const iterator: Subscription<T> = {
    next() {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift()! });
      if (failure) {
        const error = failure;
        failure = null;
        return Promise.reject(error);
      }
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: done,
    async throw(error: unknown) {
      await done();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
