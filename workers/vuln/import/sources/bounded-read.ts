/**
 * Reads a stream into memory, at most `limit` bytes; null as soon as it
 * passes the limit (leaving the loop destroys the stream: nothing more is
 * read or inflated).
 */
export async function readAtMost(stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

export function tooLargeMessage(limit: number, size?: number): string {
  return `larger than the limit of ${limit} bytes per record (${size === undefined ? "more were read" : `${size} bytes`})`;
}
