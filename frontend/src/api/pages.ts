import type { InfiniteData } from "@tanstack/react-query";
import { type FetchResult, ok } from "./client";
import { nextCursor } from "./link";

/** One page of a list: its items, and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A list as the query cache holds it: the pages loaded so far, each fetched with the cursor beside it. */
export type Pages<T> = InfiniteData<Page<T>, string | null>;

/** A list call as a page, its next cursor read from the `Link: <…>; rel="next"` header. */
export async function page<T>(call: Promise<FetchResult<T[]>>): Promise<Page<T>> {
  const { data, response } = await ok(call);
  return { items: Array.isArray(data) ? data : [], next: nextCursor(response.headers.get("link")) };
}

/** Paging options shared by every list: the first page has no cursor, the next comes from the Link header. */
export const cursorPaging = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: Page<unknown>) => last.next,
};

/** Every item loaded so far, in order; an item that moved between pages while paging shows once. */
export function allItems<T extends { id: string }>(data: Pages<T>): T[] {
  const seen = new Set<string>();
  return data.pages.flatMap((p) => p.items.filter((item) => !seen.has(item.id) && seen.add(item.id)));
}

function mapPages<T>(data: Pages<T>, change: (items: T[], pageIndex: number) => T[]): Pages<T> {
  let changed = false;
  const pages = data.pages.map((p, i) => {
    const items = change(p.items, i);
    if (items === p.items) return p;
    changed = true;
    return { ...p, items };
  });
  return changed ? { ...data, pages } : data;
}

/** Puts `item` in place of the item with the same id (or of `replacing`), wherever it is loaded. */
export function replaceItem<T extends { id: string }>(data: Pages<T>, item: T, replacing = item.id): Pages<T> {
  return mapPages(data, (items) => (items.some((i) => i.id === replacing) ? items.map((i) => (i.id === replacing ? item : i)) : items));
}

/** Removes the item with this id. */
export function removeItem<T extends { id: string }>(data: Pages<T>, id: string): Pages<T> {
  return mapPages(data, (items) => (items.some((i) => i.id === id) ? items.filter((i) => i.id !== id) : items));
}

/** Where the item is in the whole list, or -1. */
export function indexOfItem<T extends { id: string }>(data: Pages<T>, id: string): number {
  return data.pages.flatMap((p) => p.items).findIndex((i) => i.id === id);
}

/** Inserts `item` at `index` of the whole list (at the end, at most); nothing if it is there already. */
export function insertItem<T extends { id: string }>(data: Pages<T>, item: T, index = 0): Pages<T> {
  if (indexOfItem(data, item.id) !== -1) return data;
  let target = 0;
  let at = Math.max(0, index);
  for (const p of data.pages.slice(0, -1)) {
    if (at < p.items.length) break;
    at -= p.items.length;
    target++;
  }
  return mapPages(data, (items, i) => (i === target ? [...items.slice(0, at), item, ...items.slice(at)] : items));
}
