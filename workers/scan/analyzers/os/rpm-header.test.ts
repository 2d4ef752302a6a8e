import { MalformedRpmHeaderError, parseRpmHeader, type RpmHeader } from "./rpm-header";
import { headerBlob, RPM_TAG, RPM_TYPE, rawHeaderBlob, type RawEntry } from "./test-support/rpm-header-blob";

const BASE = { name: "bash", version: "5.1.8", release: "9.el9" };

function nulTerminated(...strings: string[]): Buffer {
  return Buffer.from(strings.map((string) => `${string}\0`).join(""));
}

describe("parseRpmHeader", () => {
  it.each<[string, Parameters<typeof headerBlob>[0], RpmHeader]>([
    [
      "every field",
      { ...BASE, epoch: 1, arch: "x86_64", sourceRpm: "bash-5.1.8-9.el9.src.rpm" },
      { ...BASE, epoch: 1, arch: "x86_64", sourceRpm: "bash-5.1.8-9.el9.src.rpm" },
    ],
    ["only the required fields", BASE, { ...BASE, epoch: null, arch: null, sourceRpm: null }],
    ["epoch 0, kept apart from no epoch", { ...BASE, epoch: 0 }, { ...BASE, epoch: 0, arch: null, sourceRpm: null }],
    ["an epoch above 2^31", { ...BASE, epoch: 0x80000001 }, { ...BASE, epoch: 0x80000001, arch: null, sourceRpm: null }],
    ["UTF-8 strings", { ...BASE, name: "pkg-é✓" }, { ...BASE, name: "pkg-é✓", epoch: null, arch: null, sourceRpm: null }],
    ["empty strings", { ...BASE, arch: "" }, { ...BASE, epoch: null, arch: "", sourceRpm: null }],
  ])("reads %s", (_case, fields, expected) => {
    expect(parseRpmHeader(headerBlob(fields))).toEqual(expected);
  });

  it("reads a blob that is a view into a larger buffer", () => {
    const blob = headerBlob(BASE);
    const larger = Buffer.concat([Buffer.from("junk"), blob, Buffer.from("junk")]);
    expect(parseRpmHeader(new Uint8Array(larger.buffer, larger.byteOffset + 4, blob.length)).name).toBe("bash");
  });

  it.each([
    ["STRING_ARRAY", RPM_TYPE.STRING_ARRAY],
    ["I18NSTRING", RPM_TYPE.I18NSTRING],
  ])("reads the first string of a %s entry", (_type, type) => {
    const data = nulTerminated("bash", "first", "second", "5.1.8", "9.el9");
    const entries: RawEntry[] = [
      { tag: RPM_TAG.NAME, type: RPM_TYPE.STRING, offset: 0, count: 1 },
      { tag: RPM_TAG.ARCH, type, offset: 5, count: 2 },
      { tag: RPM_TAG.VERSION, type: RPM_TYPE.STRING, offset: 19, count: 1 },
      { tag: RPM_TAG.RELEASE, type: RPM_TYPE.STRING, offset: 25, count: 1 },
    ];
    expect(parseRpmHeader(rawHeaderBlob(entries, data)).arch).toBe("first");
  });

  it("keeps the first of repeated tags", () => {
    const data = nulTerminated("first", "second", "1", "2");
    const entries: RawEntry[] = [
      { tag: RPM_TAG.NAME, type: RPM_TYPE.STRING, offset: 0, count: 1 },
      { tag: RPM_TAG.NAME, type: RPM_TYPE.STRING, offset: 6, count: 1 },
      { tag: RPM_TAG.VERSION, type: RPM_TYPE.STRING, offset: 13, count: 1 },
      { tag: RPM_TAG.RELEASE, type: RPM_TYPE.STRING, offset: 15, count: 1 },
    ];
    expect(parseRpmHeader(rawHeaderBlob(entries, data)).name).toBe("first");
  });

  describe("rejects a malformed header", () => {
    const valid = headerBlob(BASE);
    const nameAt = (offset: number, type = RPM_TYPE.STRING, count = 1): Buffer =>
      rawHeaderBlob(
        [
          { tag: RPM_TAG.NAME, type, offset, count },
          { tag: RPM_TAG.VERSION, type: RPM_TYPE.STRING, offset: 0, count: 1 },
          { tag: RPM_TAG.RELEASE, type: RPM_TYPE.STRING, offset: 0, count: 1 },
        ],
        Buffer.from("x\0abc"),
      );
    const epochAt = (offset: number, type = RPM_TYPE.INT32): Buffer => {
      const data = Buffer.from("x\0\0\0\0\0\0\0");
      return rawHeaderBlob(
        [
          { tag: RPM_TAG.NAME, type: RPM_TYPE.STRING, offset: 0, count: 1 },
          { tag: RPM_TAG.VERSION, type: RPM_TYPE.STRING, offset: 0, count: 1 },
          { tag: RPM_TAG.RELEASE, type: RPM_TYPE.STRING, offset: 0, count: 1 },
          { tag: RPM_TAG.EPOCH, type, offset, count: 1 },
        ],
        data,
      );
    };

    it.each<[string, Uint8Array, RegExp]>([
      ["empty", Buffer.alloc(0), /0 bytes, shorter than its preamble/],
      ["shorter than the preamble", Buffer.from([0, 0, 0, 1]), /shorter than its preamble/],
      ["with no index entries", rawHeaderBlob([], Buffer.alloc(0)), /0 index entries/],
      ["with 2^32-1 index entries declared", rawHeaderBlob([], Buffer.alloc(64), { entryCount: 0xffffffff }), /4294967295 index entries/],
      ["with more entries than rpm allows", rawHeaderBlob([], Buffer.alloc(64), { entryCount: 0x10000 }), /65536 index entries/],
      ["with a huge data length declared", rawHeaderBlob([], Buffer.alloc(16), { entryCount: 1, dataLength: 0xfffffff0 }), /bytes of data/],
      ["truncated in the index", valid.subarray(0, 8 + 16 * 2), /needs \d+ bytes, has 40/],
      ["truncated in the data", valid.subarray(0, valid.length - 1), /needs \d+ bytes/],
      ["declaring more data than it holds", rawHeaderBlob([], Buffer.alloc(16), { entryCount: 1, dataLength: 1 }), /needs 25 bytes, has 24/],
      ["without a NAME", headerBlob({ version: "1", release: "1" }), /no tag 1000/],
      ["without a VERSION", headerBlob({ name: "a", release: "1" }), /no tag 1001/],
      ["without a RELEASE", headerBlob({ name: "a", version: "1" }), /no tag 1002/],
      ["with a string offset past the data", nameAt(5), /tag 1000: offset 5 outside 5 bytes of data/],
      ["with a string offset far past the data", nameAt(0x7fffffff), /tag 1000: offset 2147483647/],
      ["with a negative string offset", nameAt(-1), /tag 1000: offset -1/],
      ["with a string that runs off the data", nameAt(2), /tag 1000: string not terminated/],
      ["with a string entry of count 0", nameAt(0, RPM_TYPE.STRING_ARRAY, 0), /tag 1000 has no values/],
      ["with NAME typed INT32", nameAt(0, RPM_TYPE.INT32), /tag 1000 has type 4, not a string/],
      ["with NAME typed BIN", nameAt(0, RPM_TYPE.BIN), /tag 1000 has type 7, not a string/],
      ["with an INT32 straddling the data end", epochAt(5), /tag 1003: offset 5 outside 8 bytes of data/],
      ["with an INT32 offset past the data", epochAt(8), /tag 1003: offset 8/],
      ["with EPOCH typed STRING", epochAt(0, RPM_TYPE.STRING), /tag 1003 has type 6, not INT32/],
    ])("%s", (_case, blob, message) => {
      expect(() => parseRpmHeader(blob)).toThrow(MalformedRpmHeaderError);
      expect(() => parseRpmHeader(blob)).toThrow(message);
    });
  });
});
