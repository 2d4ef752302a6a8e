import type { DataSource } from "typeorm";
import { ScanAttempt, ScanJob } from "../../db/entities";
import type { TestServer } from "./server";

export interface RegistryFields {
  name: string;
  url: string;
  scanTimeoutMinutes?: number;
}

/** Adds a DOCKER_REGISTRY integration without auth (loopback http) and answers its id. */
export async function addPlainRegistry(server: TestServer, fields: RegistryFields): Promise<string> {
  const answer = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { type: "DOCKER_REGISTRY", insecure: true, authMethod: "NONE", ...fields },
  });
  if (!answer.data) throw new Error(`addRegistry failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.addRegistry.id as string;
}

/** Queues scans of `references` through the API (addScanJobs) and answers the scan job ids, in order. */
export async function queueScansOf(server: TestServer, registryId: string, references: string[]): Promise<string[]> {
  const answer = await server.gql(
    `mutation($id: ID!, $refs: [String!]!) { addScanJobs(registryId: $id, references: $refs) { reference status message scanJob { id } } }`,
    { id: registryId, refs: references },
  );
  const results = answer.data?.addScanJobs as Array<{ reference: string; status: string; message: string; scanJob: { id: string } | null }> | undefined;
  if (!results || results.some((r) => r.status !== "QUEUED")) throw new Error(`addScanJobs: ${JSON.stringify(answer.errors ?? results)}`);
  return results.map((r) => r.scanJob!.id);
}

export interface JobState {
  job: ScanJob;
  attempts: ScanAttempt[];
}

export async function jobState(db: DataSource, id: string): Promise<JobState> {
  const job = await db.getRepository(ScanJob).findOneByOrFail({ id });
  const attempts = await db.getRepository(ScanAttempt).find({ where: { scanJobId: id }, order: { number: "ASC" } });
  return { job, attempts };
}

/** Polls until `done` holds for the job (or fails after `timeoutMs` with the last state). */
export async function waitForJob(db: DataSource, id: string, done: (state: JobState) => boolean, timeoutMs = 30_000): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await jobState(db, id);
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`scan job ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const finished = ({ job }: JobState) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.status);
