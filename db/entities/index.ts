import { ApiToken } from "./api-token.entity";
import { PullPolicy } from "./pull-policy.entity";
import { Registry } from "./registry.entity";
import { SystemState } from "./system-state.entity";

export { ApiToken, PullPolicy, Registry, SystemState };

export const ENTITIES = [Registry, PullPolicy, ApiToken, SystemState];
