import assert from "node:assert/strict";
import type { InjectOptions, Response } from "light-my-request";
import type { App } from "../src/app.ts";
import type { TestUser } from "./helpers.ts";

/** A task as the API returns it (SPEC §3). */
export interface TaskJson {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: "none" | "low" | "medium" | "high";
  due_at: string | null;
  due_date: string | null;
  tags: string[];
  user_id: string;
  list_id: string;
  parent_id: string | null;
  position: string;
  subtask_count: number;
  open_subtask_count: number;
  created_by: string | null;
  assignee_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A stored task row, read with SQL of its own (not the API's JSON) and timestamps as ISO strings. */
export interface StoredTask {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: number;
  due_at: string | null;
  due_date: string | null;
  tags: string[];
  list_id: string;
  parent_id: string | null;
  position: string;
  subtask_count: number;
  open_subtask_count: number;
  created_by: string | null;
  assignee_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const isoMillisUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const priorityRank = { none: 0, low: 1, medium: 2, high: 3 } as const;

/** Requests as `user`: their bearer JWT plus whatever headers the request adds. */
export function as(app: App, user: TestUser) {
  return (options: InjectOptions): Promise<Response> =>
    app.inject({ ...options, headers: { ...user.auth, ...(options.headers ?? {}) } }) as Promise<Response>;
}

/** Creates a task through the API and returns its body (asserting the 201). */
export async function createTask(app: App, user: TestUser, payload: Record<string, unknown>): Promise<TaskJson> {
  const res = await as(app, user)({ method: "POST", url: "/api/tasks", payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as TaskJson;
}

const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`;
const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type RawRow = Omit<StoredTask, "completed_at" | "due_at" | "created_at" | "updated_at"> & {
  completed_at: number | null;
  due_at: number | null;
  created_at: number;
  updated_at: number;
};

const storedColumns = `id::text AS id, user_id, title, description, completed, priority::int AS priority, tags, version,
  list_id::text AS list_id, parent_id::text AS parent_id, position, to_char(due_date, 'YYYY-MM-DD') AS due_date,
  subtask_count, open_subtask_count, created_by, assignee_id,
  ${epochMs("completed_at")}, ${epochMs("due_at")}, ${epochMs("created_at")}, ${epochMs("updated_at")}`;

function toStored(r: RawRow): StoredTask {
  return {
    ...r,
    completed_at: isoOrNull(r.completed_at),
    due_at: isoOrNull(r.due_at),
    created_at: isoOrNull(r.created_at) as string,
    updated_at: isoOrNull(r.updated_at) as string,
  };
}

export async function storedTask(app: App, id: string): Promise<StoredTask | undefined> {
  const rows = await app.ctx.db.query<RawRow>(`SELECT ${storedColumns} FROM tasks WHERE id = $1::uuid`, [id]);
  return rows[0] && toStored(rows[0]);
}

export async function storedTasksOf(app: App, userId: string): Promise<StoredTask[]> {
  const rows = await app.ctx.db.query<RawRow>(`SELECT ${storedColumns} FROM tasks WHERE user_id = $1`, [userId]);
  return rows.map(toStored);
}

/** The whole row as PostgreSQL renders it: equal snapshots mean nothing about the row changed. */
export async function rowSnapshot(app: App, id: string): Promise<string | null> {
  const rows = await app.ctx.db.query<{ r: string }>("SELECT row_to_json(t)::text AS r FROM tasks t WHERE id = $1::uuid", [id]);
  return rows[0]?.r ?? null;
}

/** The id of `userId`'s Inbox (made with the account by a trigger, migration 0005). */
export async function inboxId(app: App, userId: string): Promise<string> {
  const rows = await app.ctx.db.query<{ id: string }>("SELECT id::text AS id FROM lists WHERE owner_id = $1 AND is_inbox", [userId]);
  assert.ok(rows[0], "every user has an Inbox");
  return rows[0].id;
}

export async function taskCount(app: App, userId: string): Promise<number> {
  const rows = await app.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE user_id = $1", [userId]);
  return rows[0]?.n ?? 0;
}

/** What the API should show for a stored row. */
export function expectedJson(row: StoredTask): TaskJson {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completed_at: row.completed_at,
    priority: (["none", "low", "medium", "high"] as const)[row.priority] as TaskJson["priority"],
    due_at: row.due_at,
    due_date: row.due_date,
    tags: row.tags,
    user_id: row.user_id,
    list_id: row.list_id,
    parent_id: row.parent_id,
    position: row.position,
    subtask_count: row.subtask_count,
    open_subtask_count: row.open_subtask_count,
    created_by: row.created_by,
    assignee_id: row.assignee_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The `rel="next"` target of a list response as a path to inject, or null when the header is absent. */
export function nextLink(res: Response): string | null {
  const header = res.headers.link;
  if (header === undefined) return null;
  const match = /^<([^>]+)>; rel="next"$/.exec(String(header));
  assert.ok(match, `unexpected Link header: ${String(header)}`);
  const url = new URL(match[1] as string);
  assert.equal(url.origin, "http://127.0.0.1:3000", "the Link is absolute, on the public URL");
  return `${url.pathname}${url.search}`;
}

/** A problem body without its per-request id, to compare two problems. */
export function problemShape(res: Response): Record<string, unknown> {
  const { request_id: _ignored, ...rest } = res.json() as Record<string, unknown>;
  return rest;
}
