import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api } from '../api/client';
import { messageOf } from '../api/problem';
import { initialListState, listReducer } from './listState';

/** Loads `path` and its following pages (via the Link header) into a list state. */
export function usePagedList<T extends { id: string }>(path: string | null) {
  const [state, dispatch] = useReducer(listReducer<T>, undefined, initialListState<T>);
  const [reloads, setReloads] = useState(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    if (!path) return;
    const ctrl = new AbortController();
    dispatch({ type: 'load', key: path });
    api.request<T[]>(path, { signal: ctrl.signal }).then(
      (res) => dispatch({ type: 'loaded', key: path, items: Array.isArray(res.data) ? res.data : [], next: res.next, append: false }),
      (err: unknown) => {
        if (!ctrl.signal.aborted) dispatch({ type: 'failed', key: path, error: messageOf(err) });
      },
    );
    return () => ctrl.abort();
  }, [path, reloads]);

  const loadMore = useCallback(() => {
    const { key, next, phase } = stateRef.current;
    if (!key || !next || phase !== 'ready') return;
    // Mark as loading synchronously so a second observer callback does not load the page twice.
    stateRef.current = { ...stateRef.current, phase: 'loadingMore' };
    dispatch({ type: 'loadMore', key });
    api.request<T[]>(next).then(
      (res) => dispatch({ type: 'loaded', key, items: Array.isArray(res.data) ? res.data : [], next: res.next, append: true }),
      (err: unknown) => dispatch({ type: 'failed', key, error: messageOf(err) }),
    );
  }, []);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  return { state, dispatch, loadMore, reload };
}
