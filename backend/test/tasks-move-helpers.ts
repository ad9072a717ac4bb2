import assert from "node:assert/strict";
import type { Response } from "light-my-request";
import type { App } from "../src/app.ts";
import type { TestUser } from "./helpers.ts";
import { as, nextLink } from "./tasks-helpers.ts";

/** A task as the API returns it, with the fields of lists and order (SPEC §7). */
export interface ListTaskJson {
  id: string;
  title: string;
  completed: boolean;
  completed_at: string | null;
  list_id: string;
  parent_id: string | null;
  position: string;
  subtask_count: number;
  open_subtask_count: number;
  updated_at: string;
}

export interface ListJson {
  id: string;
  name: string;
  is_inbox: boolean;
  task_count: number;
  open_task_count: number;
}

export async function createList(app: App, user: TestUser, name: string): Promise<ListJson> {
  const res = await as(app, user)({ method: "POST", url: "/api/lists", payload: { name } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as ListJson;
}

export async function getList(app: App, user: TestUser, id: string): Promise<ListJson & { etag: string }> {
  const res = await as(app, user)({ method: "GET", url: `/api/lists/${id}` });
  assert.equal(res.statusCode, 200, res.body);
  return { ...(res.json() as ListJson), etag: String(res.headers.etag) };
}

export async function inboxOf(app: App, user: TestUser): Promise<ListJson> {
  const res = await as(app, user)({ method: "GET", url: "/api/lists" });
  assert.equal(res.statusCode, 200, res.body);
  const inbox = (res.json() as ListJson[]).find((l) => l.is_inbox);
  assert.ok(inbox, "every user has an Inbox");
  return inbox;
}

export async function addTask(
  app: App,
  user: TestUser,
  title: string,
  where: { list_id?: string; parent_id?: string } = {},
): Promise<ListTaskJson> {
  const res = await as(app, user)({ method: "POST", url: "/api/tasks", payload: { title, ...where } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as ListTaskJson;
}

export function move(
  app: App,
  user: TestUser,
  id: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return as(app, user)({ method: "POST", url: `/api/tasks/${id}/move`, payload: body, headers });
}

/** Moves and asserts the 200; returns the moved task. */
export async function moved(app: App, user: TestUser, id: string, body: Record<string, unknown>): Promise<ListTaskJson> {
  const res = await move(app, user, id, body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as ListTaskJson;
}

/**
 * A sibling group as the API orders it (sort=position), walked page by page
 * through the Link header with a small limit, so that keyset paging is part
 * of what is compared.
 */
export async function groupOrder(app: App, user: TestUser, listId: string, parentId: string | null, limit = 3): Promise<ListTaskJson[]> {
  const parent = parentId ?? "none";
  let url: string | null = `/api/tasks?list_id=${listId}&parent_id=${parent}&sort=position&limit=${limit}`;
  const out: ListTaskJson[] = [];
  for (let pages = 0; url !== null; pages++) {
    assert.ok(pages < 10_000, "paging ends");
    const res: Response = await as(app, user)({ method: "GET", url });
    assert.equal(res.statusCode, 200, res.body);
    out.push(...(res.json() as ListTaskJson[]));
    url = nextLink(res);
  }
  return out;
}

export const ids = (tasks: readonly { id: string }[]) => tasks.map((x) => x.id);

/** Every stored row of the given tasks' table, as PostgreSQL renders it: which rows a statement wrote. */
export async function rowsById(app: App, listIds: string[]): Promise<Map<string, string>> {
  const rows = await app.ctx.db.query<{ id: string; r: string }>(
    "SELECT id::text AS id, row_to_json(t)::text AS r FROM tasks t WHERE list_id = ANY($1::uuid[])",
    [listIds],
  );
  return new Map(rows.map((x) => [x.id, x.r]));
}

export function changedRows(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [id, r] of after) if (before.get(id) !== r) changed.push(id);
  for (const id of before.keys()) if (!after.has(id)) changed.push(id);
  return changed;
}

/** `n` top-level tasks appended to a list straight in SQL (fast), titled "bulk 1".."bulk n", in that order. */
export async function bulkTasks(app: App, user: TestUser, listId: string, n: number): Promise<string[]> {
  const rows = await app.ctx.db.query<{ id: string; position: string }>(
    `INSERT INTO tasks (id, user_id, list_id, position, title)
     SELECT gen_random_uuid(), $1, $2::uuid, fi_integer_key(g - 1 + coalesce(
              (SELECT count(*) FROM tasks WHERE list_id = $2::uuid AND parent_id IS NULL), 0)), 'bulk ' || g
     FROM generate_series(1, $3::int) g
     RETURNING id::text AS id, position`,
    [user.id, listId, n],
  );
  return rows.sort((a, b) => (a.position < b.position ? -1 : 1)).map((r) => r.id);
}
