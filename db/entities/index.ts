import { ApiToken } from "./api-token.entity";
import { Image } from "./image.entity";
import { PullPolicy } from "./pull-policy.entity";
import { RegistryTag } from "./registry-tag.entity";
import { Registry } from "./registry.entity";
import { ScanJob } from "./scan-job.entity";
import { SyncRun } from "./sync-run.entity";
import { SystemState } from "./system-state.entity";

export { ApiToken, Image, PullPolicy, Registry, RegistryTag, ScanJob, SyncRun, SystemState };

export const ENTITIES = [Registry, PullPolicy, ApiToken, SystemState, RegistryTag, Image, ScanJob, SyncRun];
