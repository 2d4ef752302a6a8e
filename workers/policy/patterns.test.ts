import {
  compilePatternList,
  InvalidPatternListError,
  MAX_PATTERN_LENGTH,
  validatePatternList,
} from "./patterns";

describe("pattern matching", () => {
  it.each<[pattern: string, repository: string, tag: string, matches: boolean]>([
    // name patterns
    ["library/nginx", "library/nginx", "1.25", true],
    ["library/nginx", "library/nginx-extra", "1.25", false],
    ["library/nginx", "other/library/nginx", "1.25", false],
    ["library/*", "library/nginx", "latest", true],
    ["library/*", "library/nginx/debug", "latest", true], // `*` crosses `/`
    ["library/*", "library/", "latest", true], // `*` matches nothing
    ["library/*", "library", "latest", false],
    ["*", "a/b/c/d", "x", true],
    ["**", "a", "x", true],
    ["*/nginx", "library/nginx", "x", true],
    ["*/nginx", "nginx", "x", false],
    ["*nginx", "nginx", "x", true],
    ["team-*/service-1*", "team-07/service-123", "x", true],
    ["team-*/service-1*", "team-07/service-223", "x", false],
    ["a*b*c", "abc", "x", true],
    ["a*b*c", "axxbyyc", "x", true],
    ["a*b*c", "acb", "x", false],
    ["a*bc*bc", "abcbc", "x", true],
    ["a*bc*bc", "abc", "x", false], // middle and tail must not overlap
    ["a*a", "a", "x", false],
    ["a*a", "aa", "x", true],
    ["lib.x/app", "lib.x/app", "x", true],
    ["lib.x/app", "libyx/app", "x", false], // `.` is literal
    ["a-b_c/d", "a-b_c/d", "x", true],
    // tag-only patterns
    [":latest", "any/repo", "latest", true],
    [":latest", "any/repo", "Latest", false], // case-sensitive
    [":latest", "any/repo", "latest-2", false],
    [":4", "r", "4", true],
    [":4", "r", "4.1", false], // exact, not a prefix
    [":4", "r", "14", false],
    [":4.*", "r", "4.1", true],
    [":4.*", "r", "4", false],
    [":4*", "r", "4", true],
    [":*-rc*", "r", "1.0-rc1", true],
    [":*-rc*", "r", "1.0", false],
    [":1.2", "r", "1x2", false],
    [":v*", "r", "V1", false],
    [":*", "r", "anything", true],
    // name:tag patterns
    ["library/*:1.*", "library/nginx", "1.25", true],
    ["library/*:1.*", "library/nginx", "2.0", false],
    ["library/*:1.*", "other/nginx", "1.25", false],
    ["library/nginx:latest", "library/nginx", "latest", true],
    ["library/nginx:latest", "library/nginx", "stable", false],
    ["*:sha-*", "team/app", "sha-abcdef", true],
    ["*:sha-*", "team/app", "abcdef", false],
    ["team/app:A_b.C-d", "team/app", "A_b.C-d", true],
  ])("%s on %s:%s → %s", (pattern, repository, tag, matches) => {
    const list = compilePatternList([pattern]);
    expect(list.matches(repository, tag)).toBe(matches ? pattern : null);
  });

  it("returns the first matching pattern in list order", () => {
    const list = compilePatternList(["other/*", ":latest", "team/*"]);
    expect(list.matches("team/app", "latest")).toBe(":latest");
    expect(list.matches("team/app", "1.0")).toBe("team/*");
    expect(list.matches("x/app", "1.0")).toBeNull();
  });

  it("an empty list matches nothing", () => {
    expect(compilePatternList([]).matches("a", "b")).toBeNull();
  });
});

describe("pattern validation", () => {
  it.each<[pattern: string, reasonPart: string]>([
    ["", "empty pattern"],
    [":", "empty name and tag"],
    ["a:b:c", 'more than one ":"'],
    ["repo:", 'empty tag after ":"'],
    ["Library/nginx", 'invalid character "L" in name "Library/nginx" (names are lower-case)'],
    ["lib rary", 'invalid character " " in name "lib rary"'],
    ["lib?", 'invalid character "?" in name'],
    ["lib\t", 'invalid character "\\t" in name'],
    ["lib@sha256", 'invalid character "@" in name'],
    ["a:b/c", 'invalid character "/" in tag "b/c"'],
    [":v1+build", 'invalid character "+" in tag'],
    [":é", 'invalid character "é" in tag'],
    ["X:latest", 'invalid character "X" in name "X"'],
  ])("refuses %j: %s", (pattern, reasonPart) => {
    const errors = validatePatternList([pattern]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 0, pattern });
    expect(errors[0].reason).toContain(reasonPart);
  });

  it.each<[pattern: string]>([
    ["*"],
    [":*"],
    ["a/b/c-d_e.f:G_h.i-J*"],
    ["library/nginx:1.0"],
  ])("accepts %j", (pattern) => {
    expect(validatePatternList([pattern])).toEqual([]);
  });

  it("accepts 255 characters and refuses 256, in names and in tags", () => {
    const longName = "a".repeat(MAX_PATTERN_LENGTH);
    const longTag = ":" + "A".repeat(MAX_PATTERN_LENGTH - 1);
    expect(validatePatternList([longName, longTag])).toEqual([]);
    expect(validatePatternList([longName + "a", longTag + "A"]).map((e) => [e.index, e.reason])).toEqual([
      [0, "256 characters; at most 255 are allowed"],
      [1, "256 characters; at most 255 are allowed"],
    ]);
  });

  it("accepts 100 patterns and refuses 101, naming the list", () => {
    const patterns = Array.from({ length: 101 }, (_, i) => `repo-${i}`);
    expect(validatePatternList(patterns.slice(0, 100))).toEqual([]);
    expect(validatePatternList(patterns)).toEqual([
      { index: -1, pattern: "", reason: "101 patterns; at most 100 are allowed" },
    ]);
  });

  it("reports every bad pattern with its index", () => {
    const errors = validatePatternList(["ok", "Bad", "also-ok", ""]);
    expect(errors.map((e) => [e.index, e.pattern])).toEqual([
      [1, "Bad"],
      [3, ""],
    ]);
  });

  it("compilePatternList throws a typed error carrying the problems", () => {
    let thrown: unknown;
    try {
      compilePatternList(["fine", "a:b:c"]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPatternListError);
    expect((thrown as InvalidPatternListError).errors).toEqual([
      { index: 1, pattern: "a:b:c", reason: expect.stringContaining('more than one ":"') },
    ]);
    expect((thrown as Error).message).toContain('"a:b:c": more than one ":"');
  });
});
