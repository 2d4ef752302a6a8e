import { Arg, Authorized, ID, type PubSub, Resolver, Root, Subscription } from "type-graphql";
import { ScanJob, SyncRun } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";

interface RegistryArgs {
  registryId: string;
}

type SubscribeData = { args: RegistryArgs; context: Context };

const unused = () => {
  throw new Error("drydock's subscriptions read ctx.services.live; type-graphql's pubSub is not used");
};

/**
 * type-graphql asks for a pubSub as soon as a schema has subscriptions, even
 * when each brings its own `subscribe` as ours do (they read the server's
 * LiveUpdates, fed by PostgreSQL): this one only says so if it is ever called.
 */
export const UNUSED_PUBSUB: PubSub = { publish: unused, subscribe: unused };

/** Live updates over WebSocket (graphql-ws); queries return the same objects. */
@Resolver()
export class LiveResolver {
  @Authorized(Role.VIEWER)
  @Subscription(() => ScanJob, {
    description: "Every change of a scan job of the registry (queued, started, retried, finished), as the row reads after it",
    subscribe: async ({ args, context }: SubscribeData) => {
      await context.services.registries.get(args.registryId);
      return context.services.live.scanJobs(args.registryId);
    },
  })
  scanJobUpdated(@Arg("registryId", () => ID) _registryId: string, @Root() job: ScanJob): ScanJob {
    return job;
  }

  @Authorized(Role.VIEWER)
  @Subscription(() => SyncRun, {
    description: "Every change of a discovery run of the registry (started, finished), as the row reads after it",
    subscribe: async ({ args, context }: SubscribeData) => {
      await context.services.registries.get(args.registryId);
      return context.services.live.syncRuns(args.registryId);
    },
  })
  syncRunUpdated(@Arg("registryId", () => ID) _registryId: string, @Root() run: SyncRun): SyncRun {
    return run;
  }
}
