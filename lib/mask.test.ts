import { maskUrl, maskUrlsIn } from "./mask";

describe("maskUrl", () => {
  test.each([
    ["mysql://root:pw@127.0.0.1:3306/drydock", "mysql://root:***@127.0.0.1:3306/drydock"],
    ["postgres://postgres:s3cret@db.internal:5432/drydock", "postgres://postgres:***@db.internal:5432/drydock"],
    ["postgres://u:s3cret@h/db?sslmode=require", "postgres://u:***@h/db?sslmode=require"],
    ["https://user:token@registry.example.com/v2/", "https://user:***@registry.example.com/v2/"],
    ["mysql://:pw@host/db", "mysql://:***@host/db"],
  ])("%s → %s", (raw, masked) => {
    expect(maskUrl(raw)).toBe(masked);
  });

  test.each([
    ["percent-encoded characters", "mysql://root:p%40ss%2Fw%3Ard@host/db", ["p%40ss", "p@ss", "w%3Ard"]],
    ["an unencoded @", "mysql://root:p@ss@host/db", ["p@ss", "ss@"]],
    ["a port that is out of range (URL does not parse)", "mysql://root:Secret1@host:99999/db", ["Secret1"]],
    ["a space in the host (URL does not parse)", "mysql://root:Secret1@ho st/db", ["Secret1"]],
    ["an unencoded @ in a URL that does not parse", "mysql://root:Sec@ret1@ho st/db", ["Sec", "ret1"]],
    ["an unencoded / in a URL that does not parse", "mysql://root:Sec/ret1@host/db", ["Sec/", "ret1"]],
    ["an unencoded # in a URL that does not parse", "mysql://root:Sec#ret1@host/db", ["Sec#", "ret1"]],
  ])("a password with %s is hidden", (_label, raw, parts) => {
    const masked = maskUrl(raw);
    expect(masked).toContain("***");
    for (const part of parts) expect(masked).not.toContain(part);
    expect(masked).toMatch(/root:\*\*\*@/);
  });

  test.each([
    ["no password", "mysql://root@127.0.0.1:3306/drydock"],
    ["no credentials", "postgres://db.internal/drydock"],
    ["a registry URL with a digest", "https://registry.example.com:5000/v2/app/manifests/sha256:abc"],
  ])("a URL with %s is left as it is", (_label, raw) => {
    expect(maskUrl(raw)).toBe(raw);
  });

  test("text that is not a URL is left as it is", () => {
    expect(maskUrl("not a url")).toBe("not a url");
    expect(maskUrl("")).toBe("");
  });

  test("the user name stays, so the operator sees which account failed", () => {
    expect(maskUrl("mysql://drydock_app:pw@h/db")).toContain("drydock_app");
  });
});

describe("maskUrlsIn", () => {
  test("masks every URL of a message and leaves the rest", () => {
    const message = "cannot connect to mysql://u:pw1@h:1/db (connection refused); queue at postgres://p:pw2@q/x.";
    expect(maskUrlsIn(message)).toBe(
      "cannot connect to mysql://u:***@h:1/db (connection refused); queue at postgres://p:***@q/x.",
    );
  });

  test.each([
    ["in double quotes", `at "mysql://u:Secret1@h/db" failed`, `at "mysql://u:***@h/db" failed`],
    ["in single quotes", `url 'postgres://u:Secret1@h/db'`, `url 'postgres://u:***@h/db'`],
    ["in parentheses", "(mysql://u:Secret1@h/db)", "(mysql://u:***@h/db)"],
    ["followed by a comma", "url=mysql://u:Secret1@h/db, next", "url=mysql://u:***@h/db, next"],
    ["followed by a new line", "first mysql://u:Secret1@h/db\nsecond line", "first mysql://u:***@h/db\nsecond line"],
  ])("finds a URL %s", (_label, message, masked) => {
    expect(maskUrlsIn(message)).toBe(masked);
  });

  test("masks URLs in a multi-line stack trace", () => {
    const stack = "Error: connect ECONNREFUSED\n    at mysql://root:Secret1@127.0.0.1:3306/drydock\n    at Foo.bar (file.ts:1:2)";
    const masked = maskUrlsIn(stack);
    expect(masked).not.toContain("Secret1");
    expect(masked).toContain("mysql://root:***@127.0.0.1:3306/drydock");
    expect(masked).toContain("at Foo.bar (file.ts:1:2)");
  });

  test("a password with an unencoded / or @ inside a message is hidden", () => {
    expect(maskUrlsIn("connect mysql://root:Sec/ret1@host/db now")).not.toMatch(/Sec|ret1/);
    expect(maskUrlsIn("connect mysql://root:Sec@ret1@host/db now")).not.toMatch(/Sec|ret1/);
  });

  test("text without URLs is unchanged", () => {
    const text = "password authentication failed for user \"drydock\" (code 28P01): see https://example.com/docs";
    expect(maskUrlsIn(text)).toBe(text);
    expect(maskUrlsIn("")).toBe("");
  });
});
