import mysql from "mysql2/promise";
import { Client } from "pg";
import { freePort } from "../test/registry/registry-server";
import { isDatabaseUnavailable, untilDatabaseAnswers } from "./availability";

/** What the driver throws when nothing listens on the port. */
async function refusal(connect: (port: number) => Promise<unknown>): Promise<unknown> {
  const port = await freePort();
  return connect(port).then(
    () => {
      throw new Error("connected to a closed port");
    },
    (error: unknown) => error,
  );
}

test("the drivers' errors for a database that is not there count as unavailable; errors in what was asked do not", async () => {
  const fromMysql = await refusal((port) => mysql.createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 1000 }));
  const fromPg = await refusal((port) => new Client({ host: "127.0.0.1", port, connectionTimeoutMillis: 1000 }).connect());
  expect(isDatabaseUnavailable(fromMysql)).toBe(true);
  expect(isDatabaseUnavailable(fromPg)).toBe(true);
  // TypeORM's QueryFailedError keeps the driver's error.
  expect(isDatabaseUnavailable({ message: "Query failed", driverError: { code: "PROTOCOL_CONNECTION_LOST" } })).toBe(true);
  expect(isDatabaseUnavailable({ code: "57P01", message: "terminating connection due to administrator command" })).toBe(true);
  expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);

  expect(isDatabaseUnavailable({ code: "ER_PARSE_ERROR", message: "You have an error in your SQL syntax" })).toBe(false);
  expect(isDatabaseUnavailable({ code: "23505", message: "duplicate key value violates unique constraint" })).toBe(false);
  expect(isDatabaseUnavailable(new Error("the scan job was cancelled"))).toBe(false);
  expect(isDatabaseUnavailable(null)).toBe(false);
});

describe("untilDatabaseAnswers", () => {
  const outage = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

  test("tries again while the database is unavailable, reporting the outage once", async () => {
    let calls = 0;
    const reported: unknown[] = [];
    const result = await untilDatabaseAnswers(
      async () => {
        if (++calls < 3) throw outage;
        return "done";
      },
      new AbortController().signal,
      (error) => reported.push(error),
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(reported).toEqual([outage]);
  });

  test("other errors are thrown at once", async () => {
    let calls = 0;
    const failure = new Error("constraint violated");
    const work = async () => {
      calls++;
      throw failure;
    };
    await expect(untilDatabaseAnswers(work, new AbortController().signal, () => undefined)).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  test("stops waiting when the process stops", async () => {
    const stopping = new AbortController();
    const started = Date.now();
    const waiting = untilDatabaseAnswers(
      async () => {
        throw outage;
      },
      stopping.signal,
      () => setTimeout(() => stopping.abort(), 50),
    );
    await expect(waiting).rejects.toBe(outage);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
