import { parseControlStanzas } from "./control-stanzas";

function stanzas(text: string): Array<Record<string, string>> {
  return parseControlStanzas(text).map((stanza) => Object.fromEntries(stanza));
}

describe("parseControlStanzas", () => {
  it.each<[string, string, Array<Record<string, string>>]>([
    ["one stanza", "Package: a\nVersion: 1\n", [{ package: "a", version: "1" }]],
    ["no trailing newline", "Package: a\nVersion: 1", [{ package: "a", version: "1" }]],
    ["stanzas split by a blank line", "Package: a\n\nPackage: b\n", [{ package: "a" }, { package: "b" }]],
    ["several blank and whitespace-only lines", "Package: a\n\n \t\n\nPackage: b\n\n\n", [{ package: "a" }, { package: "b" }]],
    ["CRLF line endings", "Package: a\r\nVersion: 1\r\n\r\nPackage: b\r\n", [{ package: "a", version: "1" }, { package: "b" }]],
    ["field names in any case", "PACKAGE: a\nversion: 1\n", [{ package: "a", version: "1" }]],
    ["values trimmed", "Package:    a   \nVersion:1\n", [{ package: "a", version: "1" }]],
    ["a value holding colons", "Version: 1:2.3-4\n", [{ version: "1:2.3-4" }]],
    [
      "continuation lines",
      "Description: short\n long line one\n .\n\tline two\nVersion: 1\n",
      [{ description: "short\nlong line one\n.\nline two", version: "1" }],
    ],
    ["a field whose value starts on the next line", "Conffiles:\n /etc/a 123\n", [{ conffiles: "\n/etc/a 123" }]],
    ["the first of repeated fields", "Package: a\nPackage: b\n continued\n", [{ package: "a" }]],
    ["comment lines skipped", "# comment\nPackage: a\n#Version: 9\n", [{ package: "a" }]],
    ["a continuation line before any field ignored", " orphan\nPackage: a\n", [{ package: "a" }]],
    ["lines without a colon ignored", "Package: a\ngarbage\n continuation of nothing\n", [{ package: "a" }]],
    ["a line starting with a colon ignored", ": no name\nPackage: a\n", [{ package: "a" }]],
    ["an empty value", "Source:\nPackage: a\n", [{ source: "", package: "a" }]],
    ["nothing", "", []],
    ["only blank lines", "\n\n\n", []],
  ])("reads %s", (_case, text, expected) => {
    expect(stanzas(text)).toEqual(expected);
  });
});
