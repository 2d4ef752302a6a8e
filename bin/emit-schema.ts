import "reflect-metadata";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { schemaText } from "../server/graphql/schema";

/** Writes schema/schema.graphql from the resolvers; a test fails when the file is stale. */
export const SCHEMA_FILE = path.join(__dirname, "..", "schema", "schema.graphql");

if (require.main === module) {
  schemaText().then((text) => writeFileSync(SCHEMA_FILE, text));
}
