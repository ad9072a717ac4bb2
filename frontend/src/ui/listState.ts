/** State of a server-paged list, keyed by the query (path) it was loaded for. */
export interface ListState<T> {
  /** The query the items belong to; responses for another key are stale and ignored. */
  key: string | null;
  items: T[];
  /** Path of the next page, or null at the end. */
  next: string | null;
  phase: "idle" | "loading" | "loadingMore" | "ready" | "error";
  error: string | null;
}

export type ListAction<T> =
  | { type: "load"; key: string }
  | { type: "loadMore"; key: string }
  | { type: "loaded"; key: string; items: T[]; next: string | null; append: boolean }
  | { type: "failed"; key: string; error: string }
  /** Replaces the item with the same id, or inserts it at the start. */
  | { type: "upsert"; item: T }
  | { type: "remove"; id: string }
  /** Puts an item back where it was (rollback of a removal). */
  | { type: "insertAt"; item: T; index: number };

export function initialListState<T>(): ListState<T> {
  return { key: null, items: [], next: null, phase: "idle", error: null };
}

export function listReducer<T extends { id: string }>(state: ListState<T>, action: ListAction<T>): ListState<T> {
  switch (action.type) {
    case "load":
      // Keep the previous items on screen while the new query loads (no flicker while typing).
      return { ...state, key: action.key, phase: "loading", error: null, next: action.key === state.key ? state.next : null };
    case "loadMore":
      if (action.key !== state.key || !state.next || state.phase !== "ready") return state;
      return { ...state, phase: "loadingMore", error: null };
    case "loaded": {
      if (action.key !== state.key) return state;
      let items = action.items;
      if (action.append) {
        const seen = new Set(state.items.map((i) => i.id));
        items = [...state.items, ...action.items.filter((i) => !seen.has(i.id))];
      }
      return { ...state, items, next: action.next, phase: "ready", error: null };
    }
    case "failed":
      if (action.key !== state.key) return state;
      // A failed first page empties the list; a failed "load more" keeps what is shown.
      return state.phase === "loadingMore"
        ? { ...state, phase: "ready", error: action.error }
        : { ...state, items: [], next: null, phase: "error", error: action.error };
    case "upsert": {
      const index = state.items.findIndex((i) => i.id === action.item.id);
      if (index === -1) return { ...state, items: [action.item, ...state.items] };
      const items = state.items.slice();
      items[index] = action.item;
      return { ...state, items };
    }
    case "remove":
      if (!state.items.some((i) => i.id === action.id)) return state;
      return { ...state, items: state.items.filter((i) => i.id !== action.id) };
    case "insertAt": {
      if (state.items.some((i) => i.id === action.item.id)) return state;
      const items = state.items.slice();
      items.splice(Math.max(0, Math.min(action.index, items.length)), 0, action.item);
      return { ...state, items };
    }
  }
}
