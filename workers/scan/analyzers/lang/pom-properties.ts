import type { FoundPackage } from "../analyzer";

/**
 * The `META-INF/maven/<groupId>/<artifactId>/pom.properties` Maven writes
 * into every jar it builds: a Java properties file naming the artifact.
 */
export function parsePomProperties(text: string): FoundPackage | null {
  const properties = parseProperties(text);
  const groupId = properties.get("groupId");
  const artifactId = properties.get("artifactId");
  const version = properties.get("version");
  if (!groupId || !artifactId || !version) return null;
  return { type: "maven", name: `${groupId}:${artifactId}`, version, origin: "installed" };
}

/**
 * `key=value`, `key: value` or `key value` lines; `#` and `!` start
 * comments. Escapes are not decoded: Maven coordinates have none.
 */
function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n|\r/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) properties.set(match[1], match[2]);
  }
  return properties;
}
