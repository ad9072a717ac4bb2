import type { Queryable } from "../db/client.ts";

export interface CallerStanding {
  role: string;
  banned: boolean;
  email: string;
}

/** The caller's role and ban as the database has them now (the admin gate reads them on every call). */
export async function callerStanding(q: Queryable, userId: string): Promise<CallerStanding | undefined> {
  const rows = await q.query<CallerStanding>('SELECT role, banned, email FROM "user" WHERE id = $1', [userId], "admin_gate");
  return rows[0];
}
