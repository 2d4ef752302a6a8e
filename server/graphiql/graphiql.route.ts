import path from "node:path";
import express, { type Router } from "express";
import { EXPLORER_SCRIPT } from "./explorer-script";

const packageFile = (name: string, file: string) => path.join(path.dirname(require.resolve(`${name}/package.json`)), file);

/** Files served from node_modules, so the explorer needs no CDN. */
const ASSETS: Record<string, string> = {
  "react.js": packageFile("react", "umd/react.production.min.js"),
  "react-dom.js": packageFile("react-dom", "umd/react-dom.production.min.js"),
  "graphiql.js": packageFile("graphiql", "graphiql.min.js"),
  "graphiql.css": packageFile("graphiql", "graphiql.min.css"),
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>drydock · GraphiQL</title>
  <link rel="stylesheet" href="graphiql/assets/graphiql.css">
  <style>
    html, body, #graphiql { height: 100%; margin: 0; }
    .drydock-explorer { display: flex; flex-direction: column; height: 100%; }
    .drydock-token { display: flex; align-items: center; gap: 0.75rem; padding: 0.5rem 1rem; border-bottom: 1px solid #d0d4dc; font: 14px system-ui, sans-serif; }
    .drydock-token input { flex: 1; max-width: 40rem; padding: 0.3rem 0.5rem; font: inherit; }
    .drydock-graphiql { flex: 1; min-height: 0; display: flex; }
  </style>
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
      res.type("js").send(EXPLORER_SCRIPT);
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
