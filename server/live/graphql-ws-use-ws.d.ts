// tsconfig's moduleResolution "node" does not read package.json "exports", which is where
// graphql-ws declares this subpath (Node and jest do read it): its types, for tsc.
declare module "graphql-ws/use/ws" {
  export * from "graphql-ws/dist/use/ws";
}
