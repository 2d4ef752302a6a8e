/** Raised when a run is cancelled: its registry was deleted, or the worker is stopping. */
export class SyncCancelled extends Error {
  constructor() {
    super("the sync was cancelled");
  }
}

/**
 * Cancellation of one discovery run: by the worker's signal, or when
 * `stillWanted` (checked every `intervalMs`) turns false — a registry
 * deleted under a running sync stops it within seconds.
 */
export class RunGuard {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly cancelled: AbortSignal;

  constructor(stillWanted: () => Promise<boolean>, signal: AbortSignal | undefined, intervalMs: number) {
    this.timer = setInterval(() => {
      stillWanted().then(
        (wanted) => wanted || this.lost.abort(),
        () => undefined,
      );
    }, intervalMs);
    this.cancelled = signal ? AbortSignal.any([signal, this.lost.signal]) : this.lost.signal;
  }

  assertLive(): void {
    if (this.cancelled.aborted) throw new SyncCancelled();
  }

  /** Stops waiting for `work` when the run is cancelled; closing the adapter then ends that work. */
  until<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stop = () => reject(new SyncCancelled());
      if (this.cancelled.aborted) return stop();
      this.cancelled.addEventListener("abort", stop, { once: true });
      work.then(resolve, reject).finally(() => this.cancelled.removeEventListener("abort", stop));
    });
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
