import { CHECKS } from "../../connection-checks";
import { missingScopes, rightsCheck } from "./rights";

describe("missingScopes", () => {
  test("read_api and read_registry are both needed; api covers both", () => {
    expect(missingScopes(["read_api", "read_registry"])).toEqual([]);
    expect(missingScopes(["read_api"])).toEqual(["read_registry"]);
    expect(missingScopes(["read_registry", "write_registry"])).toEqual(["read_api"]);
    expect(missingScopes(["read_user"])).toEqual(["read_api", "read_registry"]);
    expect(missingScopes(["api"])).toEqual([]);
  });
});

describe("rightsCheck", () => {
  test("all there: ok", () => {
    expect(rightsCheck({ scopes: ["read_api", "read_registry"], reporterProjects: true })).toMatchObject({ name: CHECKS.rights, ok: true });
  });

  test("names every missing right, and only those", () => {
    const check = rightsCheck({ scopes: ["read_user"], reporterProjects: false, anyProjects: true });
    expect(check.ok).toBe(false);
    expect(check.message).toBe(
      "missing the token scope read_api; the token scope read_registry; the Reporter role (or above) in the projects to scan: the account is a member only below Reporter",
    );
    expect(rightsCheck({ scopes: ["read_api", "read_registry"], reporterProjects: false }).message).toContain("member of no project");
  });

  test("what the API could not tell is reported as not verifiable, next to what is missing", () => {
    const check = rightsCheck({ scopes: ["read_registry"], reporterProjects: "the GitLab API refused: the token lacks a scope for it" });
    expect(check).toMatchObject({ ok: false, message: expect.stringMatching(/^missing the token scope read_api; not verifiable: the role/) });
    const unknown = rightsCheck({ scopes: "the token is not an access token", reporterProjects: true });
    expect(unknown).toMatchObject({ ok: true, message: "not verifiable: the token's scopes (the token is not an access token)" });
  });

  test("an inactive token is missing, whatever else", () => {
    expect(rightsCheck({ scopes: ["read_api", "read_registry"], inactive: "it is revoked", reporterProjects: true })).toMatchObject({
      ok: false,
      message: "missing an active token (it is revoked)",
    });
  });
});
