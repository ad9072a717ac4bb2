import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import type { DatabaseTarget } from "../config.ts";
import { acquireDirectoryLock, type DirectoryLock } from "./lock.ts";
import type { PgliteThread } from "./pglite-thread.ts";
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
  return target.kind === "pg" ? connectPostgres(target.url, options) : connectPglite(target.dir, options);
}

const pgliteSharedBuffersMb = 32;

async function connectPglite(dir: string | null, options: DatabaseOptions): Promise<Database> {
  const lock: DirectoryLock | null = dir ? acquireDirectoryLock(dir) : null;
  let thread: PgliteThread;
  try {
    // Loaded only when used: the embedded engine costs memory a process on PostgreSQL does not need.
    const { startPgliteThread } = await import("./pglite-thread.ts");
    thread = await startPgliteThread(dir, pgliteSharedBuffersMb);
  } catch (err) {
    lock?.release();
    throw err;
  }
  // PGlite is one session, so the pool is one connection: it is also what
  // makes a transaction exclusive. The connection is kept while idle (a new
  // one would cost a start-up), and NOTIFY arrives on it (see connectPool).
  return connectPool(
    "pglite",
    { host: thread.socketDir, port: 5432, user: "postgres", database: "postgres", max: 1, idleTimeoutMillis: 0 },
    { ...options, sharedSession: true },
    async () => {
      try {
        await thread.close();
      } finally {
        lock?.release();
      }
    },
  );
}

/** Driver errors after which a connection is unusable (as opposed to an error PostgreSQL reported on a healthy one). */
function connectionFailed(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ["ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(e?.code ?? "") ||
    /Query read timeout|Connection terminated|not queryable/i.test(e?.message ?? "")
  );
}

function connectPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  return connectPool(
    "pg",
    { connectionString: url, max: options.poolMax, idleTimeoutMillis: 30_000 },
    { ...options, sharedSession: false },
  );
}

/**
 * The one code path of both databases: a `pg` pool, on PostgreSQL's server
 * or on the embedded database's socket. `sharedSession` is the embedded
 * database: one session that every connection shares, so LISTEN is issued
 * on the pool's connection and its notifications arrive there.
 */
async function connectPool(
  kind: Database["kind"],
  config: pg.PoolConfig,
  options: DatabaseOptions & { sharedSession: boolean },
  onClosed: () => Promise<void> = async () => {},
): Promise<Database> {
  const sessionListeners = new Map<string, Set<(payload: string) => void>>();
  const joinSession = async (client: pg.ClientBase) => {
    // pg-pool drops a connection after any failed statement, but the session and its
    // prepared statements live on: a new connection starts from none, as pg assumes.
    await client.query("DEALLOCATE ALL");
    client.on("notification", (msg) => {
      if (msg.payload === undefined) return;
      for (const onPayload of sessionListeners.get(msg.channel) ?? []) onPayload(msg.payload);
    });
  };
  // Statements time out through the watchdog, not pg's per-query timer (watchdog.ts says why).
  const watchdog = new QueryWatchdog(options.timeoutMs);
  const pool = new pg.Pool({
    ...config,
    connectionTimeoutMillis: options.timeoutMs,
    Client: watchdog.clientClass(),
    allowExitOnIdle: false,
    ...(options.sharedSession ? { onConnect: joinSession } : {}),
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
    kind,
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
      if (options.sharedSession) {
        // The session's LISTEN outlives its connections; a NOTIFY from this process
        // reaches the pool's one connection, whichever statement sent it.
        const channelListeners = sessionListeners.get(channel) ?? new Set();
        sessionListeners.set(channel, channelListeners.add(onPayload));
        await pool.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        return async () => {
          channelListeners.delete(onPayload);
          if (channelListeners.size === 0) await pool.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
        };
      }
      // LISTEN needs a connection of its own that stays open (and, on Neon,
      // the direct endpoint rather than the pooled one).
      const client = new pg.Client({ connectionString: config.connectionString, connectionTimeoutMillis: options.timeoutMs });
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
      await onClosed();
    },
  };
}
