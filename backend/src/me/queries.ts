import type { Queryable } from "../db/client.ts";
import { isoUtc } from "../db/sql.ts";

/** The user as `GET /api/me` sends them, as JSON text built by PostgreSQL. */
export async function meJson(q: Queryable, userId: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(
    `SELECT row_to_json(x)::text AS j FROM (
       SELECT id, email, name, role, ${isoUtc('"createdAt"')} AS created_at
         FROM "user" WHERE id = $1) x`,
    [userId],
    "me",
  );
  return rows[0]?.j;
}
