import pg from "pg";

/**
 * The read timeout of every statement on PostgreSQL, kept by one sweeping
 * interval instead of a timer per statement.
 *
 * pg's own `query_timeout` arms a `setTimeout` for each query. V8 allocates
 * those timers (and the closures they hold, which reach the query and its
 * result) straight into the old generation, so every result stayed alive
 * until the next full collection: on a 100-task list page (35 KB of JSON)
 * that was ~42 KB promoted per request, a mark-compact every ~400 ms, and
 * ~490 µs of server CPU per page instead of ~250 µs (docs/PERFORMANCE.md).
 *
 * Here a client is marked busy when a statement is submitted and idle when
 * its queue drains; a sweep every `timeoutMs / 10` (50–250 ms) destroys the
 * connection of a client busy for longer than `timeoutMs`. The statement
 * then fails with "Query read timeout" (a 503 for the client, and the
 * connection is discarded rather than reused), as with pg's option.
 */
export class QueryWatchdog {
  private readonly busySince = new Map<pg.Client, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(readonly timeoutMs: number) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(250, Math.floor(timeoutMs / 10))));
    this.sweeper.unref();
  }

  /** A pg.Client class for `new pg.Pool({ Client })` whose statements this watchdog times. */
  clientClass(): typeof pg.Client {
    const watchdog = this;
    class WatchedClient extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        this.on("drain", () => watchdog.busySince.delete(this));
        this.on("end", () => watchdog.busySince.delete(this));
      }
    }
    // pg.Client.query has a dozen overloads; every one of them submits a statement.
    const submit = pg.Client.prototype.query;
    WatchedClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      watchdog.busySince.set(this, performance.now());
      return (submit as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
    return WatchedClient;
  }

  /** Clients whose statement has run for longer than the timeout lose their connection. */
  private sweep(): void {
    const now = performance.now();
    for (const [client, since] of this.busySince) {
      if (now - since <= this.timeoutMs) continue;
      this.busySince.delete(client);
      // pg fails the statement (and any queued behind it) with this error and emits
      // 'error' on the client, which the pool or the transaction's handler takes.
      const stream = (client as unknown as { connection?: { stream?: { destroy(err?: Error): void } } }).connection?.stream;
      stream?.destroy(new Error("Query read timeout"));
    }
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.busySince.clear();
  }
}
