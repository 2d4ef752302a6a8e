import { ContentTee } from "./content-tee";

async function* chunks(count: number, pulled: number[]): AsyncGenerator<Buffer> {
  for (let index = 0; index < count; index++) {
    pulled.push(index);
    yield Buffer.from([index]);
  }
}

async function readAll(reader: AsyncIterable<Buffer>): Promise<number[]> {
  const seen: number[] = [];
  for await (const chunk of reader) seen.push(chunk[0]);
  return seen;
}

describe("ContentTee", () => {
  it("gives every reader every chunk", async () => {
    const tee = new ContentTee(chunks(5, []));
    const readers = [tee.reader(), tee.reader()];
    const [seen] = await Promise.all([Promise.all(readers.map(readAll)), tee.pump()]);
    expect(seen).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
  });

  it("pulls the next chunk only once every open reader took the last one", async () => {
    const pulled: number[] = [];
    const tee = new ContentTee(chunks(5, pulled));
    const fast = tee.reader();
    const slow = tee.reader();
    const pumping = tee.pump();
    const fastRead = readAll(fast);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulled).toEqual([0, 1]);
    const slowRead = readAll(slow);
    await pumping;
    expect(await Promise.all([fastRead, slowRead])).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
  });

  it("stops waiting for a closed reader and drains what nobody reads", async () => {
    const pulled: number[] = [];
    const tee = new ContentTee(chunks(5, pulled));
    const reader = tee.reader();
    const pumping = tee.pump();
    for await (const chunk of reader) {
      expect(chunk[0]).toBe(0);
      break;
    }
    await pumping;
    expect(pulled).toEqual([0, 1, 2, 3, 4]);
  });

  it("hands an entry error to the readers and rethrows it", async () => {
    const failure = new Error("truncated");
    const failing = (async function* () {
      yield Buffer.from([0]);
      throw failure;
    })();
    const tee = new ContentTee(failing);
    const reader = tee.reader();
    const [read, pumped] = await Promise.allSettled([readAll(reader), tee.pump()]);
    expect(read).toEqual({ status: "rejected", reason: failure });
    expect(pumped).toEqual({ status: "rejected", reason: failure });
  });
});
