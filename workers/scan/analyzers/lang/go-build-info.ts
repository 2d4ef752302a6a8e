/**
 * The build information the Go linker embeds in every binary (Go ≥ 1.18
 * layout), as read by Go's own debug/buildinfo: a 32-byte header starting
 * with a magic string, then the Go version and the module information as
 * varint-length-prefixed strings.
 */

export const BUILD_INFO_MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const HEADER_BYTES = 32;
const FLAG_INLINE_STRINGS = 0x2;
const MAX_VERSION_BYTES = 256;
/** Bounds how far past a magic string bytes are collected; real module information is a few KiB. */
const MAX_MOD_INFO_BYTES = 1024 * 1024;
/** The module information is framed by 16 sentinel bytes on each side. */
const SENTINEL_BYTES = 16;

export interface BuildInfo {
  /** As the binary states it: `go1.21.5`, `go1.20.1 X:boringcrypto`, `devel go1.22-…`. */
  goVersion: string;
  /** As runtime/debug.BuildInfo prints it: `path`, `mod`, `dep`, `=>`, `build` lines; empty outside a module. */
  modInfo: string;
}

export type BuildInfoDecoding =
  | { kind: "decoded"; buildInfo: BuildInfo }
  /** More bytes are needed (never more than ~1 MiB from the magic on). */
  | { kind: "incomplete" }
  /** Not a header this reader understands: a stray magic string, or the pre-1.18 pointer layout. */
  | { kind: "unusable" };

/** Decodes the build information from `bytes`, which start at a magic string. */
export function decodeBuildInfo(bytes: Buffer): BuildInfoDecoding {
  if (bytes.length < HEADER_BYTES) return { kind: "incomplete" };
  const pointerSize = bytes[14];
  const flags = bytes[15];
  if ((pointerSize !== 4 && pointerSize !== 8) || !(flags & FLAG_INLINE_STRINGS)) return { kind: "unusable" };

  const version = readString(bytes, HEADER_BYTES, MAX_VERSION_BYTES);
  if (version.kind !== "read") return version;
  const goVersion = version.value.toString("latin1");
  if (!/^(go1|devel )/.test(goVersion)) return { kind: "unusable" };

  const modInfo = readString(bytes, version.end, MAX_MOD_INFO_BYTES);
  if (modInfo.kind !== "read") return modInfo;
  return { kind: "decoded", buildInfo: { goVersion, modInfo: stripSentinels(modInfo.value) } };
}

type StringRead = { kind: "read"; value: Buffer; end: number } | { kind: "incomplete" } | { kind: "unusable" };

function readString(bytes: Buffer, offset: number, maxLength: number): StringRead {
  let length = 0;
  for (let at = offset, shift = 0; ; at++, shift += 7) {
    if (shift > 28) return { kind: "unusable" };
    if (at >= bytes.length) return { kind: "incomplete" };
    length += (bytes[at] & 0x7f) * 2 ** shift;
    if (length > maxLength) return { kind: "unusable" };
    if (bytes[at] < 0x80) {
      const end = at + 1 + length;
      if (end > bytes.length) return { kind: "incomplete" };
      return { kind: "read", value: bytes.subarray(at + 1, end), end };
    }
  }
}

function stripSentinels(modInfo: Buffer): string {
  const framed = modInfo.length > 2 * SENTINEL_BYTES && modInfo[modInfo.length - SENTINEL_BYTES - 1] === 0x0a;
  return framed ? modInfo.subarray(SENTINEL_BYTES, modInfo.length - SENTINEL_BYTES).toString("utf8") : "";
}
