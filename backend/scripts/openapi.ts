// Prints the OpenAPI document (the same JSON as GET /openapi.json) without a running
// server: the app is built on an in-memory database, asked for its document, and closed.
// `npm run gen:api` turns it into the web app's API types.
import { Writable } from "node:stream";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

const config = loadConfig({
  NODE_ENV: "test",
  DATABASE_URL: "memory://",
  STATIC_DIR: "off",
  RATE_LIMIT: "off",
  LOG_LEVEL: "warn",
  // Only the document is wanted; the secret signs nothing that leaves this process.
  BETTER_AUTH_SECRET: "openapi-document-only-openapi-document-only",
});
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const app = await buildApp(config, { logStream: quiet });
try {
  await app.ready();
  process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
} finally {
  await app.close();
}
