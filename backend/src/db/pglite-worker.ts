import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { FromThread, ToThread } from "./pglite-thread.ts";

/*
 * The embedded database's own thread. PGlite runs PostgreSQL as WebAssembly
 * on whichever thread owns it; here that is this worker, so the server's main
 * thread keeps HTTP, authentication and the application while PostgreSQL
 * works on the second core. It speaks PostgreSQL's wire protocol
 * (pglite-socket) on a Unix socket, so the main thread reaches it with the
 * ordinary `pg` driver, exactly as it reaches a PostgreSQL server.
 *
 * The socket lives in a directory of its own made by mkdtemp (mode 0700):
 * only this user can connect. A loopback TCP port would be open to every
 * local user, and PGlite has no authentication.
 */

const port = parentPort;
if (!port) throw new Error("pglite-worker.ts runs as a worker thread");
const { dir, sharedBuffersMb } = workerData as { dir: string | null; sharedBuffersMb: number };

const post = (message: FromThread) => port.postMessage(message);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

let db: PGlite;
let server: PGLiteSocketServer;
const socketDir = mkdtempSync(path.join(tmpdir(), "doable-pglite-"));
try {
  db = await PGlite.create(dir ?? "memory://", {
    extensions: { pg_trgm, btree_gin },
    // PostgreSQL's default 128 MB of shared buffers would live in this process's memory;
    // the operating system's page cache still holds the data files (docs/PERFORMANCE.md).
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffersMb}MB`],
  });
  // PGlite is one session: the main thread's pool holds one connection. A second slot
  // lets a replacement connect while the socket of a dropped one is still being detached.
  server = new PGLiteSocketServer({ db, path: path.join(socketDir, ".s.PGSQL.5432"), maxConnections: 2 });
  await server.start();
} catch (err) {
  rmSync(socketDir, { recursive: true, force: true });
  post({ t: "failed", message: messageOf(err) });
  process.exit(1);
}

port.on("message", (msg: ToThread) => {
  if (msg.t !== "close") return;
  void (async () => {
    try {
      await server.stop();
      if (!db.closed) await db.close();
      post({ t: "closed" });
    } catch (err) {
      post({ t: "closed", message: messageOf(err) });
    } finally {
      rmSync(socketDir, { recursive: true, force: true });
      port.close();
    }
  })();
});

post({ t: "ready", socketDir });
