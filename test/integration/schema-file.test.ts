import { readFileSync } from "node:fs";
import { SCHEMA_FILE } from "../../bin/emit-schema";
import { schemaText } from "../../server/graphql/schema";

test("schema/schema.graphql is what the code emits (run `npm run schema` after changing the API)", async () => {
  expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(await schemaText());
});
