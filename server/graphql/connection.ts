import { type ClassType, Field, Int, ObjectType, ArgsType } from "type-graphql";
import { Max, Min } from "class-validator";
import { BadUserInputError } from "../../lib/errors";

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A Relay connection type for `node`, named `<Name>Connection`. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass implements Connection<T> {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => [node])
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int)
    totalCount: number;
  }
  return ConnectionClass;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 50, description: "1 to 500" })
  @Min(1)
  @Max(500)
  first: number;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/** Keyset cursors: the sort key values of the last row, opaque to clients. */
export function encodeCursor(keys: (string | number)[]): string {
  return Buffer.from(JSON.stringify(keys)).toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const keys = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(keys) && keys.length === arity && keys.every((k) => ["string", "number"].includes(typeof k))) {
      return keys as (string | number)[];
    }
  } catch {
    // reported below
  }
  throw invalidCursor();
}

function invalidCursor(): BadUserInputError {
  return new BadUserInputError([{ field: "after", message: "is not a cursor this API returned" }]);
}

/** A cursor key that holds a date; a key no date can be made of is refused like any foreign cursor. */
export function cursorDate(key: string | number): Date {
  const date = new Date(key);
  if (Number.isNaN(date.getTime())) throw invalidCursor();
  return date;
}

/** A cursor key that holds a position in a list (0, 1, 2, …). */
export function cursorPosition(key: string | number): number {
  if (typeof key !== "number" || !Number.isSafeInteger(key) || key < 0) throw invalidCursor();
  return key;
}

/**
 * Builds a connection from `first + 1` rows fetched after the cursor. Edges
 * (a cursor per row) are made only if the query asks for them: most ask for
 * `nodes` and `pageInfo.endCursor`, which needs the last row's alone.
 * `cursorOf` gets the row and its index in the page, and is called in any order.
 */
export function toConnection<T>(rows: T[], first: number, totalCount: number, cursorOf: (row: T, index: number) => string): Connection<T> {
  const page = rows.slice(0, first);
  let edges: { cursor: string; node: T }[] | undefined;
  return {
    get edges() {
      edges ??= page.map((node, index) => ({ cursor: cursorOf(node, index), node }));
      return edges;
    },
    nodes: page,
    pageInfo: { hasNextPage: rows.length > first, endCursor: page.length > 0 ? cursorOf(page[page.length - 1], page.length - 1) : null },
    totalCount,
  };
}
