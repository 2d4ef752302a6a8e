import { Role } from "../../../db/enums";
import { PrincipalCache } from "./principal-cache";

const alice = { tokenId: "t-alice", name: "alice", role: Role.ADMIN };
const bob = { tokenId: "t-bob", name: "bob", role: Role.VIEWER };

function heardCache(ttlMs = 1000) {
  let now = 0;
  const cache = new PrincipalCache(() => now, ttlMs);
  cache.listening(true);
  return { cache, advance: (ms: number) => (now += ms) };
}

test("a principal is kept for its time to live, then read again", () => {
  const { cache, advance } = heardCache(1000);
  cache.put("h-alice", alice, cache.mark());
  expect(cache.get("h-alice")).toEqual(alice);
  advance(999);
  expect(cache.get("h-alice")).toEqual(alice);
  advance(1);
  expect(cache.get("h-alice")).toBeUndefined();
});

test("nothing is kept before revocations are heard, nor while they are not", () => {
  const cache = new PrincipalCache(() => 0, 1000);
  cache.put("h-alice", alice, cache.mark());
  expect(cache.get("h-alice")).toBeUndefined();
  cache.listening(true);
  cache.put("h-alice", alice, cache.mark());
  expect(cache.get("h-alice")).toEqual(alice);
  cache.listening(false);
  expect(cache.get("h-alice")).toBeUndefined();
  cache.put("h-alice", alice, cache.mark());
  expect(cache.get("h-alice")).toBeUndefined();
});

test("a revocation removes that token's principal and no other", () => {
  const { cache } = heardCache();
  cache.put("h-alice", alice, cache.mark());
  cache.put("h-bob", bob, cache.mark());
  cache.revoked("t-alice");
  expect(cache.get("h-alice")).toBeUndefined();
  expect(cache.get("h-bob")).toEqual(bob);
});

test("a read that began before a revocation or a lost connection is not kept: it may have seen the token before it went", () => {
  const { cache } = heardCache();
  const before = cache.mark();
  cache.revoked("t-someone");
  cache.put("h-alice", alice, before);
  expect(cache.get("h-alice")).toBeUndefined();

  const beforeLoss = cache.mark();
  cache.listening(false);
  cache.listening(true);
  cache.put("h-alice", alice, beforeLoss);
  expect(cache.get("h-alice")).toBeUndefined();

  cache.put("h-alice", alice, cache.mark());
  expect(cache.get("h-alice")).toEqual(alice);
});

test("the cache is bounded: past 10,000 principals it starts over", () => {
  const { cache } = heardCache();
  for (let i = 0; i < 10_000; i++) cache.put(`h-${i}`, { ...bob, tokenId: `t-${i}` }, cache.mark());
  expect(cache.get("h-9999")).toBeDefined();
  cache.put("h-alice", alice, cache.mark());
  expect(cache.get("h-9999")).toBeUndefined();
  expect(cache.get("h-alice")).toEqual(alice);
});
