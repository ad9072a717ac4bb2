import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { escapeLiteral } from "pg";
import type { FromWorker, ToWorker, WorkerError } from "./pglite-remote.ts";

/*
 * The embedded database's own thread. PGlite runs PostgreSQL as WebAssembly
 * on whichever thread owns it; here that is this worker, so the server's main
 * thread keeps HTTP, authentication and the application while PostgreSQL
 * works on the second core. The main thread talks to it through
 * pglite-remote.ts: one message per statement, and transactions as a begin,
 * statements tagged with the transaction, and an end.
 */

const port = parentPort;
if (!port) throw new Error("pglite-worker.ts runs as a worker thread");
const { dir, sharedBuffersMb } = workerData as { dir: string | null; sharedBuffersMb: number };

const post = (message: FromWorker) => port.postMessage(message);
const asText = (value: string) => value;

function errorOf(err: unknown): WorkerError {
  const e = err as Record<string, unknown>;
  const out: WorkerError = { message: err instanceof Error ? err.message : String(err) };
  for (const key of ["code", "detail", "hint", "constraint", "table", "column", "schema", "severity", "routine"] as const) {
    if (typeof e?.[key] === "string") out[key] = e[key] as string;
  }
  return out;
}

let db: PGlite;
try {
  db = await PGlite.create(dir ?? "memory://", {
    extensions: { pg_trgm, btree_gin },
    // PostgreSQL's default 128 MB of shared buffers would live in this process's memory;
    // the operating system's page cache still holds the data files (docs/PERFORMANCE.md).
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffersMb}MB`],
  });
} catch (err) {
  post({ t: "failed", error: errorOf(err) });
  process.exit(1);
}

const transactions = new Map<number, { tx: Transaction; end: (commit: boolean) => void }>();
const listeners = new Map<number, () => Promise<void>>();

class Rollback extends Error {}

/*
 * PGlite's query() parses and plans every statement anew, where PostgreSQL's
 * server does it once per connection for a named statement (measured on a
 * 100-task page: 882 µs a query against 400 µs prepared; a get 151 against
 * 101 µs). The embedded database is one session, so a named statement is
 * PREPAREd there on first use and run with EXECUTE after that. EXECUTE takes
 * no protocol parameters, so its arguments are written as literals, each
 * escaped by node-postgres's escapeLiteral (standard_conforming_strings either
 * way) and converted by PostgreSQL to the type the statement declared for it.
 * Statements are prepared only outside a transaction; inside one, a name not
 * yet prepared runs as plain text.
 */
const prepared = new Set<string>();
const safeName = /^[a-z_][a-z0-9_]{0,62}$/;

/** One EXECUTE argument: a quoted literal (or NULL) that PostgreSQL converts to the parameter's type. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  return escapeLiteral(literalText(value));
}

function literalText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(",")}}`;
  return JSON.stringify(value);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return literalText(value);
  return `"${literalText(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The EXECUTE text for a named statement, or null to run the statement's own text. */
async function preparedCall(name: string, text: string, params: unknown[], mayPrepare: boolean): Promise<string | null> {
  if (!safeName.test(name)) return null;
  if (!prepared.has(name)) {
    if (!mayPrepare) return null;
    await db.query(`PREPARE ${name} AS ${text}`);
    prepared.add(name);
  }
  return params.length === 0 ? `EXECUTE ${name}` : `EXECUTE ${name}(${params.map(literal).join(", ")})`;
}

port.on("message", (msg: ToWorker) => {
  void handle(msg);
});

async function handle(msg: ToWorker): Promise<void> {
  try {
    switch (msg.t) {
      case "q": {
        const runner = msg.tx === undefined ? db : transactions.get(msg.tx)?.tx;
        if (!runner) throw new Error("no such transaction");
        const parsers = msg.rawTypes ? Object.fromEntries(msg.rawTypes.map((oid) => [oid, asText])) : undefined;
        const execute = msg.name ? await preparedCall(msg.name, msg.text, msg.params, msg.tx === undefined) : null;
        const result = await runner.query(execute ?? msg.text, execute ? [] : msg.params, {
          ...(msg.rowMode ? { rowMode: msg.rowMode } : {}),
          ...(parsers ? { parsers } : {}),
        });
        post({ t: "r", id: msg.id, result: { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows } });
        return;
      }
      case "begin": {
        // Answered once the transaction is open; its end message finishes it.
        db.transaction(async (tx) => {
          const finished = new Promise<boolean>((resolve) => transactions.set(msg.id, { tx, end: resolve }));
          post({ t: "r", id: msg.id });
          if (!(await finished)) throw new Rollback();
        }).then(
          () => post({ t: "ended", tx: msg.id }),
          (err: unknown) => post(err instanceof Rollback ? { t: "ended", tx: msg.id } : { t: "ended", tx: msg.id, error: errorOf(err) }),
        );
        return;
      }
      case "end": {
        const open = transactions.get(msg.tx);
        transactions.delete(msg.tx);
        open?.end(msg.commit);
        return;
      }
      case "listen": {
        const unlisten = await db.listen(msg.channel, (payload) => post({ t: "n", listener: msg.id, payload }));
        listeners.set(msg.id, unlisten);
        post({ t: "r", id: msg.id });
        return;
      }
      case "unlisten": {
        await listeners.get(msg.listener)?.();
        listeners.delete(msg.listener);
        post({ t: "r", id: msg.id });
        return;
      }
      case "close": {
        if (!db.closed) await db.close();
        post({ t: "r", id: msg.id });
        port?.close();
        return;
      }
    }
  } catch (err) {
    if ("id" in msg) post({ t: "r", id: msg.id, error: errorOf(err) });
  }
}

post({ t: "ready" });
