import { uuidv7 } from "uuidv7";
import type { Database } from "../db/client.ts";
import { decodeCursor, encodeCursor } from "../domain/cursor.ts";
import { forbidden, notFound, preconditionFailed, unauthorized, validationFailed } from "../domain/errors.ts";
import type { ExpectedVersions } from "../domain/versions.ts";
import * as queries from "./queries.ts";
import type { CommentListQuery } from "./schemas.ts";

/** What every comment operation runs with. */
export interface CommentContext {
  db: Database;
  /** The caller: a member (any role) of the task's list reads and comments. */
  userId: string;
}

/** A comment as JSON text (built by PostgreSQL) with its version (the ETag). */
export interface CommentResult {
  json: string;
  version: number;
}

export interface CommentPage {
  /** A JSON array of comments, oldest first. */
  body: string;
  count: number;
  nextCursor: string | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const missingTask = () => notFound("No such task.");
const missingComment = () => notFound("No such comment.");
/** Names the cursors of this listing, so that a cursor of another one (tasks, activity) is refused. */
const cursorSort = "comments";

/** A malformed id names nothing: the same 404 as one that does not exist (or that the caller cannot see). */
function idOf(raw: string, missing: () => Error): string {
  if (!uuidPattern.test(raw)) throw missing();
  return raw.toLowerCase();
}

/** The body is stored as given; it must still say something. */
function checkBody(body: string): string {
  if (body.trim().length === 0) throw validationFailed([{ field: "body", message: "must not be blank" }]);
  if (loneSurrogate.test(body)) throw validationFailed([{ field: "body", message: "contains an unpaired UTF-16 surrogate" }]);
  return body;
}

const result = (row: queries.CommentRow): CommentResult => ({ json: row.j, version: row.version });
const versionsFor = (ifMatch: ExpectedVersions) => (ifMatch === "any" ? null : ifMatch);

export async function listComments(ctx: CommentContext, rawTaskId: string, query: CommentListQuery): Promise<CommentPage> {
  const taskId = idOf(rawTaskId, missingTask);
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor, cursorSort, "timestamp") : null;
  const page = await queries.selectComments(ctx.db, ctx.userId, taskId, limit, after && { key: String(after.key), id: after.id });
  if (!page.visible) throw missingTask();
  return {
    body: page.json,
    count: page.count,
    nextCursor: page.next ? encodeCursor({ sort: cursorSort, key: page.next.k, id: page.next.id }) : null,
  };
}

export async function createComment(ctx: CommentContext, rawTaskId: string, body: string): Promise<CommentResult & { id: string }> {
  const taskId = idOf(rawTaskId, missingTask);
  const id = uuidv7();
  try {
    const row = await queries.insertComment(ctx.db, ctx.userId, taskId, { id, body: checkBody(body) });
    if (!row) throw missingTask();
    return { id, ...result(row) };
  } catch (err) {
    // The token outlived its user (deleted a moment ago).
    if ((err as { code?: string })?.code === "23503") throw unauthorized("Your account no longer exists.");
    throw err;
  }
}

/** After a conditional write matched nothing: which rule refused it. */
async function refusal(ctx: CommentContext, id: string, ifMatch: ExpectedVersions): Promise<never> {
  const standing = await queries.commentStanding(ctx.db, ctx.userId, id);
  if (!standing) throw missingComment();
  if (standing.authorId !== ctx.userId) throw forbidden("Only its author can change or delete a comment.");
  if (ifMatch !== null) throw preconditionFailed();
  throw missingComment();
}

export async function updateComment(ctx: CommentContext, rawId: string, body: string, ifMatch: ExpectedVersions): Promise<CommentResult> {
  const id = idOf(rawId, missingComment);
  const row = await queries.updateComment(ctx.db, ctx.userId, id, checkBody(body), versionsFor(ifMatch));
  if (row) return result(row);
  return refusal(ctx, id, ifMatch);
}

export async function deleteComment(ctx: CommentContext, rawId: string, ifMatch: ExpectedVersions): Promise<void> {
  const id = idOf(rawId, missingComment);
  if (await queries.deleteComment(ctx.db, ctx.userId, id, versionsFor(ifMatch))) return;
  await refusal(ctx, id, ifMatch);
}
