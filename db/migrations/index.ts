import { Initial1764403200000 } from "./1764403200000-Initial";
import { Discovery1764489600000 } from "./1764489600000-Discovery";
import { Scanning1764576000000 } from "./1764576000000-Scanning";
import { Vulnerabilities1764662400000 } from "./1764662400000-Vulnerabilities";
import { PullQuota1764748800000 } from "./1764748800000-PullQuota";
import { Webhooks1764835200000 } from "./1764835200000-Webhooks";
import { ApiScale1764921600000 } from "./1764921600000-ApiScale";
import { FindingCounts1765008000000 } from "./1765008000000-FindingCounts";

/** Every migration, oldest first. Listed explicitly so that ts and compiled js load the same set. */
export const MIGRATIONS = [Initial1764403200000, Discovery1764489600000, Scanning1764576000000, Vulnerabilities1764662400000, PullQuota1764748800000, Webhooks1764835200000, ApiScale1764921600000, FindingCounts1765008000000];
