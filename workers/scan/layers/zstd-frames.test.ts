import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { isScanError } from "../errors";
import { MAX_ZSTD_WINDOW_BYTES, ZstdFrameGuard } from "./zstd-frames";

/** Compressed by Debian's zstd CLI with `args`. */
const zstd = (input: Buffer, ...args: string[]) => execFileSync("/usr/bin/zstd", ["-q", "-c", ...args], { input });

const text = Buffer.from("drydock layer line\n".repeat(50_000));
const random = randomBytes(300_000);

function checkIn(chunks: number, bytes: Buffer): void {
  const guard = new ZstdFrameGuard();
  const size = Math.max(1, Math.ceil(bytes.length / chunks));
  for (let at = 0; at < bytes.length; at += size) guard.check(bytes.subarray(at, at + size));
}

function refusal(bytes: Buffer): string {
  try {
    checkIn(1, bytes);
  } catch (error) {
    if (isScanError(error, "INVALID_LAYER")) return error.message;
    throw error;
  }
  throw new Error("accepted");
}

describe("ZstdFrameGuard accepts what the zstd tool makes", () => {
  test.each([
    ["default level", () => zstd(text)],
    ["level 19", () => zstd(text, "-19")],
    ["incompressible input (raw blocks)", () => zstd(random)],
    ["no checksum", () => zstd(text, "--no-check")],
    ["a 128 MiB window (--long=27)", () => zstd(text, "--long=27")],
    ["two frames back to back", () => Buffer.concat([zstd(text), zstd(random)])],
    ["a skippable frame first", () => Buffer.concat([skippable(Buffer.from("metadata")), zstd(text)])],
    ["from a pipe (no content size)", () => execFileSync("sh", ["-c", "head -c 400000 /dev/zero | /usr/bin/zstd -q -c"])],
  ])("%s, whole and in tiny chunks", (_name, make) => {
    const bytes = make();
    for (const chunks of [1, 7, bytes.length]) expect(() => checkIn(chunks, bytes)).not.toThrow();
  });
});

describe("ZstdFrameGuard refuses", () => {
  test("a frame asking for a 2 GiB window (--long=31), before any block", () => {
    const bytes = execFileSync("sh", ["-c", "head -c 1000 /dev/zero | /usr/bin/zstd -q -c --long=31"]);
    expect(refusal(bytes.subarray(0, 6))).toMatch(`at most ${MAX_ZSTD_WINDOW_BYTES}`);
  });

  test("a large window in the second frame", () => {
    const hostile = execFileSync("sh", ["-c", "head -c 1000 /dev/zero | /usr/bin/zstd -q -c --long=30"]);
    expect(refusal(Buffer.concat([zstd(text), hostile]))).toMatch(/window/);
  });

  test("a single-segment frame declaring a huge content size", () => {
    // Descriptor: FCS flag 3 (8 bytes), single segment; then the content size.
    const header = Buffer.alloc(13);
    header.writeUInt32LE(0xfd2fb528, 0);
    header[4] = 0xe0;
    header.writeBigUInt64LE(2n ** 40n, 5);
    expect(refusal(header)).toMatch(/window/);
  });

  test.each([
    ["reserved block type", 0b110],
    ["a block larger than 128 KiB", (200_000 << 3) | 0b100],
  ])("%s", (_name, blockHeader) => {
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]);
    expect(refusal(frame)).toMatch(/block/);
  });

  test("something that is not zstd", () => {
    expect(refusal(Buffer.from("GIF89a not a zstd stream"))).toMatch(/not a zstd frame/);
  });
});

function skippable(content: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x184d2a50, 0);
  header.writeUInt32LE(content.length, 4);
  return Buffer.concat([header, content]);
}
