import assert from "node:assert/strict";
import type { App } from "../src/app.ts";
import type { TestUser } from "./helpers.ts";
import { as } from "./tasks-helpers.ts";

/**
 * Membership made with SQL, as the invitation routes would (until they land
 * in this suite's branch): a list_members row at the end of the member's own
 * order, and the list marked shared.
 */
export async function addMember(app: App, listId: string, user: TestUser, role: "editor" | "viewer"): Promise<void> {
  await app.ctx.db.query(
    `INSERT INTO list_members (list_id, user_id, role, position)
     SELECT $1, $2, $3, coalesce(fi_key_after((SELECT max(position) FROM list_members WHERE user_id = $2)), 'a0')`,
    [listId, user.id, role],
  );
  await app.ctx.db.query("UPDATE lists SET shared = true WHERE id = $1", [listId]);
}

/** A list of `owner`'s, made through the API. */
export async function createList(app: App, owner: TestUser, name: string): Promise<{ id: string }> {
  const res = await as(app, owner)({ method: "POST", url: "/api/lists", payload: { name } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string };
}

/** The URL of the next page from a Link header (path and query), or null. */
export function nextLink(link: unknown): string | null {
  if (link === undefined) return null;
  const m = /^<([^>]+)>; rel="next"$/.exec(String(link));
  assert.ok(m, `odd Link header: ${String(link)}`);
  const url = new URL(m[1] as string);
  return url.pathname + url.search;
}
