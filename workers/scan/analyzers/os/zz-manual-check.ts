import { readFileSync } from "node:fs";
import { rpmAnalyzer } from "./rpm";
import { readRpmdbHeaders } from "./rpmdb-sqlite";
import { fileFromBuffer } from "../file-content.test-support";
(async () => {
  const db = readFileSync("/tmp/rpmx/db/rpmdb.sqlite");
  console.log((await readRpmdbHeaders(db)).map((h) => `${h.name} ${h.epoch} ${h.version}-${h.release} ${h.arch}`));
  console.log((await rpmAnalyzer.analyze(fileFromBuffer("var/lib/rpm/rpmdb.sqlite", db)))?.packages.map((p) => p.name));
})();
