import { useCallback, useEffect, useReducer, useRef } from "react";
import { api } from "../api/client";
import { messageOf } from "../api/problem";
import { initialListState, listReducer } from "./listState";

/** Loads `path` and its following pages (via the Link header) into a list state. */
export function usePagedList<T extends { id: string }>(path: string | null) {
  const [state, dispatch] = useReducer(listReducer<T>, undefined, initialListState<T>);
  const stateRef = useRef(state);
  stateRef.current = state;
  /** The first-page request in flight, cancelled when another one starts or the component unmounts. */
  const inflight = useRef<AbortController | null>(null);

  /** (Re)loads the first page of `path`. */
  const reload = useCallback(() => {
    inflight.current?.abort();
    if (!path) return;
    const ctrl = new AbortController();
    inflight.current = ctrl;
    dispatch({ type: "load", key: path });
    api.request<T[]>(path, { signal: ctrl.signal }).then(
      (res) => {
        if (ctrl.signal.aborted) return;
        dispatch({ type: "loaded", key: path, items: Array.isArray(res.data) ? res.data : [], next: res.next, append: false });
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted) dispatch({ type: "failed", key: path, error: messageOf(err) });
      },
    );
  }, [path]);

  useEffect(() => {
    reload();
    return () => inflight.current?.abort();
  }, [reload]);

  const loadMore = useCallback(() => {
    const { key, next, phase } = stateRef.current;
    if (!key || !next || phase !== "ready") return;
    // Mark as loading synchronously so a second observer callback does not load the page twice.
    stateRef.current = { ...stateRef.current, phase: "loadingMore" };
    dispatch({ type: "loadMore", key });
    api.request<T[]>(next).then(
      (res) => dispatch({ type: "loaded", key, items: Array.isArray(res.data) ? res.data : [], next: res.next, append: true }),
      (err: unknown) => dispatch({ type: "failed", key, error: messageOf(err) }),
    );
  }, []);

  return { state, dispatch, loadMore, reload };
}
