import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import { ApiError, messageOf } from '../api/problem';

export type Resource<T> =
  | { phase: 'loading' }
  | { phase: 'ready'; data: T }
  | { phase: 'error'; error: string; status: number };

/** Loads one JSON resource; `set` replaces it (e.g. with a PATCH response), `reload` fetches again. */
export function useResource<T>(path: string) {
  const [state, setState] = useState<Resource<T>>({ phase: 'loading' });
  const [n, setN] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => (s.phase === 'ready' ? s : { phase: 'loading' }));
    api.get<T>(path, ctrl.signal).then(
      (data) => setState({ phase: 'ready', data }),
      (err: unknown) => {
        if (!ctrl.signal.aborted) setState({ phase: 'error', error: messageOf(err), status: err instanceof ApiError ? err.status : 0 });
      },
    );
    return () => ctrl.abort();
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  const set = useCallback((data: T) => setState({ phase: 'ready', data }), []);
  return { state, reload, set };
}
