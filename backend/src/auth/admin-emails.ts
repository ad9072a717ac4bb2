import type { Queryable } from "../db/client.ts";

/** ADMIN_EMAILS: accounts with these addresses are admins (applied at start-up and at sign-up). */
export async function applyAdminEmails(db: Queryable, emails: string[], userId?: string): Promise<void> {
  if (emails.length === 0) return;
  await db.query(
    `UPDATE "user" SET role = 'admin', "updatedAt" = now()
      WHERE lower(email) = ANY($1::text[]) AND role <> 'admin' AND ($2::text IS NULL OR id = $2)`,
    [emails, userId ?? null],
  );
}
