import type { TestServer } from "./server";

interface Page<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: T }[];
}

/**
 * Every node of a Relay connection, fetched `first` at a time by following
 * endCursor; checks that each page tells the same totalCount as was fetched.
 * The query takes `$first` and `$after`; `pick` finds the connection in its data.
 */
export async function allPages<T = any>(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: any) => Page<T>,
  first: number,
): Promise<{ nodes: T[]; pages: number }> {
  const nodes: T[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  let pages = 0;
  do {
    const answer = await server.gql(query, { ...variables, first, after });
    if (answer.errors) throw new Error(`page ${pages + 1} failed: ${JSON.stringify(answer.errors)}`);
    const connection = pick(answer.data);
    totals.add(connection.totalCount);
    nodes.push(...connection.edges.map((edge) => edge.node));
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    pages++;
  } while (after && pages <= 1000);
  if (totals.size !== 1 || !totals.has(nodes.length)) throw new Error(`totalCount ${[...totals]} but ${nodes.length} nodes`);
  return { nodes, pages };
}
