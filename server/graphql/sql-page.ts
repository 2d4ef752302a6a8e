import type { DataSource } from "typeorm";

/** SQL conditions joined by AND, with their `?` parameters in order. */
export interface SqlConditions {
  sql: string[];
  parameters: unknown[];
}

export const noConditions = (): SqlConditions => ({ sql: [], parameters: [] });

export function addCondition(conditions: SqlConditions, sql: string, ...parameters: unknown[]): void {
  conditions.sql.push(sql);
  conditions.parameters.push(...parameters);
}

const whereClause = (conditions: SqlConditions) => (conditions.sql.length > 0 ? ` WHERE ${conditions.sql.join(" AND ")}` : "");

export interface SqlPageQuery<T> {
  table: string;
  /** What the conditions and `orderBy` call the table, e.g. "i". */
  alias: string;
  filter: SqlConditions;
  /** The keyset condition past the cursor, if any. */
  after: SqlConditions | null;
  orderBy: string;
  first: number;
  read: (row: Record<string, unknown>) => T;
}

/** The column the page query carries the total count in. */
const TOTAL = "drydock_total";

/**
 * The total count of `filter` and the `first + 1` rows of a keyset page, in
 * one statement: the count is an uncorrelated subquery, which the database
 * runs once. Every statement is a round trip and a socket write each way,
 * and those were the largest cost of a page. A page past the end has no row
 * to carry the count, so it is counted on its own.
 */
export async function sqlPage<T>(db: DataSource, query: SqlPageQuery<T>): Promise<{ totalCount: number; rows: T[] }> {
  const from = `\`${query.table}\` ${query.alias}`;
  const count = `SELECT COUNT(*) AS total FROM ${from}${whereClause(query.filter)}`;
  const page = {
    sql: [...query.filter.sql, ...(query.after?.sql ?? [])],
    parameters: [...query.filter.parameters, ...(query.after?.parameters ?? [])],
  };
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${query.alias}.*, (${count}) AS ${TOTAL} FROM ${from}${whereClause(page)} ORDER BY ${query.orderBy} LIMIT ?`,
    [...query.filter.parameters, ...page.parameters, query.first + 1],
  );
  if (rows.length > 0) return { totalCount: Number(rows[0][TOTAL]), rows: rows.map(query.read) };
  if (!query.after) return { totalCount: 0, rows: [] };
  const [{ total }]: Array<{ total: string | number }> = await db.query(count, query.filter.parameters);
  return { totalCount: Number(total), rows: [] };
}
