import { LRUCache } from "lru-cache";
import type { ListedPage } from "./queries.ts";

/*
 * Task-list pages kept in memory, each with the owner's list version it was
 * read at (task_list_versions, raised by triggers in the same transaction as
 * every write to the owner's tasks: migration 0002). A request serves a stored
 * page only after reading the current version from the database and finding
 * it unchanged, so a page is never staler than a fresh query would be, across
 * any number of processes and instances; there is nothing to invalidate and
 * nothing to broadcast.
 *
 * What it saves: a 100-task page costs about 1.3 ms of CPU to build (PostgreSQL
 * and Node together) and a version check about 0.15 ms (docs/PERFORMANCE.md).
 * It pays off for owners who read their list more often than they change it;
 * pages that depend on the clock (`overdue`) are never stored.
 */

/**
 * A page as stored: the body already encoded. Sending a Buffer writes it as it
 * is; a string would be flattened and encoded again for every response (a
 * 35 KB allocation per 100-task page), and Buffers live outside the V8 heap,
 * so stored pages add nothing to what the garbage collector marks.
 */
export interface StoredPage {
  body: Buffer;
  count: number;
  next: ListedPage["next"];
}

interface Entry {
  version: string;
  page: StoredPage;
}

export class ListPageCache {
  private readonly lru: LRUCache<string, Entry> | null;

  constructor(maxBytes: number) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, Entry>({
            maxSize: maxBytes,
            // The body's bytes, the key (a UTF-16 string) and bookkeeping.
            sizeCalculation: (entry, key) => entry.page.body.length + 2 * key.length + 256,
          })
        : null;
  }

  get enabled(): boolean {
    return this.lru !== null;
  }

  /** The page stored under `key` and the version it was read at, if any. */
  peek(key: string): Entry | undefined {
    return this.lru?.get(key);
  }

  store(key: string, version: string, page: StoredPage): void {
    this.lru?.set(key, { version, page });
  }

  /** Bytes held (by the size estimate above). */
  get size(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}
