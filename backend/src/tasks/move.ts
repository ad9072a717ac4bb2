import { generateNKeysBetween } from "fractional-indexing";
import { conflict, type FieldError, forbidden, notFound, preconditionFailed, validationFailed } from "../domain/errors.ts";
import type { ExpectedVersions } from "../domain/versions.ts";
import * as moves from "./move-queries.ts";
import { evenKeys, keyAtEnd, keyBetween } from "./order.ts";
import { MAX_DEPTH } from "./queries.ts";
import type { TaskMove } from "./schemas.ts";
import type { TaskContext, TaskResult } from "./service.ts";

/*
 * POST /api/tasks/{id}/move: a task, with its whole subtree, to another place
 * among its siblings, under another parent, or into another list.
 *
 * One transaction: the tree locks of the lists involved (move-queries.ts,
 * lockTrees), the moved row locked and read with the caller's access, the
 * destination checked (list, parent, cycle, depth), the neighbours' keys
 * read, then one UPDATE. A reorder writes the moved row alone; a move to
 * another list also rewrites its descendants' list_id (the same statement).
 * When the key between the neighbours would be too long the whole group is
 * rebalanced first (order.ts).
 */

/** Tries of a move that lost a race for a key (each retry follows another writer's commit). */
const MOVE_ATTEMPTS = 8;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same words for a missing id and for someone else's: nothing tells them apart. */
const unseen = (field: string, what: string): FieldError => ({ field, message: `names no ${what} of yours` });

/** before / after: not a sibling at the destination, whether it exists elsewhere, is someone else's or is no id at all. */
const notSibling = (field: string): FieldError => ({ field, message: "names no task of yours among the siblings at the destination" });

/** A lower-cased id, or (for anything that is not an id) `unknown` added to the errors: the words of a missing one. */
function idIn(raw: string | null | undefined, unknown: FieldError, errors: FieldError[]): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  if (!uuidPattern.test(raw)) {
    errors.push(unknown);
    return undefined;
  }
  return raw.toLowerCase();
}

/** The state moved under the transaction (a concurrent move of the same task to a list not locked): run it again. */
class StaleLocks extends Error {}

const retryable = (err: unknown) => {
  const code = (err as { code?: string })?.code;
  // 23505: another writer took the key; 40P01/40001: PostgreSQL chose this transaction to give way.
  return err instanceof StaleLocks || code === "23505" || code === "40P01" || code === "40001";
};

export async function moveTask(ctx: TaskContext, rawId: string, input: TaskMove, ifMatch: ExpectedVersions): Promise<TaskResult> {
  if (!uuidPattern.test(rawId)) throw notFound("No such task.");
  const id = rawId.toLowerCase();
  const errors: FieldError[] = [];
  const listId = idIn(input.list_id, unseen("list_id", "list"), errors) ?? null;
  const parentId = idIn(input.parent_id, unseen("parent_id", "task"), errors);
  const before = idIn(input.before, notSibling("before"), errors) ?? null;
  const after = idIn(input.after, notSibling("after"), errors) ?? null;
  if (parentId === id) errors.push({ field: "parent_id", message: "a task cannot be its own subtask" });
  if (before === id) errors.push({ field: "before", message: "is the task being moved" });
  if (after === id) errors.push({ field: "after", message: "is the task being moved" });
  if (errors.length > 0) throw validationFailed(errors);
  const request: MoveRequest = { id, listId, parentId: input.parent_id === null ? null : parentId, before, after };

  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction((tx) => attemptMove(tx, ctx.ownerId, request, ifMatch));
    } catch (err) {
      if (!retryable(err)) throw err;
      if (attempt >= MOVE_ATTEMPTS) throw conflict("The list changed too often while moving the task; try again.");
    }
  }
}

interface MoveRequest {
  id: string;
  listId: string | null;
  /** undefined: keep (or, in another list, the top level); null: the top level. */
  parentId: string | null | undefined;
  before: string | null;
  after: string | null;
}

type Tx = Parameters<Parameters<TaskContext["db"]["transaction"]>[0]>[0];

async function attemptMove(tx: Tx, actorId: string, r: MoveRequest, ifMatch: ExpectedVersions): Promise<TaskResult> {
  const locked = await moves.lockTrees(tx, actorId, r.id, r.listId, r.parentId ?? null);
  const source = await moves.selectMoveSource(tx, actorId, r.id);
  if (!source) throw notFound("No such task.");
  // The role decides before the version, as for every other write of a task (service.ts, explainMiss).
  if (source.role === "viewer") throw forbidden("Viewers cannot change tasks in this list.");
  if (ifMatch !== null && ifMatch !== "any" && !ifMatch.includes(source.version)) throw preconditionFailed();

  // The destination: a named list, else the named parent's list, else where the task is.
  let to: moves.Group;
  if (r.listId !== null || (r.parentId !== undefined && r.parentId !== null)) {
    const dest = await moves.selectMoveDestination(tx, actorId, r.id, r.listId, r.parentId ?? null);
    const errors: FieldError[] = [];
    if (r.listId !== null && dest.listRole === null) errors.push(unseen("list_id", "list"));
    let parent: string | null = null;
    if (r.parentId) {
      const p = dest.parent;
      if (p === null) errors.push(unseen("parent_id", "task"));
      else if (r.listId !== null && p.listId !== r.listId) errors.push({ field: "parent_id", message: "is not a task of that list" });
      else if (p.cycle) errors.push({ field: "parent_id", message: "is the task itself or one of its subtasks" });
      else if (p.depth + source.height > MAX_DEPTH) {
        errors.push({ field: "parent_id", message: `subtasks nest at most ${MAX_DEPTH} levels deep` });
      } else parent = r.parentId;
    }
    if (errors.length > 0) throw validationFailed(errors);
    const destListId = r.listId ?? (dest.parent as NonNullable<typeof dest.parent>).listId;
    const destRole = r.listId !== null ? dest.listRole : dest.parent?.role;
    if (destRole === "viewer") throw forbidden("Viewers cannot change tasks in that list.");
    to = { listId: destListId, parentId: r.parentId === undefined ? (destListId === source.listId ? source.parentId : null) : parent };
  } else {
    to = { listId: source.listId, parentId: r.parentId === null ? null : source.parentId };
  }
  // Another move of this task committed between the locks and the read: lock again.
  if (!locked.includes(source.listId) || !locked.includes(to.listId)) throw new StaleLocks();

  const anchor = { before: r.before, after: r.after };
  const bounds = await moves.selectBounds(tx, to, r.id, anchor);
  const errors: FieldError[] = [];
  if (!bounds.beforeFound) errors.push(notSibling("before"));
  if (!bounds.afterFound) errors.push(notSibling("after"));
  if (errors.length === 0 && !bounds.adjacent) {
    errors.push(
      { field: "before", message: "must be the sibling right after `after`" },
      { field: "after", message: "must be the sibling right before `before`" },
    );
  }
  if (errors.length > 0) throw validationFailed(errors);

  const key = bounds.upper === null ? keyAtEnd(bounds.lower) : keyBetween(bounds.lower, bounds.upper);
  const plan = key === null ? await rebalance(tx, to, r.id, anchor) : { position: key, regroup: { ids: [], positions: [] } };
  const write: moves.MoveWrite = { actorId, taskId: r.id, fromListId: source.listId, to, ...plan };
  const row = to.listId === source.listId ? await moves.moveWithinList(tx, write) : await moves.moveAcrossLists(tx, write);
  // The locks and the read above hold the row; only a lost write access (a membership removed meanwhile) gets here.
  if (!row) throw notFound("No such task.");
  return { json: row.j, version: row.version };
}

/**
 * Plans a rebalance of the destination group: even, short keys for all its
 * tasks with the moved task's place among them, written by the move's own
 * statement. The new keys are all below the group's smallest (the moved
 * task's current key included), so that statement never meets an old key;
 * only when the group's keys are not the scheme's are they cleared first.
 */
async function rebalance(
  tx: Tx,
  group: moves.Group,
  movedId: string,
  anchor: moves.Anchor,
): Promise<{ position: string; regroup: moves.MoveWrite["regroup"] }> {
  const { ids, smallest } = await moves.selectGroup(tx, group, movedId);
  const index = anchor.before !== null ? ids.indexOf(anchor.before) : anchor.after !== null ? ids.indexOf(anchor.after) + 1 : ids.length;
  let keys: string[];
  try {
    keys = generateNKeysBetween(null, smallest, ids.length + 1);
  } catch {
    await moves.clearGroupKeys(tx, group, movedId);
    keys = evenKeys(ids.length + 1);
  }
  return { position: keys[index] as string, regroup: { ids, positions: [...keys.slice(0, index), ...keys.slice(index + 1)] } };
}
