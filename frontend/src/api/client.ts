import { nextPagePath } from "./link";
import { ApiError, errorFromResponse } from "./problem";
import { AuthLostError, cookieTokenSource, TokenManager } from "./token";

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  /** Path of the next page from the `Link: <…>; rel="next"` header, if any. */
  next: string | null;
  etag: string | null;
}

export type AuthLostListener = (message: string) => void;

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  tokens: TokenManager;
  onAuthLost(listener: AuthLostListener): () => void;
}

export const REVOKED_MESSAGE = "Your access was revoked or your session has ended. Please sign in again.";

/**
 * The API client: adds the bearer token, re-fetches the token once on a 401
 * and retries once; when that fails too, tells the listeners the user is signed out.
 */
export function createApiClient(
  fetchFn: typeof fetch = (...a) => fetch(...a),
  tokens = new TokenManager(cookieTokenSource(fetchFn)),
): ApiClient {
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

  async function send(path: string, options: RequestOptions, token: string): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${token}`, ...options.headers };
    const init: RequestInit = { method: options.method ?? "GET", headers, credentials: "same-origin" };
    if (options.signal) init.signal = options.signal;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    try {
      return await fetchFn(path, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new ApiError(0);
    }
  }

  async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    let res = await send(path, options, await getToken(false));
    if (res.status === 401) {
      res = await send(path, options, await getToken(true));
      if (res.status === 401) authLost(REVOKED_MESSAGE);
    }
    if (!res.ok) throw await errorFromResponse(res);
    let data: unknown = null;
    if (res.status !== 204 && (res.headers.get("content-type") ?? "").includes("json")) data = await res.json();
    return {
      data: data as T,
      status: res.status,
      headers: res.headers,
      next: nextPagePath(res.headers.get("link"), typeof location === "undefined" ? undefined : location.href),
      etag: res.headers.get("etag"),
    };
  }

  return {
    request,
    async get<T>(path: string, signal?: AbortSignal) {
      return (await request<T>(path, signal ? { signal } : {})).data;
    },
    tokens,
    onAuthLost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The app's single client. */
export const api = createApiClient();
