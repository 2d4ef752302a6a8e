import path from "node:path";
import express, { type Router } from "express";

const packageFile = (name: string, file: string) => path.join(path.dirname(require.resolve(`${name}/package.json`)), file);

/** Files served from node_modules, so the explorer needs no CDN. */
const ASSETS: Record<string, string> = {
  "react.js": packageFile("react", "umd/react.production.min.js"),
  "react-dom.js": packageFile("react-dom", "umd/react-dom.production.min.js"),
  "graphiql.js": packageFile("graphiql", "graphiql.min.js"),
  "graphiql.css": packageFile("graphiql", "graphiql.min.css"),
};

const START_SCRIPT = `// The page's only script of its own: mounts GraphiQL against this server's /graphql.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: new URL("graphql", window.location.href).toString() });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: JSON.stringify({ Authorization: "Bearer <paste an API token>" }, null, 2),
      shouldPersistHeaders: true,
      defaultQuery: "query Registries {\\n  registries(first: 20) {\\n    totalCount\\n    nodes { id name type url pullPolicy { mode nextRunAt } }\\n  }\\n}\\n",
    }),
  );
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>drydock · GraphiQL</title>
  <link rel="stylesheet" href="graphiql/assets/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="graphiql/assets/react.js"></script>
  <script src="graphiql/assets/react-dom.js"></script>
  <script src="graphiql/assets/graphiql.js"></script>
  <script src="graphiql/assets/start.js"></script>
</body>
</html>
`;

export function graphiqlRouter(): Router {
  const router = express.Router();
  router.get("/graphiql", (req, res) => {
    // The page's URLs are relative to /graphiql: from /graphiql/ every one would miss.
    if (req.path.endsWith("/")) {
      res.redirect(301, "../graphiql");
      return;
    }
    res.type("html").send(PAGE);
  });
  router.get("/graphiql/assets/:file", (req, res) => {
    if (req.params.file === "start.js") {
      res.type("js").send(START_SCRIPT);
      return;
    }
    const file = ASSETS[req.params.file];
    if (!file) {
      res.status(404).end();
      return;
    }
    res.sendFile(file, { maxAge: "1h" });
  });
  return router;
}
