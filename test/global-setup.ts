import type { StartedTestContainer } from "testcontainers";

const DOCKER_WAIT_MS = 3000;

declare global {
  var drydockContainers: StartedTestContainer[] | undefined;
}

/** Resolves true when a Docker engine answers within 3 s (testcontainers can hang on a silent socket). */
async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DOCKER_WAIT_MS)));
    const answered = await Promise.race([getContainerRuntimeClient().then(() => true), timeout]).catch(() => false);
    clearTimeout(timer);
    return answered;
  } catch {
    return false;
  }
}

/** With Docker: MySQL 8.4 and PostgreSQL 16 in containers. Without: the services MYSQL_URL/DATABASE_URL name. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DRYDOCK_TEST_NO_CONTAINERS || !(await dockerAnswers())) return;
  const { GenericContainer, Wait } = await import("testcontainers");
  const mysql = await new GenericContainer("mysql:8.4")
    .withEnvironment({ MYSQL_ALLOW_EMPTY_PASSWORD: "yes" })
    .withExposedPorts(3306)
    .withWaitStrategy(Wait.forLogMessage(/ready for connections.*port: 3306/))
    .start();
  const postgres = await new GenericContainer("postgres:16")
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: "trust" })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  globalThis.drydockContainers = [mysql, postgres];
  process.env.MYSQL_URL = `mysql://root@${mysql.getHost()}:${mysql.getMappedPort(3306)}/drydock`;
  process.env.DATABASE_URL = `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/drydock`;
}
