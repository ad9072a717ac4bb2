import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { ApiError, messageOf } from "../api/problem";

export type Resource<T> = { phase: "loading" } | { phase: "ready"; data: T } | { phase: "error"; error: string; status: number };

/** Loads one JSON resource; `set` replaces it (e.g. with a PATCH response), `reload` fetches again. */
export function useResource<T>(path: string) {
  const [state, setState] = useState<Resource<T>>({ phase: "loading" });
  /** The request in flight, cancelled when another one starts or the component unmounts. */
  const inflight = useRef<AbortController | null>(null);

  const load = useCallback(() => {
    inflight.current?.abort();
    const ctrl = new AbortController();
    inflight.current = ctrl;
    setState((s) => (s.phase === "ready" ? s : { phase: "loading" }));
    api.get<T>(path, ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ phase: "ready", data });
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted) setState({ phase: "error", error: messageOf(err), status: err instanceof ApiError ? err.status : 0 });
      },
    );
  }, [path]);

  useEffect(() => {
    load();
    return () => inflight.current?.abort();
  }, [load]);

  const set = useCallback((data: T) => setState({ phase: "ready", data }), []);
  return { state, reload: load, set };
}
