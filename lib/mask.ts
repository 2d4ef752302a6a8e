/** Replaces the password of a connection URL with "***" so it can be printed. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    // Unparseable: hide everything from the user name's colon to the last @, which
    // also covers a password with an unencoded / or @ in it.
    return raw.replace(/\/\/([^:/@\s]*):\S*@/, "//$1:***@");
  }
}

/** Masks the password of every connection URL that appears in a message. */
export function maskUrlsIn(message: string): string {
  return message.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s'"]+)/gi, (m) => maskUrl(m));
}
