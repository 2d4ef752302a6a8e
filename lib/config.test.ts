import path from "node:path";
import { loadConfig } from "./config";
import { StartupError } from "./errors";

describe("OSV import settings", () => {
  test("the import root defaults to <data dir>/osv; a list is trimmed and resolved", () => {
    expect(loadConfig({ DRYDOCK_DATA_DIR: "/var/lib/drydock" }).importRoots).toEqual(["/var/lib/drydock/osv"]);
    expect(loadConfig({ DRYDOCK_IMPORT_ROOTS: " /a , rel ,," }).importRoots).toEqual(["/a", path.resolve("rel")]);
  });

  test("sources are a comma-separated list; none by default", () => {
    expect(loadConfig({}).osvSources).toEqual([]);
    expect(loadConfig({ DRYDOCK_OSV_SOURCES: "https://example.test/all.zip, npm" }).osvSources).toEqual(["https://example.test/all.zip", "npm"]);
  });

  test.each(["30 3 * * *", "*/15 * * * 1-5", "0 0 1 1 *"])("schedule %s is accepted", (schedule) => {
    expect(loadConfig({ DRYDOCK_OSV_SCHEDULE: schedule }).osvSchedule).toBe(schedule);
  });

  test.each(["daily", "* * * *", "0 3 * * * *", "0 3 * * MON; rm"])("schedule %s is refused at start-up", (schedule) => {
    expect(() => loadConfig({ DRYDOCK_OSV_SCHEDULE: schedule })).toThrow(StartupError);
  });
});
