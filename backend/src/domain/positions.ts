import { generateKeyBetween } from "fractional-indexing";

/*
 * Manual order (tasks among their siblings, lists in a member's order) is a
 * fractional-indexing key (base 62, "0-9A-Za-z"; compared byte-wise: the
 * columns are COLLATE "C"). A key between two neighbours never moves either
 * of them, so a reorder writes one row. Two writers that computed the same
 * key at once collide on a unique index (23505) and the loser recomputes
 * from fresh neighbours: `retryOnPositionCollision`.
 *
 * The database computes the append key itself (fi_key_after, migration 0005,
 * identical to keyAfter here) so that "add at the end" stays one statement.
 */

/** The first key of an empty sequence. */
export const FIRST_KEY = generateKeyBetween(null, null);

/** A key after `last` (or the first key when there is nothing yet): `generateKeyBetween(last, null)`. */
export const keyAfter = (last: string | null): string => generateKeyBetween(last, null);

/** A key before `first` (or the first key). */
export const keyBefore = (first: string | null): string => generateKeyBetween(null, first);

/** A key strictly between two neighbours (either may be null: the start or the end). */
export const keyBetween = (before: string | null, after: string | null): string => generateKeyBetween(before, after);

/** The unique indexes that keep two siblings (tasks) or two lists of one member apart. */
export const positionConstraints = new Set(["tasks_sibling_position_key", "list_members_user_position_idx"]);

/** A unique violation on one of the position indexes: another writer took the key first. */
export function isPositionCollision(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== "23505") return false;
  if (e.constraint !== undefined) return positionConstraints.has(e.constraint);
  return [...positionConstraints].some((name) => e.message?.includes(name));
}

/** How often a write retries with fresh neighbours before giving up (each retry follows a commit by another writer). */
export const POSITION_RETRIES = 8;

/** A write the database refused because another one changed what it read (40001): trying again succeeds. */
export function isSerializationFailure(err: unknown): boolean {
  return (err as { code?: string })?.code === "40001";
}

/**
 * Runs `write` again while it loses a position race, or while a concurrent move
 * changed what it read (a subtask's parent: task_append_position, migration
 * 0005); the last failure is rethrown.
 */
export async function retryOnPositionCollision<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!(isPositionCollision(err) || isSerializationFailure(err)) || attempt >= POSITION_RETRIES) throw err;
    }
  }
}
