import { ScanAttemptOutcome as O } from "../../db/enums";
import { RegistryError } from "../registry/errors";
import { PullsPaused } from "../registry/pull-quota";
import { type AttemptEnd, endOf, MAX_ATTEMPTS, transitionAfter } from "./attempt-rules";
import { ScanError } from "./errors";

const end = (outcome: Exclude<O, O.SUCCEEDED | O.RUNNING | O.CANCELLED | O.PAUSED>, code: string): AttemptEnd => ({ outcome, code, message: code });

describe("transitionAfter", () => {
  test.each([
    [{ outcome: O.SUCCEEDED } as AttemptEnd, 1, "SUCCEEDED", null],
    [{ outcome: O.SUCCEEDED } as AttemptEnd, 3, "SUCCEEDED", null],
    [end(O.FAILED, "MANIFEST_UNKNOWN"), 1, "FAILED", "MANIFEST_UNKNOWN"],
    [end(O.TIMED_OUT, "SCAN_TIMEOUT"), 1, "QUEUED", "SCAN_TIMEOUT"],
    [end(O.TIMED_OUT, "SCAN_TIMEOUT"), 2, "QUEUED", "SCAN_TIMEOUT"],
    [end(O.TIMED_OUT, "SCAN_TIMEOUT"), 3, "FAILED", "SCAN_TIMEOUT"],
    [end(O.WORKER_LOST, "WORKER_LOST"), 2, "QUEUED", "WORKER_LOST"],
    [end(O.WORKER_LOST, "WORKER_LOST"), 3, "FAILED", "WORKER_LOST"],
    [end(O.ERROR, "REGISTRY_UNREACHABLE"), 1, "QUEUED", "REGISTRY_UNREACHABLE"],
    [end(O.ERROR, "RATE_LIMITED"), 3, "FAILED", "RATE_LIMITED"],
    // Not counted: even after the third counted attempt a pause re-queues.
    [{ outcome: O.PAUSED, code: "PULLS_PAUSED", message: "paused", until: new Date() } as AttemptEnd, 3, "QUEUED", "PULLS_PAUSED"],
  ])("%j after attempt %i → %s (%s)", (attemptEnd, count, status, code) => {
    expect(transitionAfter(attemptEnd, count)).toMatchObject({ status, code });
  });

  test("at most three attempts", () => expect(MAX_ATTEMPTS).toBe(3));
});

describe("endOf", () => {
  test.each([
    [new Error("x"), "timeout", O.TIMED_OUT, "SCAN_TIMEOUT"],
    [new Error("x"), "worker-stopping", O.WORKER_LOST, "WORKER_LOST"],
    [new RegistryError("REGISTRY_UNREACHABLE", "down"), null, O.ERROR, "REGISTRY_UNREACHABLE"],
    [new RegistryError("REGISTRY_PROTOCOL", "503", { retryable: true }), null, O.ERROR, "REGISTRY_PROTOCOL"],
    [new RegistryError("MANIFEST_UNKNOWN", "gone"), null, O.FAILED, "MANIFEST_UNKNOWN"],
    [new RegistryError("DIGEST_MISMATCH", "bad"), null, O.FAILED, "DIGEST_MISMATCH"],
    [new ScanError("LAYER_TOO_LARGE", "big"), null, O.FAILED, "LAYER_TOO_LARGE"],
    [new ScanError("SYMLINK_LOOP", "loop"), null, O.FAILED, "SYMLINK_LOOP"],
    [new TypeError("bug"), null, O.FAILED, "INTERNAL"],
    [new PullsPaused(new Date(0), "quota"), null, O.PAUSED, "PULLS_PAUSED"],
    // MySQL restarting under the scan: retryable, not a failure of the image.
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), null, O.ERROR, "DATABASE_UNAVAILABLE"],
    // A timeout wins over the error the abort caused inside the work.
    [new RegistryError("REGISTRY_UNREACHABLE", "aborted"), "timeout", O.TIMED_OUT, "SCAN_TIMEOUT"],
  ] as const)("%s stopped=%s → %s %s", (error, stopped, outcome, code) => {
    expect(endOf(error, stopped, 5)).toMatchObject({ outcome, code });
  });
});
