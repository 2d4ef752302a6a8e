/**
 * Debian control-file stanzas (deb822, the format of dpkg's status file):
 * `Field: value` lines, continuation lines starting with a space or tab,
 * stanzas separated by blank lines. Field names are case-insensitive, so
 * they are returned in lower case. A stanza keeps the first of repeated fields.
 */
export function parseControlStanzas(text: string): Array<Map<string, string>> {
  const stanzas: Array<Map<string, string>> = [];
  let stanza = new Map<string, string>();
  let field: string | null = null;
  const endStanza = (): void => {
    if (stanza.size > 0) stanzas.push(stanza);
    stanza = new Map();
    field = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      endStanza();
    } else if (line[0] === " " || line[0] === "\t") {
      if (field !== null) stanza.set(field, `${stanza.get(field)}\n${line.slice(1)}`);
    } else if (!line.startsWith("#")) {
      field = startField(stanza, line);
    }
  }
  endStanza();
  return stanzas;
}

/** Records the field a line starts; returns its name, or null when the line starts none (malformed or repeated). */
function startField(stanza: Map<string, string>, line: string): string | null {
  const colon = line.indexOf(":");
  if (colon <= 0) return null;
  const name = line.slice(0, colon).trim().toLowerCase();
  if (stanza.has(name)) return null;
  stanza.set(name, line.slice(colon + 1).trim());
  return name;
}
