import { Worker } from "node:worker_threads";

/*
 * The main thread's handle on the embedded database running in its worker
 * thread (pglite-worker.ts). It offers the part of PGlite's interface that
 * the app and Drizzle's PGlite driver use: query (with rowMode and parsers
 * that keep a type's text), transaction, listen, close.
 *
 * Why a thread: PGlite runs PostgreSQL as WebAssembly on the thread that owns
 * it. On the main thread the whole embedded service — HTTP, auth, the app and
 * PostgreSQL — shared one core; measured in docs/PERFORMANCE.md.
 */

export interface WorkerError {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  severity?: string;
  routine?: string;
}

export interface RemoteResult<T> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

export type ToWorker =
  | {
      t: "q";
      id: number;
      tx?: number;
      text: string;
      params: unknown[];
      rowMode?: "array" | "object";
      rawTypes?: number[];
      /** Run as the session's prepared statement of this name (prepared on first use). */
      name?: string;
    }
  | { t: "begin"; id: number }
  | { t: "end"; tx: number; commit: boolean }
  | { t: "listen"; id: number; channel: string }
  | { t: "unlisten"; id: number; listener: number }
  | { t: "close"; id: number };

export type FromWorker =
  | { t: "ready" }
  | { t: "failed"; error: WorkerError }
  | { t: "r"; id: number; result?: RemoteResult<unknown>; error?: WorkerError }
  | { t: "ended"; tx: number; error?: WorkerError }
  | { t: "n"; listener: number; payload: string };

/** What PGlite's query options may carry here: a row mode, and parsers (each type listed keeps its text). */
export interface RemoteQueryOptions {
  rowMode?: "array" | "object";
  parsers?: Record<number, unknown>;
  /** A prepared statement's name, as on PostgreSQL (db/client.ts). */
  name?: string;
}

export interface RemoteQueryable {
  query<T>(text: string, params?: unknown[], options?: RemoteQueryOptions): Promise<RemoteResult<T>>;
}

/** An error from the database thread, with PostgreSQL's fields (code, constraint, …) as on PGlite's own errors. */
function toError(e: WorkerError): Error {
  return Object.assign(new Error(e.message), e);
}

interface Waiter {
  resolve: (value: RemoteResult<unknown> | undefined) => void;
  reject: (err: Error) => void;
}

export class RemotePglite implements RemoteQueryable {
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly ends = new Map<number, Waiter>();
  private readonly notify = new Map<number, (payload: string) => void>();
  private failure: Error | null = null;
  closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (msg: FromWorker) => this.onMessage(msg));
    worker.on("error", (err) => this.fail(err));
    worker.on("exit", (code) => {
      if (!this.closed) this.fail(new Error(`the embedded database's thread exited (${code})`));
    });
  }

  static async start(dir: string | null, sharedBuffersMb: number): Promise<RemotePglite> {
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
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: FromWorker) => {
        if (msg.t === "ready") done(null);
        else if (msg.t === "failed") done(toError(msg.error));
      };
      const onError = (err: Error) => done(err);
      const onExit = (code: number) => done(new Error(`the embedded database's thread exited (${code}) while starting`));
      const done = (err: Error | null) => {
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        if (err) reject(err);
        else resolve();
      };
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    });
    return new RemotePglite(worker);
  }

  query<T>(text: string, params: unknown[] = [], options?: RemoteQueryOptions, tx?: number): Promise<RemoteResult<T>> {
    return this.call({
      t: "q",
      id: 0,
      text,
      params,
      ...(tx !== undefined ? { tx } : {}),
      ...(options?.rowMode ? { rowMode: options.rowMode } : {}),
      ...(options?.parsers ? { rawTypes: Object.keys(options.parsers).map(Number) } : {}),
      ...(options?.name ? { name: options.name } : {}),
    }) as Promise<RemoteResult<T>>;
  }

  /** Runs `fn` in a transaction; statements on the database itself wait until it ends (as on PGlite). */
  async transaction<T>(fn: (tx: RemoteQueryable) => Promise<T>): Promise<T> {
    const id = this.nextId++;
    await this.call({ t: "begin", id }, id);
    const ended = new Promise<void>((resolve, reject) => {
      this.ends.set(id, { resolve: () => resolve(), reject });
    });
    let result: T;
    try {
      result = await fn({ query: (text, params, options) => this.query(text, params, options, id) });
    } catch (err) {
      this.worker.postMessage({ t: "end", tx: id, commit: false } satisfies ToWorker);
      await ended.catch(() => {});
      throw err;
    }
    this.worker.postMessage({ t: "end", tx: id, commit: true } satisfies ToWorker);
    await ended;
    return result;
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const id = this.nextId++;
    this.notify.set(id, onPayload);
    await this.call({ t: "listen", id, channel }, id);
    return async () => {
      this.notify.delete(id);
      if (!this.closed) await this.call({ t: "unlisten", id: 0, listener: id });
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.call({ t: "close", id: 0 });
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  private call(msg: ToWorker, id?: number): Promise<RemoteResult<unknown> | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("the embedded database is closed"));
    const callId = id ?? this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(callId, { resolve, reject });
      this.worker.postMessage("id" in msg ? { ...msg, id: callId } : msg);
    });
  }

  private onMessage(msg: FromWorker): void {
    if (msg.t === "r") {
      const waiter = this.waiters.get(msg.id);
      this.waiters.delete(msg.id);
      if (msg.error) waiter?.reject(toError(msg.error));
      else waiter?.resolve(msg.result);
    } else if (msg.t === "ended") {
      const waiter = this.ends.get(msg.tx);
      this.ends.delete(msg.tx);
      if (msg.error) waiter?.reject(toError(msg.error));
      else waiter?.resolve(undefined);
    } else if (msg.t === "n") {
      this.notify.get(msg.listener)?.(msg.payload);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of [...this.waiters.values(), ...this.ends.values()]) waiter.reject(err);
    this.waiters.clear();
    this.ends.clear();
  }
}
