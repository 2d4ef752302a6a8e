import { ApiToken } from "./api-token.entity";
import { ArtifactPackage } from "./artifact-package.entity";
import { Artifact } from "./artifact.entity";
import { Finding } from "./finding.entity";
import { ImportRunChange } from "./import-run-change.entity";
import { ImportRun } from "./import-run.entity";
import { Image } from "./image.entity";
import { PullPolicy } from "./pull-policy.entity";
import { RegistryPullQuota } from "./registry-pull-quota.entity";
import { RegistryTag } from "./registry-tag.entity";
import { Registry } from "./registry.entity";
import { LayerAnalysis } from "./layer-analysis.entity";
import { ScanAttempt } from "./scan-attempt.entity";
import { ScanJob } from "./scan-job.entity";
import { SyncRun } from "./sync-run.entity";
import { SystemState } from "./system-state.entity";
import { VulnAffected } from "./vuln-affected.entity";
import { VulnRecord } from "./vuln-record.entity";
import { WorkerInstance } from "./worker-instance.entity";

export { ApiToken, Artifact, ArtifactPackage, Image, LayerAnalysis, PullPolicy, Registry, RegistryPullQuota, RegistryTag, ScanAttempt, ScanJob, SyncRun, SystemState, WorkerInstance, VulnRecord, VulnAffected, Finding, ImportRun, ImportRunChange };

export const ENTITIES = [Registry, PullPolicy, ApiToken, SystemState, RegistryTag, Image, ScanJob, SyncRun, ScanAttempt, WorkerInstance, Artifact, ArtifactPackage, LayerAnalysis, VulnRecord, VulnAffected, Finding, ImportRun, ImportRunChange, RegistryPullQuota];
