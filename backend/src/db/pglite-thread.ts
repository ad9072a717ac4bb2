import { Worker } from "node:worker_threads";

/*
 * Starts the embedded database in a worker thread of its own
 * (pglite-worker.ts), which serves it on a private Unix socket; the main
 * thread then connects to it with `pg` like to any PostgreSQL server.
 *
 * Why a thread: PGlite runs PostgreSQL as WebAssembly on the thread that owns
 * it. On the main thread the whole embedded service — HTTP, auth, the app and
 * PostgreSQL — shared one core; measured in docs/PERFORMANCE.md.
 */

export type ToThread = { t: "close" };

export type FromThread = { t: "ready"; socketDir: string } | { t: "failed"; message: string } | { t: "closed"; message?: string };

export interface PgliteThread {
  /** The directory holding the socket: `host` for `pg` (which connects to `<dir>/.s.PGSQL.5432`). */
  readonly socketDir: string;
  close(): Promise<void>;
}

export async function startPgliteThread(dir: string | null, sharedBuffersMb: number): Promise<PgliteThread> {
  const workerData = { dir, sharedBuffersMb };
  // From the sources (tests, CLIs under tsx) the worker registers tsx's loader itself first:
  // Node 20 does not pass module hooks on to worker threads. The compiled build is plain JS.
  const worker = import.meta.url.endsWith(".ts")
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
           .then(({ register }) => { register(); return import(${JSON.stringify(new URL("./pglite-worker.ts", import.meta.url).href)}); })`,
        { eval: true, workerData },
      )
    : new Worker(new URL("./pglite-worker.js", import.meta.url), { workerData });
  const socketDir = await new Promise<string>((resolve, reject) => {
    const done = (err: Error | null, value = "") => {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      if (err) reject(err);
      else resolve(value);
    };
    const onMessage = (msg: FromThread) => {
      if (msg.t === "ready") done(null, msg.socketDir);
      else if (msg.t === "failed") done(new Error(msg.message));
    };
    const onError = (err: Error) => done(err);
    const onExit = (code: number) => done(new Error(`the embedded database's thread exited (${code})`));
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
  // After start-up a failure of the thread shows as refused connections (a 503), not as a crash.
  worker.on("error", () => {});
  let closing: Promise<void> | null = null;
  return {
    socketDir,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const finish = () => void worker.terminate().then(() => resolve());
        worker.once("message", finish).once("exit", finish);
        worker.postMessage({ t: "close" } satisfies ToThread);
      });
      return closing;
    },
  };
}
