import { RegistryError } from "../../workers/registry/errors";
import type { ClientOptions } from "../../workers/registry/distribution/client";

/** Registry calls the API server makes itself (connection tests, reference checks, previews) are short: one try each. */
export const SERVER_CLIENT_OPTIONS: ClientOptions = {
  concurrency: 4,
  requestTimeoutMs: 10_000,
  retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
};

/** The client options of the API server's calls to one registry: SERVER_CLIENT_OPTIONS with that registry's metric hooks. */
export type ServerClientOptions = (registryId: string) => ClientOptions;

/**
 * Bounds the registry work of the API process: at most `limit` calls at once
 * (others wait their turn), each abandoned after `timeoutMs`. Anything longer
 * belongs in a job.
 */
export class BoundedRegistryCalls {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit = 4,
    private readonly timeoutMs = 30_000,
  ) {}

  async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RegistryError("REGISTRY_UNREACHABLE", `${what} took longer than ${this.timeoutMs / 1000}s`)),
          this.timeoutMs,
        );
      });
      return await Promise.race([call(), timeout]);
    } finally {
      clearTimeout(timer);
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
