import { isRegistryError } from "../../workers/registry/errors";
import { BoundedRegistryCalls } from "./bounded-calls";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("no more than `limit` calls run at once; the others wait their turn", async () => {
  const calls = new BoundedRegistryCalls(2, 5_000);
  let running = 0;
  let peak = 0;
  const work = async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(20);
    running--;
    return "done";
  };
  const results = await Promise.all(Array.from({ length: 7 }, () => calls.run("test", work)));
  expect(results).toEqual(Array(7).fill("done"));
  expect(peak).toBe(2);
});

test("a call that takes too long is abandoned with REGISTRY_UNREACHABLE and frees its place", async () => {
  const calls = new BoundedRegistryCalls(1, 50);
  const slow = calls.run("the slow call", () => sleep(1_000));
  const error = await slow.catch((e: unknown) => e);
  expect(isRegistryError(error, "REGISTRY_UNREACHABLE")).toBe(true);
  expect((error as Error).message).toBe("the slow call took longer than 0.05s");
  expect(await calls.run("next", async () => 42)).toBe(42);
});

test("a failing call frees its place too", async () => {
  const calls = new BoundedRegistryCalls(1, 1_000);
  await expect(calls.run("boom", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(await calls.run("next", async () => "ok")).toBe("ok");
});
