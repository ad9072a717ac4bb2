import type { Logger } from "pino";
import type { Database, Queryable } from "../db/client.ts";

const CHANNEL = "doable_token_revocations";
// Re-read rows a little older than the newest one seen: a transaction that
// started earlier may commit after a later one.
const OVERLAP_SECONDS = 60;
const LISTEN_RETRY_MS = 2_000;

interface Row {
  user_id: string;
  revoked_before: number;
}

/**
 * Which users' tokens stop being valid, and from when. Checking a token is a
 * map lookup; the map stays fresh on every instance through LISTEN/NOTIFY,
 * with a periodic re-read as the fallback (poolers drop LISTEN, connections
 * die), so a revocation reaches every instance within the poll interval.
 */
export class RevocationList {
  private readonly revokedBefore = new Map<string, number>();
  private newest = 0;
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.refresh(0);
    await this.listen();
    const tick = () => {
      if (this.stopped) return;
      this.refresh(this.newest - OVERLAP_SECONDS)
        .catch((err) => this.log.warn({ err }, "revocation refresh failed"))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMs).unref();
        });
    };
    this.timer = setTimeout(tick, this.pollMs).unref();
  }

  /** Subscribes to NOTIFY; when the connection is lost, polling covers the gap and LISTEN is retried. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    try {
      this.unlisten = await this.db.listen(
        CHANNEL,
        (payload) => this.applyNotification(payload),
        () => {
          this.unlisten = null;
          if (!this.stopped) setTimeout(() => void this.listen(), LISTEN_RETRY_MS).unref();
        },
      );
    } catch (err) {
      this.log.warn({ err }, "LISTEN unavailable; revocations are picked up by polling until it is back");
      if (!this.stopped) setTimeout(() => void this.listen(), LISTEN_RETRY_MS).unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unlisten?.().catch(() => {});
  }

  /** True when a token for `userId` issued at `issuedAt` (seconds) must be refused. */
  isRevoked(userId: string, issuedAt: number): boolean {
    const before = this.revokedBefore.get(userId);
    return before !== undefined && issuedAt <= before;
  }

  /**
   * Refuses every token of `userId` issued up to now, here at once and on the
   * other instances through NOTIFY. Run it inside the transaction that makes
   * the change, so both commit together.
   */
  async revoke(q: Queryable, userId: string, reason: string): Promise<void> {
    const rows = await q.query<Row>(
      `INSERT INTO token_revocations (user_id, revoked_before, reason) VALUES ($1, now(), $2)
       ON CONFLICT (user_id) DO UPDATE SET revoked_before = greatest(token_revocations.revoked_before, excluded.revoked_before), reason = excluded.reason
       RETURNING user_id, floor(extract(epoch FROM revoked_before))::float8 AS revoked_before`,
      [userId, reason],
    );
    const row = rows[0];
    if (!row) return;
    this.apply(row.user_id, row.revoked_before);
    await q.query("SELECT pg_notify($1, $2)", [CHANNEL, `${row.revoked_before}:${row.user_id}`]);
  }

  private applyNotification(payload: string): void {
    const colon = payload.indexOf(":");
    const seconds = Number(payload.slice(0, colon));
    if (colon > 0 && Number.isFinite(seconds)) this.apply(payload.slice(colon + 1), seconds);
  }

  private apply(userId: string, seconds: number): void {
    const current = this.revokedBefore.get(userId) ?? 0;
    if (seconds > current) this.revokedBefore.set(userId, seconds);
    if (seconds > this.newest) this.newest = seconds;
  }

  private async refresh(since: number): Promise<void> {
    const rows = await this.db.query<Row>(
      `SELECT user_id, floor(extract(epoch FROM revoked_before))::float8 AS revoked_before
         FROM token_revocations WHERE revoked_before >= to_timestamp($1)`,
      [since],
      "revocations_since",
    );
    for (const row of rows) this.apply(row.user_id, row.revoked_before);
  }
}
