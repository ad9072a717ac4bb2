import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api/problem";
import { meQuery } from "./auth/me";

/** Network failures and server errors may pass; anything the server refused on purpose will not. */
function transient(failureCount: number, error: unknown): boolean {
  return failureCount < 1 && error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/**
 * The app's query cache. A 403 from any call means the role changed under the page (an admin
 * was demoted, or a list's owner made the caller a viewer): re-reading `/api/me` and the lists
 * removes the screens and controls it no longer allows.
 */
export function createQueryClient(): QueryClient {
  const forbidden = (error: unknown) => {
    if (!(error instanceof ApiError) || error.status !== 403) return;
    void client.invalidateQueries({ queryKey: meQuery.queryKey });
    // The lists and their headers only (not e.g. a list's invitations, whose own 403 would come back).
    void client.invalidateQueries({ queryKey: ["lists", "index"] });
    void client.invalidateQueries({ queryKey: ["lists", "detail"] });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: forbidden }),
    mutationCache: new MutationCache({ onError: forbidden }),
    defaultOptions: {
      queries: { retry: transient },
      mutations: { retry: false },
    },
  });
  return client;
}
