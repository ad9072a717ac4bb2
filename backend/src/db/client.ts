import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import type { DatabaseTarget } from "../config.ts";
import { acquireDirectoryLock, type DirectoryLock } from "./lock.ts";
import type { RemotePglite, RemoteQueryable } from "./pglite-remote.ts";
import { schema } from "./schema.ts";
import { QueryWatchdog } from "./watchdog.ts";

/** Anything that runs SQL: the database itself, or an open transaction. */
export interface Queryable {
  /**
   * Runs one statement. `name` makes it a prepared statement on PostgreSQL
   * (parsed and planned once per connection); use it on hot paths.
   */
  query<T>(text: string, params?: readonly unknown[], name?: string): Promise<T[]>;
}

export type DrizzleDb = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database extends Queryable {
  readonly kind: "pglite" | "pg";
  /** Drizzle over the same connection(s); Better Auth's adapter uses it. */
  readonly drizzle: DrizzleDb;
  /** Statements run through `query`/`transaction` so far (tests count them). */
  readonly queryCount: number;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void, onLost?: (err: Error) => void): Promise<() => Promise<void>>;
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  poolMax: number;
  timeoutMs: number;
  /** Called when a LISTEN connection is lost (PostgreSQL only). */
  onListenError?: (err: Error) => void;
}

export async function connectDatabase(target: DatabaseTarget, options: DatabaseOptions): Promise<Database> {
  return target.kind === "pg" ? connectPostgres(target.url, options) : connectPglite(target.dir);
}

const pgliteSharedBuffersMb = 32;

async function connectPglite(dir: string | null): Promise<Database> {
  const lock: DirectoryLock | null = dir ? acquireDirectoryLock(dir) : null;
  // Loaded only when used: the embedded engine costs memory a process on PostgreSQL does not need.
  const [{ RemotePglite }, { drizzle: drizzlePglite }] = await Promise.all([import("./pglite-remote.ts"), import("drizzle-orm/pglite")]);
  let client: RemotePglite;
  try {
    // PostgreSQL runs in a worker thread of its own (pglite-remote.ts explains why).
    client = await RemotePglite.start(dir, pgliteSharedBuffersMb);
  } catch (err) {
    lock?.release();
    throw err;
  }
  let count = 0;
  // PGlite is one connection: statements queue inside it. A transaction must
  // only use its own `tx` (the outer client would wait for the transaction).
  const wrap = (runner: RemoteQueryable): Queryable => ({
    async query<T>(text: string, params: readonly unknown[] = [], name?: string) {
      count++;
      const result = await runner.query<T>(text, params as unknown[], name ? { name } : undefined);
      return result.rows;
    },
  });
  const base = wrap(client);
  return {
    kind: "pglite",
    // Drizzle's PGlite driver uses only query (with rowMode/parsers) and transaction, which the remote offers.
    drizzle: drizzlePglite({ client: client as unknown as PGlite, schema }) as unknown as DrizzleDb,
    get queryCount() {
      return count;
    },
    query: base.query,
    transaction: (fn) => client.transaction((tx) => fn(wrap(tx))),
    listen: async (channel, onPayload) => {
      const unlisten = await client.listen(channel, onPayload);
      return () => unlisten();
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Driver errors after which a connection is unusable (as opposed to an error PostgreSQL reported on a healthy one). */
function connectionFailed(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ["ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(e?.code ?? "") ||
    /Query read timeout|Connection terminated|not queryable/i.test(e?.message ?? "")
  );
}

const serverTimeoutGraceMs = 1000;
// An idle connection to a host that vanished (no reset ever arrives) is found by the kernel's
// probes; the LISTEN connection, which runs no statements, has nothing else to find it.
const keepAlive = { keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;

async function connectPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  // Statements time out through the watchdog, not pg's per-query timer (watchdog.ts says why).
  // The watchdog is what a client sees, and the only bound that holds when the server is frozen
  // (its kernel still acknowledges every packet). The server's own statement_timeout, a second
  // later, ends what the watchdog abandoned: PostgreSQL does not notice a closed connection while a
  // statement runs, and would otherwise keep it running, locks held (docs/PERFORMANCE.md, Groundwork spikes).
  const watchdog = new QueryWatchdog(options.timeoutMs);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    connectionTimeoutMillis: options.timeoutMs,
    Client: watchdog.clientClass(),
    statement_timeout: options.timeoutMs + serverTimeoutGraceMs,
    ...keepAlive,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: false,
  });
  // An idle client that loses its server must not crash the process; the
  // next checkout reconnects.
  pool.on("error", () => {});
  let count = 0;
  const wrap = (runner: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(text: string, params: readonly unknown[] = [], name?: string) {
      count++;
      const result = await runner.query<T & pg.QueryResultRow>(
        name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] },
      );
      return result.rows;
    },
  });
  const base = wrap(pool);
  const listeners: pg.Client[] = [];
  return {
    kind: "pg",
    drizzle: drizzlePg({ client: pool, schema }) as unknown as DrizzleDb,
    get queryCount() {
      return count;
    },
    query: base.query,
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client whose connection dies between statements emits
      // 'error', and pg-pool listens only while a client is idle: unhandled, that
      // event would end the process. The next statement fails by itself; the
      // broken client is discarded on release instead of going back to the pool.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        // A connection that failed or timed out cannot roll back (trying would only
        // wait out another timeout): it is dropped, and the server rolls back itself.
        if (broken === undefined && !connectionFailed(err)) {
          await client.query("ROLLBACK").catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        } else {
          broken ??= err as Error;
        }
        throw err;
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
    async listen(channel, onPayload, onLost) {
      // LISTEN needs a connection of its own that stays open (and, on Neon,
      // the direct endpoint rather than the pooled one).
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.timeoutMs, ...keepAlive });
      let lost = false;
      const lose = (err: Error) => {
        if (lost) return;
        lost = true;
        listeners.splice(listeners.indexOf(client), 1);
        options.onListenError?.(err);
        onLost?.(err);
      };
      client.on("error", lose);
      client.on("end", () => lose(new Error("LISTEN connection ended")));
      client.on("notification", (msg) => {
        if (msg.channel === channel && msg.payload !== undefined) onPayload(msg.payload);
      });
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listeners.push(client);
      return async () => {
        lost = true;
        if (listeners.includes(client)) listeners.splice(listeners.indexOf(client), 1);
        await client.end().catch(() => {});
      };
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      watchdog.stop();
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => {})));
      await pool.end();
    },
  };
}
