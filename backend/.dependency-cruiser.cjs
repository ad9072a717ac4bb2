// The layering of backend/src (docs/DESIGN.md, "Layers"), checked by
// `npm run check:layers` in CI. Features (tasks, admin, me, auth and those to
// come) sit on plumbing (http/, db/) and on the shared kernel (domain/);
// plumbing never reaches back into a feature.
const features = "^src/(admin|auth|me|tasks|lists|sharing|comments|activity|sync|reminders|notifications|integrations)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Modules import in one direction; a cycle means two of them are one piece or a piece is in the wrong place.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "plumbing-imports-no-feature",
      severity: "error",
      comment: "http/ and db/ serve every feature and know none: a feature registers its own routes and schemas.",
      from: { path: "^src/(http|db)/" },
      to: { path: features },
    },
    {
      name: "domain-stands-alone",
      severity: "error",
      comment: "domain/ (errors, cursors, versions) is what services and plumbing share; it imports nothing of the app.",
      from: { path: "^src/domain/" },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "services-know-no-http",
      severity: "error",
      comment: "Services and data layers speak in domain errors and plain values; http/ maps them once.",
      from: { path: "^src/[^/]+/(service|queries|move|order|[a-z-]+-(service|queries))\\.ts$" },
      to: { path: ["^src/http/", "^fastify$", "^@fastify/"] },
    },
    {
      name: "no-sql-in-routes",
      severity: "error",
      comment: "Route files parse, call a service and reply; SQL lives in queries.ts or db/.",
      from: { path: "^src/[^/]+/routes\\.ts$", pathNot: "^src/ops/" },
      to: { path: ["^src/db/(?!client\\.ts$)", "^pg$", "^drizzle-orm"] },
    },
    {
      name: "orm-only-in-the-data-layer",
      severity: "error",
      comment: "Only db/ and the auth adapter touch Drizzle or the drivers.",
      from: { path: "^src/", pathNot: ["^src/db/", "^src/auth/better-auth\\.ts$"] },
      to: { path: ["^drizzle-orm", "^pg$", "^@electric-sql/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
