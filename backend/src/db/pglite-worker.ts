import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
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
        const result = await runner.query(msg.text, msg.params, {
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
