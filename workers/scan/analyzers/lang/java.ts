import type { Analyzer, FoundPackage } from "../analyzer";
import { parsePomProperties } from "./pom-properties";
import { StreamReader, consumeStream } from "./stream-reader";
import { uniquePackages } from "./unique-packages";
import { type ZipLimits, zipEntries } from "./zip-stream";

const JAVA_ARCHIVE = /\.(jar|war|ear)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
/** An ear holds wars, a war holds jars: two levels below the file itself. */
const MAX_NESTING = 2;
const MAX_ENTRIES = 200_000;
const MAX_POM_PROPERTIES_BYTES = 64 * 1024;
const MAX_INFLATED_BYTES = 4 * 1024 ** 3;

/** Maven artifacts in Java archives, from the pom.properties Maven puts in each, nested archives included. */
export const javaAnalyzer: Analyzer = {
  name: "java",
  version: 1,
  required: (file) => JAVA_ARCHIVE.test(file.path),
  async analyze(file) {
    const limits: ZipLimits = { maxEntries: MAX_ENTRIES, inflatedBytes: { remaining: MAX_INFLATED_BYTES } };
    const packages = await consumeStream(file.stream(), (reader) => archivePackages(reader, 0, limits));
    return { packages: uniquePackages(packages) };
  },
};

async function archivePackages(reader: StreamReader, depth: number, limits: ZipLimits): Promise<FoundPackage[]> {
  const packages: FoundPackage[] = [];
  for await (const entry of zipEntries(reader, limits)) {
    if (POM_PROPERTIES.test(entry.name)) {
      const found = parsePomProperties(await readSmallEntry(entry.name, entry.content()));
      if (found) packages.push(found);
    } else if (depth < MAX_NESTING && JAVA_ARCHIVE.test(entry.name)) {
      const nested = new StreamReader(entry.content()[Symbol.asyncIterator]());
      try {
        packages.push(...(await archivePackages(nested, depth + 1, limits)));
      } catch (error) {
        throw new Error(`${entry.name}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return packages;
}

async function readSmallEntry(name: string, content: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of content) {
    size += chunk.length;
    if (size > MAX_POM_PROPERTIES_BYTES) throw new Error(`${name} is larger than ${MAX_POM_PROPERTIES_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
