import { uuidv7 } from "uuidv7";
import type { Database } from "../db/client.ts";
import { conflict, forbidden, limitExceeded, notFound, preconditionFailed, unauthorized, validationFailed } from "../domain/errors.ts";
import { keyBetween, retryOnPositionCollision } from "../domain/positions.ts";
import type { ExpectedVersions } from "../domain/versions.ts";
import * as queries from "./queries.ts";
import type { ListCreate, ListMove, ListsQuery, ListUpdate } from "./schemas.ts";

/** What every list operation runs with. */
export interface ListContext {
  db: Database;
  /** The caller: lists are theirs, or shared with them (issue 14). */
  userId: string;
  limits: { listsPerUser: number };
}

/** A list as JSON text (built by PostgreSQL) with its version (the ETag). */
export interface ListResult {
  json: string;
  version: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const missing = () => notFound("No such list.");

/** A malformed id names no list: the same 404 as one that does not exist (or is not yours). */
export function listId(raw: string): string {
  if (!uuidPattern.test(raw)) throw missing();
  return raw.toLowerCase();
}

const result = (row: queries.ListRow): ListResult => ({ json: row.j, version: row.version });
const versionsFor = (ifMatch: ExpectedVersions) => (ifMatch === "any" ? null : ifMatch);

function toChanges(input: ListUpdate): queries.ListChanges {
  const c: queries.ListChanges = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (name.length === 0) throw validationFailed([{ field: "name", message: "must not be blank" }]);
    if (loneSurrogate.test(name)) throw validationFailed([{ field: "name", message: "contains an unpaired UTF-16 surrogate" }]);
    c.name = name;
  }
  if (input.color !== undefined) c.color = input.color === null ? null : input.color.toLowerCase();
  if (input.archived !== undefined) c.archived = input.archived;
  return c;
}

export async function listLists(ctx: ListContext, query: ListsQuery): Promise<string> {
  const archived = query.archived === "all" ? null : query.archived === "true";
  return queries.selectLists(ctx.db, ctx.userId, archived);
}

export async function getList(ctx: ListContext, rawId: string): Promise<ListResult> {
  const row = await queries.selectList(ctx.db, ctx.userId, listId(rawId));
  if (!row) throw missing();
  return result(row);
}

export async function createList(ctx: ListContext, input: ListCreate): Promise<ListResult & { id: string }> {
  const c = toChanges(input);
  const id = uuidv7();
  try {
    const row = await retryOnPositionCollision(() =>
      queries.insertList(ctx.db, { id, ownerId: ctx.userId, name: c.name as string, color: c.color ?? null }, ctx.limits.listsPerUser),
    );
    if (!row) throw limitExceeded(`You can have at most ${ctx.limits.listsPerUser} lists.`);
    return { id, ...result(row) };
  } catch (err) {
    // The token outlived its user (deleted a moment ago).
    if ((err as { code?: string })?.code === "23503") throw unauthorized("Your account no longer exists.");
    throw err;
  }
}

/** After a conditional write matched nothing: which rule refused it. */
async function refusal(ctx: ListContext, id: string, ifMatch: ExpectedVersions, inboxRule: string | null): Promise<never> {
  const standing = await queries.listStanding(ctx.db, ctx.userId, id);
  if (!standing) throw missing();
  if (inboxRule !== null && standing.isInbox) throw conflict(inboxRule);
  // Editors and viewers see the list (so a refusal tells them nothing new) but only its owner changes it.
  if (standing.role !== "owner") throw forbidden("Only the list's owner can change or delete it.");
  if (ifMatch !== null) throw preconditionFailed();
  throw missing();
}

export async function updateList(ctx: ListContext, rawId: string, input: ListUpdate, ifMatch: ExpectedVersions): Promise<ListResult> {
  const id = listId(rawId);
  const changes = toChanges(input);
  const row = await queries.updateList(ctx.db, ctx.userId, id, changes, versionsFor(ifMatch));
  if (row) return result(row);
  return refusal(ctx, id, ifMatch, changes.archived ? "The Inbox cannot be archived." : null);
}

export async function deleteList(ctx: ListContext, rawId: string, ifMatch: ExpectedVersions): Promise<void> {
  const id = listId(rawId);
  if (await queries.deleteList(ctx.db, ctx.userId, id, versionsFor(ifMatch))) return;
  await refusal(ctx, id, ifMatch, "The Inbox cannot be deleted.");
}

/**
 * Moves a list next to another of the caller's lists: a key between the two
 * neighbours, written to the caller's membership row only. A concurrent move
 * that took the same key makes this one read its neighbours again.
 */
export async function moveList(ctx: ListContext, rawId: string, input: ListMove): Promise<ListResult> {
  const id = listId(rawId);
  const given = (["before", "after"] as const).filter((side) => input[side] !== undefined);
  if (given.length !== 1) {
    throw validationFailed([{ field: given.length === 0 ? "before" : "after", message: "give exactly one of before and after" }]);
  }
  const side = given[0] as "before" | "after";
  const raw = input[side] as string;
  const anchor = uuidPattern.test(raw) ? raw.toLowerCase() : null;
  const row = await retryOnPositionCollision(async () => {
    const neighbours = anchor === null || anchor === id ? undefined : await queries.moveNeighbours(ctx.db, ctx.userId, id, anchor, side);
    if (!neighbours) {
      // The moved list decides first (404 when it is not the caller's), then the anchor (422).
      if (!(await queries.isMember(ctx.db, ctx.userId, id))) throw missing();
      if (anchor === id) throw validationFailed([{ field: side, message: "must be another list than the one moved" }]);
      throw validationFailed([{ field: side, message: "names no list of yours" }]);
    }
    return queries.setListPosition(ctx.db, ctx.userId, id, keyBetween(neighbours.before, neighbours.after));
  });
  if (!row) throw missing();
  return result(row);
}
