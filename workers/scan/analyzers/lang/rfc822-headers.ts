/**
 * The header block of an RFC 822 style message (Python's core metadata
 * uses this format): `Field: value` lines, continued by lines that start
 * with whitespace, up to the first blank line, after which a body follows.
 * Field names are case-insensitive: the map's keys are lower case, and the
 * first occurrence of a repeated field wins.
 */
export function parseHeaderBlock(message: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  const lines = message.subarray(0, headerBlockEnd(message)).toString("utf8").split(/\r?\n/);
  // The field that continuation lines extend; null before the first field and after a repeated one, which is ignored.
  let continued: string | null = null;
  for (const [index, line] of lines.entries()) {
    if (line === "") continue;
    if (/^[ \t]/.test(line)) {
      if (continued !== null) headers.set(continued, `${headers.get(continued)}\n${line.trim()}`);
      continue;
    }
    const field = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!field) throw new Error(`header line ${index + 1} is not a "Field: value" line`);
    const name = field[1].toLowerCase();
    continued = headers.has(name) ? null : name;
    if (continued !== null) headers.set(name, field[2].trimEnd());
  }
  return headers;
}

/** Where the first blank line starts, or the end of the message. */
function headerBlockEnd(message: Buffer): number {
  const ends = [message.indexOf("\n\n"), message.indexOf("\n\r\n")].filter((at) => at >= 0);
  return ends.length > 0 ? Math.min(...ends) + 1 : message.length;
}
