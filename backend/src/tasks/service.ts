import { uuidv7 } from "uuidv7";
import type { Clock } from "../clock.ts";
import type { Database, Queryable } from "../db/client.ts";
import { decodeCursor, encodeCursor } from "../domain/cursor.ts";
import {
  DomainError,
  type FieldError,
  forbidden,
  limitExceeded,
  notFound,
  preconditionFailed,
  unauthorized,
  validationFailed,
} from "../domain/errors.ts";
import { retryOnPositionCollision } from "../domain/positions.ts";
import type { ExpectedVersions } from "../domain/versions.ts";
import { countListCacheLookup } from "../ops/metrics.ts";
import { claimIdempotencyKey, type IdempotentReplay, recordIdempotentResponse } from "./idempotency.ts";
import type { ListPageCache, StoredPage } from "./list-cache.ts";
import * as queries from "./queries.ts";
import { type Priority, priorities, type SortKey, type TaskCreate, type TaskListQuery, type TaskUpdate } from "./schemas.ts";

/** What every task operation runs with: the database and who is asking. */
export interface TaskContext {
  db: Database;
  /** The caller: they see the tasks of the lists they are a member of, and act in them. */
  ownerId: string;
  listCache: ListPageCache;
  limits: queries.TaskLimits;
  /** The app's clock: views (today, upcoming, overdue) are computed at its time. */
  clock: Clock;
}

/** A task as JSON text (built by PostgreSQL) with its version. */
export interface TaskResult {
  json: string;
  version: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const result = (row: queries.TaskRow): TaskResult => ({ json: row.j, version: row.version });

/** A malformed id names no task: the same 404 as a task that does not exist (or is not yours). */
function taskId(raw: string): string {
  if (!uuidPattern.test(raw)) throw notFound("No such task.");
  return raw.toLowerCase();
}

function checkText(field: string, value: string, errors: FieldError[]): void {
  if (loneSurrogate.test(value)) errors.push({ field, message: "contains an unpaired UTF-16 surrogate" });
}

/** `field` is what the client called the list: `tags` in a body, `tag` in a query. */
function normalizeTags(field: string, tags: string[], errors: FieldError[]): string[] {
  const out: string[] = [];
  tags.forEach((raw, i) => {
    const tag = raw.trim().toLowerCase();
    checkText(`${field}[${i}]`, tag, errors);
    if (tag.length === 0) errors.push({ field: `${field}[${i}]`, message: "must not be blank" });
    else if (!out.includes(tag)) out.push(tag);
  });
  return out;
}

// PostgreSQL has no year 0, and the RFC 3339 timestamps we send back have four-digit years.
const earliestDate = Date.parse("0001-01-01T00:00:00Z");
const latestDate = Date.parse("9999-12-31T23:59:59Z");

/** A calendar day (format "date" already checked by the schema) PostgreSQL can store and we can send back. */
function checkDay(field: string, value: string, errors: FieldError[]): void {
  if (value < "0001-01-01") errors.push({ field, message: "must be within the years 0001 to 9999" });
}

function checkDate(field: string, value: string, errors: FieldError[]): void {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) errors.push({ field, message: "is not a valid date and time" });
  else if (ms < earliestDate || ms > latestDate) errors.push({ field, message: "must be within the years 0001 to 9999 (UTC)" });
}

const rank = (p: Priority) => priorities.indexOf(p);

/** Validates and normalizes what a client sent (beyond what the JSON schema can say). */
function toChanges(input: TaskUpdate): queries.TaskChanges {
  const errors: FieldError[] = [];
  const c: queries.TaskChanges = {};
  if (input.title !== undefined) {
    const title = input.title.trim();
    if (title.length === 0) errors.push({ field: "title", message: "must not be blank" });
    checkText("title", title, errors);
    c.title = title;
  }
  if (input.description !== undefined) {
    if (input.description !== null) checkText("description", input.description, errors);
    c.description = input.description;
  }
  if (input.priority !== undefined) c.priority = rank(input.priority);
  if (input.due_at !== undefined) {
    if (input.due_at !== null) checkDate("due_at", input.due_at, errors);
    c.dueAt = input.due_at;
  }
  if (input.due_date !== undefined) {
    if (input.due_date !== null) checkDay("due_date", input.due_date, errors);
    c.dueDate = input.due_date;
  }
  if (input.tags !== undefined) c.tags = normalizeTags("tags", input.tags, errors);
  if (input.completed !== undefined) c.completed = input.completed;
  if (input.assignee_id !== undefined) {
    if (input.assignee_id !== null) checkText("assignee_id", input.assignee_id, errors);
    c.assigneeId = input.assignee_id;
  }
  if (c.dueAt != null && c.dueDate != null) errors.push(...bothDueKinds);
  if (errors.length > 0) throw validationFailed(errors);
  return c;
}

const bothDueKinds: FieldError[] = [
  { field: "due_at", message: "a task has either due_at or due_date, not both (set the other to null)" },
  { field: "due_date", message: "a task has either due_at or due_date, not both (set the other to null)" },
];

/** The write would leave the task with both kinds of due date (tasks_due_one_kind_check). */
function isBothDueKinds(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === "23514" && (e.constraint === "tasks_due_one_kind_check" || Boolean(e.message?.includes("tasks_due_one_kind_check")));
}

/** An id in a body that names nothing the caller can see: a 422 naming the field, the same for missing and for someone else's. */
const unseen = (field: string, what: string) => validationFailed([{ field, message: `names no ${what} of yours` }]);

function optionalId(field: string, raw: string | undefined, what: string): string | null {
  if (raw === undefined) return null;
  if (!uuidPattern.test(raw)) throw unseen(field, what);
  return raw.toLowerCase();
}

function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === "23503";
}

export interface CreateOutcome extends TaskResult {
  id: string;
  replayed: boolean;
}

/**
 * Creates a task. With `idempotency`, the key is claimed in the same
 * transaction; `requestHash` identifies the body as the client sent it
 * (see `requestHash` in idempotency.ts).
 */
export async function createTask(
  ctx: TaskContext,
  input: TaskCreate,
  idempotency?: { key: string; requestHash: string },
): Promise<CreateOutcome> {
  const c = toChanges(input);
  const listId = optionalId("list_id", input.list_id, "list");
  const parentId = optionalId("parent_id", input.parent_id, "task");
  const insert = async (q: Queryable) => {
    const id = uuidv7();
    const task: queries.NewTask = {
      id,
      userId: ctx.ownerId,
      title: c.title as string,
      description: c.description ?? null,
      priority: c.priority ?? 0,
      dueAt: c.dueAt ?? null,
      dueDate: c.dueDate ?? null,
      tags: c.tags ?? [],
      completed: c.completed ?? false,
      listId,
      parentId,
      assigneeId: c.assigneeId ?? null,
    };
    const row = await queries.insertTask(q, task, ctx.limits);
    if (!row) throw await rejection(q, task, ctx.limits);
    return { id, ...result(row) };
  };

  try {
    // Another append that took the same key first: try again from the new last sibling.
    return await retryOnPositionCollision(async () => {
      if (idempotency === undefined) return { ...(await insert(ctx.db)), replayed: false };
      return await ctx.db.transaction(async (tx) => {
        const claim = await claimIdempotencyKey(tx, ctx.ownerId, idempotency.key, idempotency.requestHash);
        if (claim !== "claimed") return replay(claim);
        const created = await insert(tx);
        await recordIdempotentResponse(tx, ctx.ownerId, idempotency.key, created.id, created.json);
        return { ...created, replayed: false };
      });
    });
  } catch (err) {
    // The token outlived its user (deleted a moment ago): the task's or the key's foreign key fails.
    if (isForeignKeyViolation(err)) throw unauthorized("Your account no longer exists.");
    throw err;
  }
}

async function rejection(q: Queryable, task: queries.NewTask, limits: queries.TaskLimits): Promise<DomainError> {
  switch (await queries.explainRejectedInsert(q, task, limits)) {
    case "viewer":
      return viewerCannot();
    case "parent":
      return unseen("parent_id", "task");
    case "list":
      // No list given and no parent: the caller's Inbox is gone with the account.
      return task.listId === null ? unauthorized("Your account no longer exists.") : unseen("list_id", "list");
    case "parent_elsewhere":
      return validationFailed([{ field: "parent_id", message: "is not a task of that list" }]);
    case "depth":
      return validationFailed([{ field: "parent_id", message: `subtasks nest at most ${queries.MAX_DEPTH} levels deep` }]);
    case "list_full":
      return limitExceeded(`A list holds at most ${limits.tasksPerList} tasks.`, "list_id");
    case "parent_full":
      return limitExceeded(`A task has at most ${limits.subtasksPerTask} subtasks.`, "parent_id");
    case "assignee":
      return notAMember();
    default:
      // The state changed between the insert and this look (a concurrent delete, say): as if missing.
      return task.parentId !== null ? unseen("parent_id", "task") : unseen("list_id", "list");
  }
}

function replay(claim: IdempotentReplay): CreateOutcome {
  if (claim.requestHash === "mismatch") {
    throw new DomainError("validation_failed", "This Idempotency-Key was used with a different request body.", [
      { field: "Idempotency-Key", message: "was already used with a different body" },
    ]);
  }
  return { id: claim.taskId, json: claim.responseBody, version: 1, replayed: true };
}

export async function getTask(ctx: TaskContext, rawId: string): Promise<TaskResult> {
  const row = await queries.selectTask(ctx.db, ctx.ownerId, taskId(rawId));
  if (!row) throw notFound("No such task.");
  return result(row);
}

const viewerCannot = () => forbidden("Viewers cannot change tasks in this list.");

/** An assignee_id that is no member of the task's list (also said for one that names nobody). */
const notAMember = () => validationFailed([{ field: "assignee_id", message: "names no member of the task's list" }]);

/**
 * Why a write by id matched no row, read only on that path: 404 when the
 * caller is not a member of the task's list (exactly as for a missing task),
 * 403 for a viewer, 412 for an If-Match that no longer holds, 422 for an
 * assignee who is not a member of the list.
 */
async function explainMiss(ctx: TaskContext, id: string, ifMatch: ExpectedVersions, assigneeId: string | null = null): Promise<never> {
  const access = await queries.taskAccess(ctx.db, ctx.ownerId, id, assigneeId);
  if (!access) throw notFound("No such task.");
  if (access.role === "viewer") throw viewerCannot();
  if (ifMatch !== null && ifMatch !== "any" && !ifMatch.includes(access.version)) throw preconditionFailed();
  if (!access.assigneeMember) throw notAMember();
  // Changed between the write and this look (a concurrent write or delete).
  if (ifMatch !== null) throw preconditionFailed();
  throw notFound("No such task.");
}

const versionsFor = (ifMatch: ExpectedVersions) => (ifMatch === "any" ? null : ifMatch);

export async function updateTask(ctx: TaskContext, rawId: string, input: TaskUpdate, ifMatch: ExpectedVersions): Promise<TaskResult> {
  const id = taskId(rawId);
  const changes = toChanges(input);
  let row: queries.TaskRow | undefined;
  try {
    row = await queries.updateTask(ctx.db, ctx.ownerId, id, changes, versionsFor(ifMatch));
  } catch (err) {
    // The task keeps its other kind of date: a client switching kinds sets that one to null.
    if (isBothDueKinds(err)) throw validationFailed(bothDueKinds);
    throw err;
  }
  return row ? result(row) : explainMiss(ctx, id, ifMatch, changes.assigneeId ?? null);
}

export async function setCompletion(
  ctx: TaskContext,
  rawId: string,
  completed: boolean | null,
  ifMatch: ExpectedVersions,
): Promise<TaskResult> {
  const id = taskId(rawId);
  const row = await queries.setCompletion(ctx.db, ctx.ownerId, id, completed, versionsFor(ifMatch));
  return row ? result(row) : explainMiss(ctx, id, ifMatch);
}

export async function deleteTask(ctx: TaskContext, rawId: string, ifMatch: ExpectedVersions): Promise<void> {
  const id = taskId(rawId);
  if (!(await queries.deleteTask(ctx.db, ctx.ownerId, id, versionsFor(ifMatch)))) await explainMiss(ctx, id, ifMatch);
}

export interface TaskPage {
  /** A JSON array of tasks: text from the database, or bytes from the list cache. */
  body: string | Buffer;
  count: number;
  nextCursor: string | null;
}

const keyKinds: Record<SortKey, "timestamp" | "timestamp_or_infinity" | "int" | "text"> = {
  created_at: "timestamp",
  updated_at: "timestamp",
  due_at: "timestamp_or_infinity",
  priority: "int",
  title: "text",
  position: "text",
};

export async function listTasks(ctx: TaskContext, query: TaskListQuery): Promise<TaskPage> {
  const sortParam = query.sort ?? "-created_at";
  const descending = sortParam.startsWith("-");
  const sort = (descending ? sortParam.slice(1) : sortParam) as SortKey;
  const limit = query.limit ?? 50;
  const errors: FieldError[] = [];
  if (query.q !== undefined) checkText("q", query.q, errors);
  if (query.due_before !== undefined) checkDate("due_before", query.due_before, errors);
  if (query.due_after !== undefined) checkDate("due_after", query.due_after, errors);
  const tags = query.tag ? normalizeTags("tag", query.tag, errors) : undefined;
  // Positions order siblings: they compare only within one list (or one parent's children).
  if (sort === "position" && query.list_id === undefined && (query.parent_id === undefined || query.parent_id === "none")) {
    errors.push({ field: "sort", message: "position needs list_id or a parent_id task id" });
  }
  if (errors.length > 0) throw validationFailed(errors);
  // A list or parent that is malformed names nothing: the 404 of one that does not exist.
  if (query.list_id !== undefined && !uuidPattern.test(query.list_id)) throw notFound("No such list.");
  if (query.parent_id !== undefined && query.parent_id !== "none" && !uuidPattern.test(query.parent_id)) throw notFound("No such task.");

  const after = query.cursor ? decodeCursor(query.cursor, sortParam, keyKinds[sort]) : undefined;
  const filters: queries.ListFilters = {
    completed: query.status === "completed" ? true : query.status === "pending" ? false : undefined,
    priorities: query.priority ? [...new Set(query.priority.split(",") as Priority[])].map(rank) : undefined,
    tags,
    search: query.q,
    dueBefore: query.due_before,
    dueAfter: query.due_after,
    overdue: query.overdue,
    listId: query.list_id?.toLowerCase(),
    parentId: query.parent_id === "none" ? "none" : query.parent_id?.toLowerCase(),
    view: query.view,
    assignee:
      query.assignee === undefined ? undefined : query.assignee === "none" ? null : query.assignee === "me" ? ctx.ownerId : query.assignee,
  };
  const pageSpec: queries.ListPage = { sort, descending, limit, after: after ? { key: after.key, id: after.id } : undefined };
  const page = await cachedPage(ctx, filters, pageSpec);
  if (!page) throw filters.listId !== undefined ? notFound("No such list.") : notFound("No such task.");
  return {
    body: page.body,
    count: page.count,
    nextCursor: page.next ? encodeCursor({ sort: sortParam, key: page.next.k, id: page.next.id }) : null,
  };
}

/**
 * A page from the list cache when the version of its scope is unchanged
 * since it was stored, else from the database (and stored). A page of one
 * list (or of one task's subtasks) is validated on that list's own counter,
 * so writes elsewhere leave it cached; a page across lists on the owner's.
 * Pages whose content depends on the clock (`overdue`, `view`) always come
 * from the database. Undefined: the caller cannot see the list or parent.
 */
async function cachedPage(
  ctx: TaskContext,
  filters: queries.ListFilters,
  page: queries.ListPage,
): Promise<(Omit<StoredPage, "body"> & { body: string | Buffer }) | undefined> {
  const { listCache } = ctx;
  if (!listCache.enabled || filters.overdue !== undefined || filters.view !== undefined) {
    countListCacheLookup("bypass");
    const fresh = await queries.listTasks(ctx.db, ctx.ownerId, filters, page, ctx.clock());
    return fresh && { body: fresh.json, count: fresh.count, next: fresh.next };
  }
  // The key holds everything the page depends on besides the tasks; the parsed values, so that
  // equivalent spellings of a query share one entry.
  const key = `${ctx.ownerId}\n${JSON.stringify([filters, page])}`;
  const stored = listCache.peek(key);
  if (stored) {
    const current = await queries.scopeVersion(ctx.db, ctx.ownerId, queries.scopeOf(filters));
    if (current === undefined) return undefined;
    if (stored.version === current) {
      countListCacheLookup("hit");
      return stored.page;
    }
  }
  countListCacheLookup(stored ? "stale" : "miss");
  const fresh = await queries.listTasks(ctx.db, ctx.ownerId, filters, page, ctx.clock());
  if (!fresh) return undefined;
  const fetched = { body: Buffer.from(fresh.json), count: fresh.count, next: fresh.next };
  listCache.store(key, fresh.version, fetched);
  return fetched;
}
