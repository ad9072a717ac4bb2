/**
 * A second, separately configured Better Auth on Doable's database: what a
 * Next.js front end sharing the database runs (SPEC §2 `JWT_JWKS_URL`, §11a).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type BetterAuthOptions, betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { admin, bearer, jwt } from "better-auth/plugins";
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from "kysely";
import pg from "pg";
import type { Queryable } from "../src/db/client.ts";

/**
 * Kysely over Doable's own query interface. On PostgreSQL the other app gets
 * a `pg` Pool of its own, as a Next.js app would; the embedded database lives
 * inside the test's process, so there Better Auth reaches it through this.
 * Better Auth's Kysely adapter opens no transactions on PostgreSQL when it is
 * given a dialect, so this needs none.
 */
export class QueryableDialect implements Dialect {
  constructor(private readonly db: Queryable) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    const connection: DatabaseConnection = {
      executeQuery: async <R>(query: { sql: string; parameters: readonly unknown[] }) => ({
        rows: await this.db.query<R>(query.sql, query.parameters),
      }),
      streamQuery: () => {
        throw new Error("streaming is not supported");
      },
    };
    return {
      init: async () => {},
      acquireConnection: async () => connection,
      beginTransaction: async () => {
        throw new Error("transactions are not supported");
      },
      commitTransaction: async () => {},
      rollbackTransaction: async () => {},
      releaseConnection: async () => {},
      destroy: async () => {},
    };
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

/** How the other app reaches the database: its own Pool on PostgreSQL, Doable's connection when embedded. */
export function peerDatabase(target: { url: string; db: Queryable }): {
  database: BetterAuthOptions["database"];
  close: () => Promise<void>;
} {
  if (target.url.startsWith("postgres")) {
    const pool = new pg.Pool({ connectionString: target.url, max: 2 });
    // An idle connection that the end of the test file's database terminates (DROP DATABASE … FORCE)
    // is an 'error' event on the pool; without a listener it would be an uncaught exception.
    pool.on("error", () => {});
    return { database: pool, close: () => pool.end() };
  }
  return { database: { dialect: new QueryableDialect(target.db), type: "postgres" }, close: async () => {} };
}

/**
 * The other app: Better Auth's defaults (default schema, default password
 * hashing, default JWT claims), email + password, and the jwt, bearer and
 * admin plugins. Only the secret is shared with Doable: it encrypts the JWT
 * signing keys that both apps keep in the one `jwks` table.
 */
export function createPeerAuth(options: { baseURL: string; secret: string; database: BetterAuthOptions["database"] }) {
  return betterAuth({
    baseURL: options.baseURL,
    secret: options.secret,
    database: options.database,
    emailAndPassword: { enabled: true },
    plugins: [jwt(), bearer(), admin()],
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    logger: { disabled: true },
  });
}

export type PeerAuth = ReturnType<typeof createPeerAuth>;

/** An HTTP server for the other app (its JWKS is what `JWT_JWKS_URL` points at), listening before the app exists. */
export async function listenForPeer(): Promise<{ url: string; serve: (auth: PeerAuth) => void; close: () => Promise<void> }> {
  let handler: ReturnType<typeof toNodeHandler> | null = null;
  const server: Server = createServer((req, res) => {
    if (handler) void handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (auth) => {
      handler = toNodeHandler(auth);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
