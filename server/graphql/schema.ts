import { printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { RoleAuthChecker } from "../auth";
import { DiscoveryResolver } from "../modules/discovery/discovery.resolver";
import { ImageResolver } from "../modules/image/image.resolver";
import { LiveResolver, UNUSED_PUBSUB } from "../modules/live/live.resolver";
import { PolicyResolver } from "../modules/policy/policy.resolver";
import { RegistryResolver } from "../modules/registry/registry.resolver";
import { RegistryWebhookResolver } from "../modules/registry/registry-webhook.resolver";
import { IntakeResolver } from "../modules/scan/intake.resolver";
import { ScanJobResolver } from "../modules/scan/scan-job.resolver";
import { SyncResolver } from "../modules/sync/sync.resolver";
import { TokenResolver } from "../modules/token/token.resolver";
import { ImportRunResolver } from "../modules/vuln/import-run.resolver";

export const RESOLVERS = [
  RegistryResolver,
  RegistryWebhookResolver,
  PolicyResolver,
  TokenResolver,
  SyncResolver,
  DiscoveryResolver,
  IntakeResolver,
  ImageResolver,
  ScanJobResolver,
  ImportRunResolver,
  LiveResolver,
] as const;

export function buildDrydockSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, validate: true, authChecker: RoleAuthChecker, pubSub: UNUSED_PUBSUB });
}

/** The SDL committed as schema/schema.graphql. */
export async function schemaText(): Promise<string> {
  return printSchema(await buildDrydockSchema()) + "\n";
}
