/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one or more challenges,
 * each a scheme (compared case-insensitively: Nexus sends `BASIC`) and
 * auth-params whose values may be quoted strings containing commas and
 * backslash escapes.
 */

export interface Challenge {
  /** Lower-cased: `basic`, `bearer`, … */
  scheme: string;
  /** Parameter names lower-cased; values as sent (unquoted). */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(", ") : (header ?? "");
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < text.length && chars.test(text[i])) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && TOKEN_CHAR.test(text[i])) i++;
    return text.slice(start, i);
  };
  while (i < text.length) {
    skip(/[\s,]/);
    if (i >= text.length) break;
    const name = token();
    if (!name) {
      i++; // not a token character: skip it
      continue;
    }
    skip(/[ \t]/);
    if (text[i] !== "=") {
      current = { scheme: name.toLowerCase(), params: Object.create(null) as Record<string, string> };
      challenges.push(current);
      continue;
    }
    i++; // "="
    skip(/[ \t]/);
    let value = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i++];
      }
      i++; // closing quote
    } else {
      const start = i;
      while (i < text.length && !/[\s,]/.test(text[i])) i++;
      value = text.slice(start, i);
    }
    if (current) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

/** The challenge drydock answers: Bearer before Basic; undefined when neither is offered. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}
