/**
 * A vendor registry in one call: an emulator server (its origin is the
 * registry URL), a token service (on the same server, or on a second origin
 * for vendors whose realm lives elsewhere), and the real registry behind
 * `/v2/` trusting that token service's signer.
 *
 * Start order: the servers listen first (the realm URL must be known), then
 * the registry starts with that realm; anything not routed under `/v2` is
 * proxied to it.
 */
import type { RegistryTarget } from "../../registry/push";
import { startRegistry, type RunningRegistry } from "../../registry/registry-server";
import { proxyTo, startEmulatorServer, type EmulatorServer, type RecordedRequest, type RouteHandler } from "./emulator-server";
import { parseScope } from "./scopes";
import { createTokenSigner, type TokenSigner } from "./token-signer";
import { tokenService, type TokenServiceOptions } from "./token-service";

export interface EmulatorOptions extends Pick<TokenServiceOptions, "authorize" | "expiresInSeconds" | "unauthorized"> {
  /** The registry's service name, the `aud` of its tokens (e.g. "harbor-registry"). */
  service: string;
  /** Default "drydock-emulator-token-issuer". */
  issuer?: string;
  /** Where the token service answers; default "/service/token". */
  tokenPath?: string;
  /**
   * Where the token service is mounted: on the emulator's own server (default),
   * on a second server started here ("separate", stopped by stop()), or on a
   * server the caller started (e.g. a GitLab API origin; the caller stops it).
   */
  tokenServer?: EmulatorServer | "separate";
}

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the registry URL drydock is configured with. */
  url: string;
  /** `127.0.0.1:<port>` (what an image reference starts with). */
  host: string;
  /** The emulator's server: add vendor API routes with `server.route(...)`. */
  server: EmulatorServer;
  /** The server the token service is on (=== server unless `tokenServer` was given). */
  tokenServer: EmulatorServer;
  /** The token service URL the registry's challenge names. */
  realm: string;
  /** The real registry behind `/v2/` (token auth). */
  registry: RunningRegistry;
  signer: TokenSigner;
  /** The requests the emulator's server received (not the token server's, when separate). */
  requests(): RecordedRequest[];
  /** Pushes through the emulator with tokens minted here (pull+push on each repository pushed). */
  pushTarget(): RegistryTarget;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const signer = createTokenSigner({ service: options.service, issuer: options.issuer });
  const tokenPath = options.tokenPath ?? "/service/token";
  const server = await startEmulatorServer();
  const ownTokenServer = options.tokenServer === "separate" ? await startEmulatorServer() : undefined;
  const tokens = ownTokenServer ?? (options.tokenServer as EmulatorServer | undefined) ?? server;
  tokens.route("GET", tokenPath, tokenService({ signer, authorize: options.authorize, expiresInSeconds: options.expiresInSeconds, unauthorized: options.unauthorized }));
  const realm = `${tokens.url}${tokenPath}`;

  let registry: RunningRegistry;
  try {
    registry = await startRegistry({ token: { realm, service: signer.service, issuer: signer.issuer, rootCertBundlePem: signer.certificatePem } });
  } catch (error) {
    await Promise.all([server.stop(), ownTokenServer?.stop()]);
    throw error;
  }
  const proxy = proxyTo(registry.url);
  const fallback = server.fallback;
  const registryOrFallback: RouteHandler = (context) => (/^\/v2(\/|$)/.test(context.path) ? proxy(context) : fallback(context));
  server.fallback = registryOrFallback;

  const pushTokens = new Map<string, string>();
  return {
    url: server.url,
    host: server.host,
    server,
    tokenServer: tokens,
    realm,
    registry,
    signer,
    requests: () => server.requests(),
    pushTarget: () => ({
      url: server.url,
      authorization: (scope: string) => {
        let header = pushTokens.get(scope);
        if (!header) {
          const access = parseScope(scope);
          if (!access) throw new Error(`not a scope: ${scope}`);
          header = `Bearer ${signer.sign({ subject: "emulator-pusher", access: [access], expiresInSeconds: 3600 })}`;
          pushTokens.set(scope, header);
        }
        return header;
      },
    }),
    stop: async () => {
      await Promise.all([server.stop(), ownTokenServer?.stop(), registry.stop()]);
    },
  };
}
