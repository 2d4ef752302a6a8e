import { rightsCheck } from "./rights";

const base = { registryId: "crp0abc", pulled: "team/api" };

test("both roles shown by the probes: ok, naming them", () => {
  const check = rightsCheck({ ...base, viewer: { granted: true }, puller: { granted: true } });
  expect(check).toEqual({ name: "minimum rights", ok: true, message: expect.stringContaining("container-registry.viewer and container-registry.images.puller on registry crp0abc") });
});

test("each missing role is named, with what showed it", () => {
  const noViewer = rightsCheck({ ...base, viewer: { granted: false }, puller: { unknown: "no image could be listed to try a pull with" } });
  expect(noViewer.ok).toBe(false);
  expect(noViewer.message).toMatch(/^missing container-registry\.viewer on registry crp0abc: the Container Registry API refused/);
  expect(noViewer.message).toMatch(/not verifiable: container-registry\.images\.puller \(no image could be listed/);
  const noPuller = rightsCheck({ ...base, viewer: { granted: true }, puller: { granted: false } });
  expect(noPuller.ok).toBe(false);
  expect(noPuller.message).toBe("missing container-registry.images.puller on registry crp0abc (or on its repositories): the registry refused to pull team/api");
});

test("nothing known missing but something unknown: ok, saying what could not be verified", () => {
  const check = rightsCheck({ registryId: "crp0abc", viewer: { granted: true }, puller: { unknown: "the registry holds no image to try a pull with" } });
  expect(check).toEqual({
    name: "minimum rights",
    ok: true,
    message: "container-registry.viewer on registry crp0abc; not verifiable: container-registry.images.puller (the registry holds no image to try a pull with)",
  });
});
