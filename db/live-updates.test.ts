import { randomUUID } from "node:crypto";
import { type LiveUpdate, parseNotice, updatePayloads } from "./live-updates";

test("payloads group ids by registry and stay under NOTIFY's 8000-byte limit", () => {
  const [a, b] = [randomUUID(), randomUUID()];
  const rows = [
    ...Array.from({ length: 250 }, () => ({ id: randomUUID(), registryId: a })),
    { id: randomUUID(), registryId: b },
  ];
  const payloads = updatePayloads("scanJob", rows);
  const updates = payloads.map((p) => parseNotice(p) as LiveUpdate);
  expect(payloads.every((p) => Buffer.byteLength(p) < 8000)).toBe(true);
  expect(updates.map((u) => [u.registryId, u.ids.length])).toEqual([
    [a, 100],
    [a, 100],
    [a, 50],
    [b, 1],
  ]);
  expect(updates.flatMap((u) => u.ids)).toEqual(rows.map((r) => r.id));
  expect(updatePayloads("syncRun", [])).toEqual([]);
});

test("anything else on the channel is ignored", () => {
  const id = randomUUID();
  expect(parseNotice(JSON.stringify({ kind: "syncRun", registryId: id, ids: [id] }))).toEqual({ kind: "syncRun", registryId: id, ids: [id] });
  expect(parseNotice(JSON.stringify({ kind: "tokenRevoked", tokenId: id, extra: 1 }))).toEqual({ kind: "tokenRevoked", tokenId: id });
  for (const junk of ["", "null", "42", "{", '{"kind":"image","registryId":"r","ids":[]}', '{"kind":"scanJob","registryId":"r","ids":["a b"]}', '{"kind":"scanJob","ids":["a"]}', '{"kind":"tokenRevoked"}', '{"kind":"tokenRevoked","tokenId":"a b"}', '{"kind":"tokenRevoked","tokenId":["a"]}']) {
    expect(parseNotice(junk)).toBeNull();
  }
});
