import { generateKeyBetween, generateNKeysBetween } from "fractional-indexing";

/*
 * The manual order of sibling tasks: each task's `position` is a
 * fractional-indexing key (base-62 digits "0-9A-Za-z" after a length head,
 * "a0", "a1", "a0V", …), compared byte by byte (the column is COLLATE "C",
 * where those digits sort as they do here). A key between two neighbours
 * always exists, so placing a task writes that task alone, however many
 * siblings it has.
 *
 * Keys grow when tasks keep landing in the same gap: about one character per
 * six placements there (measured: 289 placements between "a0" and "a1" before
 * a key passes 50 characters). Appending at the end grows only the integer
 * part: 100,000 appends end at "cOzu". Past MAX_KEY_LENGTH the sibling group
 * is rebalanced: every sibling gets an even, short key in one transaction
 * (tasks/move.ts). That is the only write of more than the moved row, and it
 * is rare.
 */

/** Keys longer than this are not stored: the group is rebalanced instead. */
export const MAX_KEY_LENGTH = 50;

/**
 * The key for a task between `lower` and `upper` (null: the start or the end
 * of the group), or null when the group needs rebalancing first: the key would
 * be longer than MAX_KEY_LENGTH, or the neighbours' keys are not keys this
 * scheme makes (written by hand in SQL, say), or they are out of order.
 */
export function keyBetween(lower: string | null, upper: string | null): string | null {
  if (lower !== null && upper !== null && !(lower < upper)) return null;
  try {
    const key = generateKeyBetween(lower, upper);
    return key.length <= MAX_KEY_LENGTH ? key : null;
  } catch {
    return null;
  }
}

/**
 * The key for a task placed after the last of its siblings (`last`; null in
 * an empty group). Not the integer successor a create takes (fi_key_after,
 * migration 0005) but a key just past it: a create that appends at the same
 * moment (it cannot see the move yet, nor the move it) then never computes the
 * same key, so the two never collide on the unique index (and never wait for
 * each other's list lock). Repeated end placements stay three characters
 * long ("a6V", "a7V", …).
 */
export function keyAtEnd(last: string | null): string | null {
  const next = keyBetween(last, null);
  return next === null ? null : keyBetween(next, keyBetween(next, null));
}

/** `n` short keys in ascending order ("a0", "a1", …): a rebalanced group's. */
export function evenKeys(n: number): string[] {
  return generateNKeysBetween(null, null, n);
}

export interface RebalancePlan {
  /** Every task of the group, in its new order. */
  ids: string[];
  /** Their new keys, ascending (positions[i] is ids[i]'s). */
  positions: string[];
}

/**
 * The new keys of a whole sibling group: `siblings` (the group's other tasks,
 * in their current order) with `movedId` placed at `index` (0: first;
 * siblings.length: last).
 */
export function rebalancePlan(siblings: readonly string[], movedId: string, index: number): RebalancePlan {
  if (!Number.isInteger(index) || index < 0 || index > siblings.length)
    throw new RangeError(`index ${index} is outside 0…${siblings.length}`);
  const ids = [...siblings.slice(0, index), movedId, ...siblings.slice(index)];
  return { ids, positions: evenKeys(ids.length) };
}
