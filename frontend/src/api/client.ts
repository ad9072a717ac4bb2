import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./openapi";
import { ApiError, problemError } from "./problem";
import { AuthLostError, sessionTokenSource, TokenManager } from "./token";

export type AuthLostListener = (message: string) => void;

export interface Api {
  /** The typed client: every route, parameter and body of the server's OpenAPI document. */
  client: Client<paths>;
  tokens: TokenManager;
  onAuthLost(listener: AuthLostListener): () => void;
}

export const REVOKED_MESSAGE = "Your access was revoked or your session has ended. Please sign in again.";

/**
 * The API client: adds the bearer token, re-fetches the token once on a 401
 * and retries once; when that fails too, tells the listeners the user is signed out.
 */
export function createApi(fetchFn: typeof fetch = (...a) => fetch(...a), tokens = new TokenManager(sessionTokenSource(fetchFn))): Api {
  const listeners = new Set<AuthLostListener>();

  function authLost(message: string): never {
    tokens.clear();
    for (const l of listeners) l(message);
    throw new AuthLostError(message);
  }

  async function getToken(force: boolean): Promise<string> {
    try {
      return await tokens.get(force);
    } catch (err) {
      if (err instanceof AuthLostError) authLost(REVOKED_MESSAGE);
      throw new ApiError(0, { detail: err instanceof Error ? err.message : undefined });
    }
  }

  async function send(request: Request, token: string): Promise<Response> {
    request.headers.set("authorization", `Bearer ${token}`);
    try {
      return await fetchFn(request);
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new ApiError(0);
    }
  }

  /** The fetch the typed client calls. */
  async function authorizedFetch(request: Request): Promise<Response> {
    const again = request.clone();
    const res = await send(request, await getToken(false));
    if (res.status !== 401) return res;
    const retried = await send(again, await getToken(true));
    if (retried.status === 401) authLost(REVOKED_MESSAGE);
    return retried;
  }

  const client = createClient<paths>({
    baseUrl: typeof location === "undefined" ? "http://localhost" : location.origin,
    fetch: authorizedFetch,
    headers: { accept: "application/json" },
    credentials: "same-origin",
  });

  return {
    client,
    tokens,
    onAuthLost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** What the typed client resolves to: data for a success, the parsed body as `error` otherwise. */
export type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call; a failed one throws its ApiError (problem+json detail, field errors, status). */
export async function ok<T>(call: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> {
  const { data, error, response } = await call;
  if (!response.ok) throw problemError(response, error);
  return { data: data as T, response };
}

/** The app's single client. */
export const api = createApi();
