/**
 * The end-to-end flow of an integration through GraphQL, as the vendor tests
 * and scan-e2e run it: a server and a scanning worker, addRegistry,
 * testRegistryConnection, an AUTOMATIC pull policy, syncRegistry, and polling
 * until the sync and its scans are done. Every step throws at a GraphQL error;
 * what the answers must hold stays in the tests.
 *
 *   describe("end to end", () => {
 *     const e2e = scanningServerPerDescribe();
 *     test("…", async () => {
 *       const { connection, state } = await integrateAndScan(e2e.gql, { name: "x", type: "HARBOR", … }, ["team/*"], 2);
 *       expect(scannedImages(state)).toEqual([…]);
 *     });
 *   });
 */
import { startWorker } from "../../workers/main";
import { capturingLogger } from "./logs";
import { startTestServer, type TestServer } from "./server";

/** A GraphQL request that answers `data` and throws at any error. */
export type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

export interface ScanningServer {
  server: TestServer;
  /** As the first ADMIN. */
  gql: Gql;
  stop(): Promise<void>;
}

export interface ScanningServerOptions {
  /** Server settings, read when the server starts (after the describe block's earlier beforeAll hooks). */
  env?: () => Record<string, string>;
  /** Scans at once; default the config's. */
  workerConcurrency?: number;
}

/**
 * For the enclosing describe block: a test server and an in-process worker
 * that syncs and scans, started by a beforeAll hook (after those registered
 * before this call) and stopped after the block's tests.
 */
export function scanningServerPerDescribe(options: ScanningServerOptions = {}): Omit<ScanningServer, "stop"> {
  let current: ScanningServer | undefined;
  const running = () => {
    if (!current) throw new Error("the scanning server runs only during the describe block's tests");
    return current;
  };
  beforeAll(async () => {
    current = await startScanningServer(options.env?.() ?? {}, options.workerConcurrency);
  }, 120_000);
  afterAll(async () => {
    await current?.stop();
    current = undefined;
  });
  return {
    get server() {
      return running().server;
    },
    gql: (query, variables) => running().gql(query, variables),
  };
}

async function startScanningServer(env: Record<string, string>, workerConcurrency: number | undefined): Promise<ScanningServer> {
  const server = await startTestServer(env);
  try {
    const config = workerConcurrency === undefined ? server.config : { ...server.config, workerConcurrency };
    const worker = await startWorker(config, capturingLogger("silent").logger);
    return {
      server,
      gql: async (query, variables) => {
        const answer = await server.gql(query, variables);
        if (answer.errors) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
        return answer.data!;
      },
      async stop() {
        await worker.stop();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** addRegistry with `input`; answers the new integration's id. */
export async function addIntegration(gql: Gql, input: Record<string, unknown>): Promise<string> {
  const { addRegistry } = await gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, { input });
  return addRegistry.id as string;
}

export interface ConnectionTest {
  ok: boolean;
  checks: { name: string; ok: boolean; message: string }[];
}

export interface ScanRun {
  registryId: string;
  /** The connection test's answer, every check ok. */
  connection: ConnectionTest;
  /** REGISTRY_STATE once the sync and its scans succeeded. */
  state: any;
}

/**
 * The vendor tests' flow: adds the integration `input`, tests its connection
 * (throws unless every check is ok), gives it an AUTOMATIC policy limited to
 * `criteria`, syncs it once and waits until the sync and `jobs` scans (see
 * scansSucceeded) succeeded.
 */
export async function integrateAndScan(gql: Gql, input: Record<string, unknown>, criteria: string[], jobs?: number): Promise<ScanRun> {
  const registryId = await addIntegration(gql, input);
  const { testRegistryConnection: connection } = await gql(`mutation($id: ID!) { testRegistryConnection(id: $id) { ok checks { name ok message } } }`, { id: registryId });
  if (!connection.ok) throw new Error(`the connection test failed: ${JSON.stringify(connection.checks)}`);
  await automaticPolicy(gql, registryId, criteria);
  await syncRegistry(gql, registryId);
  return { registryId, connection, state: await waitForScans(gql, registryId, jobs) };
}

/**
 * An AUTOMATIC policy for images created within the last 30 days, limited to
 * `criteria` when given. Its schedule fires once a year: the syncs a test
 * asks for are the only ones.
 */
export async function automaticPolicy(gql: Gql, registryId: string, criteria?: string[]): Promise<void> {
  const input = {
    mode: "AUTOMATIC",
    schedule: "0 3 1 1 *",
    ...(criteria && { criteriaEnabled: true, criteria }),
    condition: "CREATED_WITHIN",
    createdWithin: { amount: 30, unit: "DAYS" },
  };
  await gql(`mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { mode } }`, { id: registryId, input });
}

export async function syncRegistry(gql: Gql, registryId: string): Promise<void> {
  await gql(`mutation($id: ID!) { syncRegistry(id: $id) { id } }`, { id: registryId });
}

/** The integration's last sync, its images and its scan jobs: what the vendor tests read. `$id` is the integration. */
const REGISTRY_STATE = `query($id: ID!) {
  registry(id: $id) { lastSync { status repositories tagsSeen selected queued skipped { repository reason } errors { message } pullsPausedUntil pullsPauseReason } }
  images(filter: { registryId: $id }, first: 20) { nodes {
    repository tag platform digest createdAt pushedAt os { id versionId } packages(first: 1) { totalCount } lastScan { status } } }
  scanJobs(filter: { registryId: $id }, first: 20) { nodes { id status attemptCount pausedUntil pauseReason attempts(first: 10) { nodes { outcome } } } }
}`;

/**
 * Reads `query` (default REGISTRY_STATE; any query with `registry.lastSync.status`
 * and `scanJobs.nodes.status`) every half second until `done` holds, and answers
 * that state. Throws at a failed scan, a failed or partial sync, or after `timeoutMs`.
 */
export async function waitForRegistry(gql: Gql, registryId: string, what: string, done: (state: any) => boolean, timeoutMs = 90_000, query = REGISTRY_STATE): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await gql(query, { id: registryId });
    if (done(state)) return state;
    const jobs = state.scanJobs.nodes as { status: string }[];
    if (jobs.some((job) => job.status === "FAILED") || ["FAILED", "PARTIAL"].includes(state.registry.lastSync?.status)) throw new Error(`${what}: failed: ${JSON.stringify(state)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not in time: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The last sync succeeded and its scans too: `jobs` of them, or (without) as many as there are, at least one. */
function scansSucceeded(jobs?: number): (state: any) => boolean {
  return (state) => {
    const nodes = state.scanJobs.nodes as { status: string }[];
    const counted = jobs === undefined ? nodes.length > 0 : nodes.length === jobs;
    return state.registry.lastSync?.status === "SUCCEEDED" && counted && nodes.every((job) => job.status === "SUCCEEDED");
  };
}

/** Until the last sync and `jobs` scans (see scansSucceeded) succeeded. */
export function waitForScans(gql: Gql, registryId: string, jobs?: number, query = REGISTRY_STATE): Promise<any> {
  return waitForRegistry(gql, registryId, "scanned", scansSucceeded(jobs), 90_000, query);
}

export interface ScannedImage {
  /** `repository:tag` */
  ref: string;
  os: { id: string; versionId: string } | null;
  packages: number;
  scan: string | undefined;
}

/** A REGISTRY_STATE's images, by reference (in code point order: `a/b/c:1` before `a/b:2`). */
export function scannedImages(state: any): ScannedImage[] {
  return (state.images.nodes as any[])
    .map((image) => ({ ref: `${image.repository}:${image.tag}`, os: image.os, packages: image.packages.totalCount, scan: image.lastScan?.status }))
    .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
