import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { Database, Queryable } from "../db/client.ts";

const CHANNEL = "doable_token_revocations";
// Re-read rows a little older than the newest one seen: a transaction that
// started earlier may commit after a later one.
const OVERLAP_MS = 60_000;
const LISTEN_RETRY_MS = 2_000;

interface Row {
  user_id: string;
  /** Seconds since the epoch, with the column's milliseconds. */
  revoked_before: number;
}

const toMs = (seconds: number) => Math.round(seconds * 1000);

/**
 * Which users' tokens stop being valid, and from when. Checking a token is a
 * map lookup; the map stays fresh on every instance through LISTEN/NOTIFY,
 * with a periodic re-read as the fallback (poolers drop LISTEN, connections
 * die), so a revocation reaches every instance within the poll interval.
 *
 * Times are milliseconds of the app's clock, the one that stamps the tokens'
 * `iat` (better-auth.ts): whole seconds could not tell a token minted just
 * before a ban from one minted just after an unban in the same second, and
 * the latter stayed refused for its whole life.
 */
export class RevocationList {
  /** user id → tokens issued at or before this time (ms) are refused. */
  private readonly revokedBefore = new Map<string, number>();
  private newest = 0;
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly pollMs: number,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    await this.refresh(0);
    await this.listen();
    const tick = () => {
      if (this.stopped) return;
      this.refresh(this.newest - OVERLAP_MS)
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

  /** True when a token for `userId` issued at `issuedAt` (its `iat`: seconds, perhaps with a fraction) must be refused. */
  isRevoked(userId: string, issuedAt: number): boolean {
    const before = this.revokedBefore.get(userId);
    return before !== undefined && toMs(issuedAt) <= before;
  }

  /**
   * Refuses every token of `userId` issued up to now, here at once and on the
   * other instances through NOTIFY. Run it inside the transaction that makes
   * the change, so both commit together.
   */
  async revoke(q: Queryable, userId: string, reason: string): Promise<void> {
    const rows = await q.query<Row>(
      `INSERT INTO token_revocations (user_id, revoked_before, reason) VALUES ($1, to_timestamp($2::float8 / 1000), $3)
       ON CONFLICT (user_id) DO UPDATE SET revoked_before = greatest(token_revocations.revoked_before, excluded.revoked_before), reason = excluded.reason
       RETURNING user_id, extract(epoch FROM revoked_before)::float8 AS revoked_before`,
      [userId, this.clock(), reason],
    );
    const row = rows[0];
    if (!row) return;
    this.apply(row.user_id, toMs(row.revoked_before));
    // Seconds with a fraction, as in the table and in `iat`.
    await q.query("SELECT pg_notify($1, $2)", [CHANNEL, `${row.revoked_before}:${row.user_id}`]);
  }

  private applyNotification(payload: string): void {
    const colon = payload.indexOf(":");
    const seconds = Number(payload.slice(0, colon));
    if (colon > 0 && Number.isFinite(seconds)) this.apply(payload.slice(colon + 1), toMs(seconds));
  }

  private apply(userId: string, ms: number): void {
    const current = this.revokedBefore.get(userId) ?? 0;
    if (ms > current) this.revokedBefore.set(userId, ms);
    if (ms > this.newest) this.newest = ms;
  }

  private async refresh(sinceMs: number): Promise<void> {
    const rows = await this.db.query<Row>(
      `SELECT user_id, extract(epoch FROM revoked_before)::float8 AS revoked_before
         FROM token_revocations WHERE revoked_before >= to_timestamp($1::float8 / 1000)`,
      [sinceMs],
      "revocations_since",
    );
    for (const row of rows) this.apply(row.user_id, toMs(row.revoked_before));
  }
}
