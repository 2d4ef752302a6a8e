import { ENVIRONMENT } from "../../lib/config";

/**
 * Where the test databases live. `test/global-setup.ts` points these at
 * testcontainers when a Docker engine answers; otherwise MYSQL_URL /
 * DATABASE_URL, or the local defaults.
 */
export function serverUrls(): { mysql: string; postgres: string } {
  return {
    mysql: process.env.MYSQL_URL || ENVIRONMENT.MYSQL_URL.default,
    postgres: process.env.DATABASE_URL || ENVIRONMENT.DATABASE_URL.default,
  };
}

export function withDatabase(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = "/" + name;
  return next.toString();
}
