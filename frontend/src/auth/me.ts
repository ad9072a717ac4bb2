import { queryOptions } from "@tanstack/react-query";
import { api, ok } from "../api/client";

/**
 * How often an open, visible page re-reads `GET /api/me`, so that a ban, a deletion or a change of
 * role shows within a minute even on a page nobody touches. Any API call notices a revocation at
 * once (a 401 signs the page out; a 403 re-reads the role), and so does coming back to the tab.
 */
export const ACCESS_CHECK_MS = 60_000;

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async ({ signal }) => (await ok(api.client.GET("/api/me", { signal }))).data,
  refetchInterval: ACCESS_CHECK_MS,
  refetchOnWindowFocus: true,
  // The role decides which screens exist: never serve it from a cache older than this render.
  staleTime: 0,
});
