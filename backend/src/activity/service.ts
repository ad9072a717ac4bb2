import type { Database } from "../db/client.ts";
import { decodeCursor, encodeCursor } from "../domain/cursor.ts";
import { notFound, validationFailed } from "../domain/errors.ts";
import * as queries from "./queries.ts";
import type { ActivityQuery } from "./schemas.ts";

export interface ActivityContext {
  db: Database;
  /** The caller: any member of the list reads its activity. */
  userId: string;
}

export interface ActivityPage {
  /** A JSON array of entries, newest first. */
  body: string;
  count: number;
  nextCursor: string | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Up to 18 digits: always within bigint, so a tampered cursor is a 422, never an overflow. */
const entryId = /^[1-9][0-9]{0,17}$/;
const cursorSort = "activity";

export async function listActivity(ctx: ActivityContext, rawListId: string, query: ActivityQuery): Promise<ActivityPage> {
  if (!uuidPattern.test(rawListId)) throw notFound("No such list.");
  const limit = query.limit ?? 50;
  let before: string | null = null;
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, cursorSort, "text", entryId);
    if (cursor.key !== cursor.id)
      throw validationFailed([{ field: "cursor", message: "is not a cursor from this list; start again without it" }]);
    before = cursor.id;
  }
  const page = await queries.selectActivity(ctx.db, ctx.userId, rawListId.toLowerCase(), limit, before);
  if (!page.visible) throw notFound("No such list.");
  return {
    body: page.json,
    count: page.count,
    nextCursor: page.next ? encodeCursor({ sort: cursorSort, key: page.next, id: page.next }) : null,
  };
}
