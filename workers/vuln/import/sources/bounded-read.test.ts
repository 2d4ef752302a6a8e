import { Readable } from "node:stream";
import { readAtMost } from "./bounded-read";

/** 1 KiB chunks, counting how many were pulled. */
function chunks(count: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const stream = Readable.from(
    (function* () {
      for (; pulled < count; ) {
        pulled++;
        yield Buffer.alloc(1024, 0x20);
      }
    })(),
  );
  return { stream, pulled: () => pulled };
}

describe("readAtMost", () => {
  it("reads a stream up to the limit exactly", async () => {
    expect(await readAtMost(chunks(4).stream, 4096)).toEqual(Buffer.alloc(4096, 0x20));
  });

  it("answers null as soon as the limit is passed, destroying the stream unread", async () => {
    const { stream, pulled } = chunks(10_000);
    expect(await readAtMost(stream, 4096)).toBeNull();
    expect(stream.destroyed).toBe(true);
    expect(pulled()).toBeLessThan(100);
  });
});
