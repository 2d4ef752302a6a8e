import { getIntrospectionQuery } from "graphql";
import { MAX_QUERY_DEPTH } from "../graphql/limits";

/**
 * GraphiQL's own introspection query nests `ofType` deeper than MAX_QUERY_DEPTH allows, so the
 * server refuses it (QUERY_TOO_COMPLEX) and the explorer had no schema. This one nests as deep
 * as the limit allows: `__schema types fields args type` and the leaf `name` take six levels,
 * the rest go to the `ofType` chain.
 */
export const EXPLORER_INTROSPECTION_QUERY = getIntrospectionQuery({ typeDepth: MAX_QUERY_DEPTH - 6, specifiedByUrl: true });

/** sessionStorage key of the API token field: per tab, gone when the tab closes. */
export const TOKEN_STORAGE_KEY = "drydock.graphiql.token";

const DEFAULT_QUERY = `query Registries {
  registries(first: 20) {
    totalCount
    nodes { id name type url pullPolicy { mode nextRunAt } }
  }
}
`;

/**
 * The page's only script of its own (served as /graphiql/assets/start.js): an API token
 * field above GraphiQL, which queries this server's /graphql with `Authorization: Bearer`.
 * The token lives in sessionStorage only: never in the URL, localStorage or GraphiQL's
 * persisted headers.
 */
export const EXPLORER_SCRIPT = `(function () {
  "use strict";
  var h = React.createElement;
  var TOKEN_KEY = ${JSON.stringify(TOKEN_STORAGE_KEY)};
  var url = new URL("graphql", window.location.href).toString();
  var INTROSPECTION_QUERY = ${JSON.stringify(EXPLORER_INTROSPECTION_QUERY)};

  function storedToken() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  }
  function storeToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage disabled: the field still works for this page */ }
  }

  function Explorer() {
    var state = React.useState(storedToken);
    var token = state[0].trim();
    var setToken = state[1];
    // A new fetcher per token: GraphiQL reloads the schema whenever its fetcher changes.
    var fetcher = React.useMemo(function () {
      var http = GraphiQL.createFetcher({ url: url, headers: token ? { Authorization: "Bearer " + token } : {} });
      return function (params, options) {
        if (params.operationName === "IntrospectionQuery") params = { query: INTROSPECTION_QUERY, operationName: "IntrospectionQuery" };
        return http(params, options);
      };
    }, [token]);
    return h("div", { className: "drydock-explorer" },
      h("div", { className: "drydock-token" },
        h("label", { htmlFor: "drydock-token" }, "API token"),
        h("input", {
          id: "drydock-token",
          type: "password",
          autoComplete: "off",
          spellCheck: false,
          placeholder: "ddk_… (sent as Authorization: Bearer; kept for this tab only)",
          value: state[0],
          onChange: function (event) {
            storeToken(event.target.value.trim());
            setToken(event.target.value);
          },
        })),
      h("div", { className: "drydock-graphiql" },
        h(GraphiQL, { fetcher: fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} })));
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(h(Explorer));
})();
`;
