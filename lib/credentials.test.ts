import { bearerToken, sameSecret } from "./credentials";

test("sameSecret compares secrets of any length", () => {
  expect(sameSecret("abc", "abc")).toBe(true);
  expect(sameSecret("abc", "abd")).toBe(false);
  expect(sameSecret("abc", "abcd")).toBe(false);
  expect(sameSecret("", "abc")).toBe(false);
});

test("bearerToken reads the token of an Authorization header, and nothing else", () => {
  expect(bearerToken("Bearer ddk_abc")).toBe("ddk_abc");
  expect(bearerToken("bearer   ddk_abc  ")).toBe("ddk_abc");
  expect(bearerToken("Basic dXNlcjpwYXNz")).toBeNull();
  expect(bearerToken("Bearer two words")).toBeNull();
  expect(bearerToken("Bearer ")).toBeNull();
  expect(bearerToken(undefined)).toBeNull();
});
