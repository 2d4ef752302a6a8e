import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from "graphql";
import { type ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";

export const MAX_QUERY_DEPTH = 12;
export const MAX_QUERY_COMPLEXITY = 100_000;

function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, fragments, seen) : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else if (!seen.has(selection.name.value)) {
      const fragment = fragments.get(selection.name.value);
      const inner = new Set(seen).add(selection.name.value);
      deepest = Math.max(deepest, depthOf(fragment?.selectionSet, fragments, inner));
    }
  }
  return deepest;
}

/** Lists cost their `first` times their items, so a wide page of deep nodes is priced as such. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === "number" ? 1 + args.first * childComplexity : undefined;

/** How many variable combinations of one document keep their cost; a client walking pages reuses one. */
const COSTS_PER_DOCUMENT = 64;

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/**
 * What an operation's cost can depend on: the page sizes (`first`, an Int)
 * and @include/@skip conditions (Booleans). Ids, cursors and filters cannot
 * change it, so requests that differ only in those share one computed cost.
 */
function costKey(operation: OperationDefinitionNode, variables: Record<string, unknown>): string {
  const priced = (operation.variableDefinitions ?? [])
    .filter((definition) => ["Int", "Boolean"].includes(namedType(definition.type)))
    .map((definition) => variables[definition.variable.name.value] ?? null);
  return JSON.stringify([operation.name?.value ?? null, priced]);
}

/** Answers why an operation is refused (QUERY_TOO_COMPLEX), or null when it is within the limits. */
export type QueryLimits = (
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
) => GraphQLError | null;

const tooComplex = (message: string) => new GraphQLError(message, { extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } } });

/**
 * Refuses operations nested deeper than MAX_QUERY_DEPTH or costlier than
 * MAX_QUERY_COMPLEXITY: for queries over HTTP and subscriptions over
 * WebSocket alike, whose every event runs its selection again.
 */
export function queryLimits(schema: GraphQLSchema): QueryLimits {
  // Apollo keeps one parsed document per query text, so its identity (and its operations') is the query's.
  const depths = new WeakMap<OperationDefinitionNode, number>();
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  const depthOfOperation = (document: DocumentNode, operation: OperationDefinitionNode) => {
    let depth = depths.get(operation);
    if (depth === undefined) {
      const definitions: readonly DefinitionNode[] = document.definitions;
      const fragments = new Map(
        definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
      );
      depth = depthOf(operation.selectionSet, fragments, new Set());
      depths.set(operation, depth);
    }
    return depth;
  };
  const costOf = (document: DocumentNode, operation: OperationDefinitionNode, operationName: string | undefined, variables: Record<string, unknown>) => {
    let known = costs.get(document);
    if (!known) {
      known = new Map<string, number>();
      costs.set(document, known);
    }
    const key = costKey(operation, variables);
    let cost = known.get(key);
    if (cost === undefined) {
      cost = getComplexity({
        schema,
        query: document,
        operationName,
        variables,
        estimators: [pagedEstimator, fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
      if (known.size >= COSTS_PER_DOCUMENT) known.clear();
      known.set(key, cost);
    }
    return cost;
  };
  return (document, operation, operationName, variables) => {
    const depth = depthOfOperation(document, operation);
    if (depth > MAX_QUERY_DEPTH) return tooComplex(`query is ${depth} levels deep; at most ${MAX_QUERY_DEPTH} are allowed`);
    let complexity: number;
    try {
      complexity = costOf(document, operation, operationName, variables);
    } catch {
      // Variables that do not coerce: execution reports them as BAD_USER_INPUT.
      return null;
    }
    return complexity > MAX_QUERY_COMPLEXITY ? tooComplex(`query costs ${complexity}; at most ${MAX_QUERY_COMPLEXITY} is allowed`) : null;
  };
}

export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          const refused = operation && limits(document, operation, request.operationName ?? undefined, request.variables ?? {});
          if (refused) throw refused;
        },
      };
    },
  };
}
