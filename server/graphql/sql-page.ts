import type { DataSource } from "typeorm";
import { readRows } from "../../db/row-reader";

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
  /** `table alias`, e.g. "`image` i". */
  from: string;
  alias: string;
  filter: SqlConditions;
  /** The keyset condition past the cursor, if any. */
  after: SqlConditions | null;
  orderBy: string;
  first: number;
  read: (row: Record<string, unknown>) => T;
}

/**
 * The total count of `filter` and the `first + 1` rows of a keyset page, sent
 * to the database at once: one round trip less per request.
 */
export async function sqlPage<T>(db: DataSource, query: SqlPageQuery<T>): Promise<{ totalCount: number; rows: T[] }> {
  const counted: Promise<Array<{ total: string | number }>> = db.query(`SELECT COUNT(*) AS total FROM ${query.from}${whereClause(query.filter)}`, query.filter.parameters);
  const page = {
    sql: [...query.filter.sql, ...(query.after?.sql ?? [])],
    parameters: [...query.filter.parameters, ...(query.after?.parameters ?? [])],
  };
  const [[{ total }], rows] = await Promise.all([
    counted,
    readRows(db, query.read, `SELECT ${query.alias}.* FROM ${query.from}${whereClause(page)} ORDER BY ${query.orderBy} LIMIT ?`, [...page.parameters, query.first + 1]),
  ]);
  return { totalCount: Number(total), rows };
}
