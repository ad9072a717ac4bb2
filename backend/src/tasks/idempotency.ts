import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Database, Queryable } from "../db/client.ts";

/** Keys are honoured for this long, then forgotten (and swept). */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** JSON with sorted keys, so the same body hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Identifies a request body as the client sent it (before any trimming or
 * normalization), so that a retry must repeat the request exactly.
 */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("base64url");
}

export type IdempotentReplay = { requestHash: "match"; taskId: string; responseBody: string } | { requestHash: "mismatch" };

/**
 * Claims (user, key) inside the caller's transaction. The primary key makes
 * a concurrent request with the same key wait on the first one's insert, so
 * when it gets here the first has committed (replay) or rolled back (claimed).
 */
export async function claimIdempotencyKey(
  tx: Queryable,
  userId: string,
  key: string,
  requestHash: string,
): Promise<"claimed" | IdempotentReplay> {
  // A key older than the TTL is free again.
  await tx.query(
    `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`,
    [userId, key],
    "idem_expire",
  );
  const claimed = await tx.query(
    `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, key) DO NOTHING RETURNING 1`,
    [userId, key, requestHash],
    "idem_claim",
  );
  if (claimed.length > 0) return "claimed";
  const rows = await tx.query<{ request_hash: string; task_id: string | null; response_body: string | null }>(
    "SELECT request_hash, task_id, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    [userId, key],
    "idem_read",
  );
  const row = rows[0];
  if (!row || row.request_hash !== requestHash || !row.task_id || !row.response_body) return { requestHash: "mismatch" };
  return { requestHash: "match", taskId: row.task_id, responseBody: row.response_body };
}

export async function recordIdempotentResponse(tx: Queryable, userId: string, key: string, taskId: string, body: string): Promise<void> {
  await tx.query(
    "UPDATE idempotency_keys SET task_id = $3, response_body = $4 WHERE user_id = $1 AND key = $2",
    [userId, key, taskId, body],
    "idem_record",
  );
}

/** Deletes expired keys every 10 minutes (any instance may do it; the DELETE is idempotent). */
export function startIdempotencySweeper(db: Database, log: Logger): () => void {
  const sweep = () =>
    db
      .query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`)
      .catch((err) => log.warn({ err }, "idempotency sweep failed"));
  const timer = setInterval(sweep, 10 * 60_000).unref();
  return () => clearInterval(timer);
}
