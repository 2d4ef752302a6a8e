import type { Analyzer } from "../analyzer";
import { BUILD_INFO_MAGIC, type BuildInfo, decodeBuildInfo } from "./go-build-info";
import { goModulePackages } from "./go-mod-info";
import { type StreamReader, consumeStream } from "./stream-reader";

/** Smaller than any Go binary (a stripped hello world is over 1 MiB): skips scripts and tiny tools. */
const MIN_BINARY_BYTES = 64 * 1024;
const EXECUTABLE_MAGICS = [
  Buffer.from("\x7fELF", "latin1"),
  Buffer.from("MZ", "latin1"), // PE
  Buffer.from([0xfe, 0xed, 0xfa, 0xce]), // Mach-O, 32 and 64 bits, both byte orders
  Buffer.from([0xfe, 0xed, 0xfa, 0xcf]),
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
];

/** Go modules compiled into executables, from the build information the Go linker embeds. */
export const goBinaryAnalyzer: Analyzer = {
  name: "gobinary",
  version: 1,
  required: (file) => (file.mode & 0o111) !== 0 && file.size >= MIN_BINARY_BYTES,
  async analyze(file) {
    const buildInfo = await consumeStream(file.stream(), findBuildInfo);
    return buildInfo && { packages: goModulePackages(buildInfo) };
  },
};

/** Streams through the file for the build information; null when it is not a Go ≥ 1.18 executable. */
async function findBuildInfo(reader: StreamReader): Promise<BuildInfo | null> {
  const start = await reader.read(4);
  if (!EXECUTABLE_MAGICS.some((magic) => start.subarray(0, magic.length).equals(magic))) return null;

  // Holds the bytes not searched yet, plus a magic-sized tail of the previous chunk in case a magic straddles chunks.
  let window: Buffer = start;
  for (;;) {
    const at = window.indexOf(BUILD_INFO_MAGIC);
    if (at < 0) {
      const chunk = await reader.next();
      if (chunk === null) return null;
      window = Buffer.concat([window.subarray(Math.max(0, window.length - BUILD_INFO_MAGIC.length + 1)), chunk]);
      continue;
    }
    window = window.subarray(at);
    const decoding = decodeBuildInfo(window);
    if (decoding.kind === "decoded") return decoding.buildInfo;
    if (decoding.kind === "incomplete") {
      const chunk = await reader.next();
      if (chunk === null) return null;
      window = Buffer.concat([window, chunk]);
      continue;
    }
    // A stray magic string (Go programs that read build info contain it as data): search on after it.
    window = window.subarray(1);
  }
}
