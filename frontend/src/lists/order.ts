import type { Pages } from "../api/pages";

/** Where a moved item goes, as the move routes take it: before its new next sibling, or after its new previous one. */
export type Anchor = { before: string } | { after: string };

/** `ids` with `id` moved to index `to` (of the list without it, clamped). */
export function moveId(ids: readonly string[], id: string, to: number): string[] {
  const rest = ids.filter((x) => x !== id);
  if (rest.length === ids.length) return [...ids];
  const at = Math.max(0, Math.min(to, rest.length));
  return [...rest.slice(0, at), id, ...rest.slice(at)];
}

/**
 * The anchor that puts `id` where it is in `order`: before the item after it, or (last) after the
 * item before it. Null when it is alone. Naming a neighbour rather than an index keeps a move right
 * when the list has more pages than are loaded, or changed on the server meanwhile.
 */
export function anchorFor(order: readonly string[], id: string): Anchor | null {
  const i = order.indexOf(id);
  if (i === -1) return null;
  const next = order[i + 1];
  if (next !== undefined) return { before: next };
  const prev = order[i - 1];
  return prev !== undefined ? { after: prev } : null;
}

/** The index `id` would move to with the keyboard's "up" (-1) or "down" (+1), or null at an end. */
export function stepTarget(ids: readonly string[], id: string, step: -1 | 1): number | null {
  const i = ids.indexOf(id);
  const to = i + step;
  return i === -1 || to < 0 || to >= ids.length ? null : to;
}

/**
 * A paged list with one item moved to `to` (an index of the whole loaded list): the pages keep
 * their lengths, so the next page still follows the last loaded one.
 */
export function moveInPages<T extends { id: string }>(data: Pages<T>, id: string, to: number): Pages<T> {
  const all = data.pages.flatMap((p) => p.items);
  const item = all.find((x) => x.id === id);
  if (!item) return data;
  const order = moveId(
    all.map((x) => x.id),
    id,
    to,
  );
  const byId = new Map(all.map((x) => [x.id, x]));
  const moved = order.map((x) => byId.get(x) as T);
  let offset = 0;
  const pages = data.pages.map((p) => {
    const items = moved.slice(offset, offset + p.items.length);
    offset += p.items.length;
    return { ...p, items };
  });
  return { ...data, pages };
}

/** Plain arrays (the lists of the sidebar are one array): `items` with `id` moved to `to`. */
export function moveInArray<T extends { id: string }>(items: readonly T[], id: string, to: number): T[] {
  const byId = new Map(items.map((x) => [x.id, x]));
  return moveId(
    items.map((x) => x.id),
    id,
    to,
  ).map((x) => byId.get(x) as T);
}
