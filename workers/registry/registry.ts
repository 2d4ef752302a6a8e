import type { Registry } from "../../db/entities";
import { RegistryType } from "../../db/enums";
import type { SecretBox } from "../../lib/secret-box";
import type { RegistryAdapter } from "./adapter";
import type { ClientOptions } from "./distribution/client";
import { dockerHubFactory } from "./adapters/docker-hub/factory";
import { dockerRegistryFactory } from "./adapters/docker-registry/factory";
import { harborFactory } from "./adapters/harbor/factory";
import { gitLabFactory } from "./adapters/gitlab/factory";
import { artifactoryFactory } from "./adapters/artifactory/factory";
import { nexusFactory } from "./adapters/nexus/factory";
import { yandexFactory } from "./adapters/yandex/factory";
import { RegistryError } from "./errors";
import type { TagResolver } from "./tag-resolver";

/** Builds the adapter of one integration for one use (a run, a connection test, a preview). */
export interface AdapterFactory {
  readonly type: RegistryType;
  create(registry: Registry, secrets: SecretBox, resolver: TagResolver, options?: ClientOptions): RegistryAdapter;
}

/** Every adapter drydock has: the one explicit registration list. */
const FACTORIES: readonly AdapterFactory[] = [dockerRegistryFactory, dockerHubFactory, harborFactory, gitLabFactory, artifactoryFactory, nexusFactory, yandexFactory];

const BY_TYPE = new Map<RegistryType, AdapterFactory>();
for (const factory of FACTORIES) {
  if (BY_TYPE.has(factory.type)) throw new Error(`two adapter factories for ${factory.type}`);
  BY_TYPE.set(factory.type, factory);
}

export function createAdapter(registry: Registry, secrets: SecretBox, resolver: TagResolver, options?: ClientOptions): RegistryAdapter {
  const factory = BY_TYPE.get(registry.type);
  if (!factory) {
    throw new RegistryError("REGISTRY_PROTOCOL", `${registry.type} registries cannot be listed yet`, { retryable: false });
  }
  return factory.create(registry, secrets, resolver, options);
}

export function supportedTypes(): RegistryType[] {
  return [...BY_TYPE.keys()];
}
