import { fileFromBuffer } from "./file-content";

async function chunksOf(stream: AsyncIterable<Buffer>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const chunk of stream) sizes.push(chunk.length);
  return sizes;
}

describe("fileFromBuffer", () => {
  it("describes the file and reads it whole", async () => {
    const file = fileFromBuffer("etc/os-release", "ID=x\n", 0o600);
    expect([file.path, file.size, file.mode]).toEqual(["etc/os-release", 5, 0o600]);
    await expect(file.read()).resolves.toEqual(Buffer.from("ID=x\n"));
  });

  it("streams in 64 KiB chunks", async () => {
    await expect(chunksOf(fileFromBuffer("a", Buffer.alloc(150 * 1024)).stream())).resolves.toEqual([65536, 65536, 22528]);
  });

  it("lets the content be consumed once", async () => {
    const file = fileFromBuffer("a", "x");
    await file.read();
    await expect(file.read()).rejects.toThrow("a: content already consumed");
    await expect(chunksOf(file.stream())).rejects.toThrow("a: content already consumed");
  });
});
