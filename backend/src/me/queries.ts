import type { Queryable } from "../db/client.ts";
import { isoUtc } from "../db/sql.ts";

const ME_JSON = `SELECT row_to_json(x)::text AS j FROM (
       SELECT u.id, u.email, u.name, u.role, ${isoUtc('u."createdAt"')} AS created_at, coalesce(p.timezone, 'UTC') AS timezone
         FROM "user" u LEFT JOIN user_preferences p ON p.user_id = u.id WHERE u.id = $1) x`;

/** The user as `GET /api/me` sends them, as JSON text built by PostgreSQL. */
export async function meJson(q: Queryable, userId: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(ME_JSON, [userId], "me");
  return rows[0]?.j;
}

/**
 * Stores the user's time zone and returns them as `GET /api/me` would. The
 * zone is also one PostgreSQL knows (the views compute days in it): an
 * unknown one fails the statement with 22023, and nothing is written.
 */
export async function setTimezone(q: Queryable, userId: string, timezone: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(
    `WITH checked AS (SELECT $2::text AS z WHERE (now() AT TIME ZONE $2::text) IS NOT NULL),
     saved AS (INSERT INTO user_preferences (user_id, timezone) SELECT $1, z FROM checked
               ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone RETURNING user_id)
     SELECT row_to_json(x)::text AS j FROM (
       SELECT u.id, u.email, u.name, u.role, ${isoUtc('u."createdAt"')} AS created_at, (SELECT z FROM checked) AS timezone
         FROM "user" u WHERE u.id = (SELECT user_id FROM saved)) x`,
    [userId, timezone],
    "me_set_timezone",
  );
  return rows[0]?.j;
}
