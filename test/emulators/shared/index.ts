/**
 * Shared base for the vendor registry emulators (test/emulators/<vendor>/).
 *
 *   const emulator = await startEmulator({
 *     service: "harbor-registry", tokenPath: "/service/token",
 *     authorize: (credentials, requested) =>                    // null credentials = anonymous
 *       credentials?.password === "pw" ? narrowScopes(requested, () => ["pull"]) : "unauthorized",
 *   });
 *   emulator.server.route("GET", "/api/v2.0/projects/:project/repositories/:repository", ({ res, rawParams }) =>
 *     sendJson(res, 200, { name: rawParams.repository }));  // "a%252Fb" raw; params.* are decoded once
 *   await pushImage(emulator.pushTarget(), "team/app", "1.0", { layers: [BASE_LAYER] });
 *   // drydock talks to emulator.url: /v2/* is proxied to a real registry (token auth, JWTs from
 *   // emulator.signer), the realm is emulator.realm; emulator.requests() records what each request carried.
 *   await emulator.stop();
 *
 * Routes win over the proxy: a vendor route under /v2/ answers itself, or forwards with
 * `proxyTo(emulator.registry.url)(context)`. Tokens by hand: `emulator.signer.sign({ subject, access })`.
 * Token realm on another origin (Docker Hub, GitLab): `tokenServer: "separate"`, or pass an
 * EmulatorServer you started (`startEmulatorServer()`, e.g. the GitLab API origin) to mount it there.
 * Leak tests: `startLeakRecorder(answer)` is a foreign origin recording everything;
 * `assertNoSecret(recorder.requests(), secret, username)` checks URL, headers and bodies.
 */
export { startEmulator, type Emulator, type EmulatorOptions } from "./emulator";
export {
  parseAuthorization,
  proxyTo,
  startEmulatorServer,
  type EmulatorServer,
  type EmulatorServerOptions,
  type ParsedAuthorization,
  type RecordedRequest,
  type RouteContext,
  type RouteHandler,
} from "./emulator-server";
export { assertNoSecret, startLeakRecorder, TOKEN_ANSWER, type LeakRecorder, type RecordedAnswer } from "./leak-recorder";
export { formatScope, narrowScopes, parseScope, parseScopes, type Access } from "./scopes";
export { createTokenSigner, decodeToken, type SignOptions, type TokenClaims, type TokenSigner, type TokenSignerOptions } from "./token-signer";
export { tokenService, type Authorize, type BasicCredentials, type TokenRequestInfo, type TokenServiceOptions } from "./token-service";
export { sendError, sendJson } from "../../../workers/registry/distribution/test-support/servers";
