import { EventEmitter } from "node:events";
import { boundedEvents } from "./bounded-events";

test("events arrive in order, whether the subscriber waits for them or they wait for it", async () => {
  const emitter = new EventEmitter();
  const events = boundedEvents<number>(emitter, "t", 10);
  const first = events.next();
  emitter.emit("t", 1);
  expect(await first).toEqual({ done: false, value: 1 });
  emitter.emit("t", 2);
  emitter.emit("t", 3);
  emitter.emit("other", 99);
  expect(await events.next()).toEqual({ done: false, value: 2 });
  expect(await events.next()).toEqual({ done: false, value: 3 });
});

test("a subscriber more than `limit` events behind is unsubscribed with SUBSCRIBER_TOO_SLOW, and its queue let go", async () => {
  const emitter = new EventEmitter();
  const events = boundedEvents<number>(emitter, "t", 3);
  for (let i = 0; i < 3; i++) emitter.emit("t", i);
  expect(emitter.listenerCount("t")).toBe(1);
  emitter.emit("t", 3);
  expect(emitter.listenerCount("t")).toBe(0);
  await expect(events.next()).rejects.toMatchObject({
    message: "the subscriber fell more than 3 updates behind; subscribe again",
    extensions: { code: "SUBSCRIBER_TOO_SLOW" },
  });
  expect(await events.next()).toEqual({ done: true, value: undefined });
});

test("return() stops listening at once, and ends a next() that is waiting", async () => {
  const emitter = new EventEmitter();
  const events = boundedEvents<number>(emitter, "t", 3);
  const waiting = events.next();
  await events.return();
  expect(await waiting).toEqual({ done: true, value: undefined });
  expect(emitter.listenerCount("t")).toBe(0);
  emitter.emit("t", 1);
  expect(await events.next()).toEqual({ done: true, value: undefined });
});
