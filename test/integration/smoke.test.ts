import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

test("first start prints an ADMIN token that works", async () => {
  expect(server.adminToken).toMatch(/^ddk_/);
  const answer = await server.gql("{ registries { totalCount } }");
  expect(answer.errors).toBeUndefined();
  expect(answer.data).toEqual({ registries: { totalCount: 0 } });
});
