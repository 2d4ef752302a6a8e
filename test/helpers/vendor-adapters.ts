/**
 * Adapters the vendor tests make against their emulators: integration
 * entities as the worker reads them (loopback http, the secret sealed), one
 * try per call, and every adapter closed at the end.
 *
 *   const adapters = new TestAdapters();
 *   const adapter = adapters.create(adapters.integration("pw", { type: RegistryType.HARBOR, url, authMethod: AuthMethod.ACCOUNT, username: "u" }));
 *   afterAll(() => adapters.closeAll());
 */
import { randomBytes } from "node:crypto";
import { Registry } from "../../db/entities";
import { SecretBox } from "../../lib/secret-box";
import type { ListedRepository, RegistryAdapter } from "../../workers/registry/adapter";
import { CHECKS } from "../../workers/registry/connection-checks";
import type { ClientOptions } from "../../workers/registry/distribution/client";
import { createAdapter } from "../../workers/registry/registry";
import { TagResolver } from "../../workers/registry/tag-resolver";

/** A vendor integration's checkConnection as `[name, ok]` pairs (`outcomes(checks)`) when every check passes, minimum rights included. */
export const EVERY_CHECK_PASSES = [CHECKS.reachable, CHECKS.tls, CHECKS.authenticated, CHECKS.canList, CHECKS.rights].map((name) => [name, true]);

export const outcomes = (checks: ReadonlyArray<{ name: string; ok: boolean }>) => checks.map((c) => [c.name, c.ok]);

/** One try per call: a refusal shows at once, not after the retries. */
export const ONE_TRY: ClientOptions = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

export type IntegrationFields = Pick<Registry, "type" | "url" | "authMethod" | "username"> & Partial<Registry>;

export class TestAdapters {
  /** With a key of its own. */
  readonly secrets = new SecretBox([{ id: "test", key: randomBytes(32) }]);
  readonly #open: RegistryAdapter[] = [];

  /** An integration on loopback http (insecure, no CA certificate, no apiUrl unless given) with `secret` sealed. */
  integration(secret: string, fields: IntegrationFields): Registry {
    return Object.assign(new Registry(), {
      id: "00000000-0000-0000-0000-000000000001",
      apiUrl: null,
      repositoryPathMethod: null,
      repositoryKey: null,
      insecure: true,
      caCertificate: null,
      secretCiphertext: this.secrets.seal(secret),
      ...fields,
    });
  }

  /** The adapter of `registry`, trying each call once (default platform linux/amd64). */
  create(registry: Registry, resolver = new TagResolver(["linux/amd64"])): RegistryAdapter {
    return this.track(createAdapter(registry, this.secrets, resolver, ONE_TRY));
  }

  /** `adapter`, to be closed by closeAll. */
  track<T extends RegistryAdapter>(adapter: T): T {
    this.#open.push(adapter);
    return adapter;
  }

  /** Closes every adapter made or tracked since the last call. */
  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((adapter) => adapter.close()));
  }
}

/** Everything the adapter lists, in its order. */
export async function listRepositories(adapter: RegistryAdapter): Promise<ListedRepository[]> {
  const listed: ListedRepository[] = [];
  for await (const entry of adapter.listRepositories()) listed.push(entry);
  return listed;
}
