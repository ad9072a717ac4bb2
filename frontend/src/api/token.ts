/** Thrown when the session is gone: the token endpoint refused us. */
export class AuthLostError extends Error {
  constructor(message = "Your session has ended. Please sign in again.") {
    super(message);
    this.name = "AuthLostError";
  }
}

/** Reads the `exp` claim (seconds) of a JWT without verifying it. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const b64 = payload
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(payload.length / 4) * 4, "=");
    const claims: unknown = JSON.parse(atob(b64));
    if (claims && typeof claims === "object" && typeof (claims as { exp?: unknown }).exp === "number") {
      return (claims as { exp: number }).exp;
    }
    return null;
  } catch {
    return null;
  }
}

/** Returns a fresh token, throws AuthLostError when signed out, or another Error. */
export type TokenSource = () => Promise<string>;

/** Refresh this long before the token expires. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * Keeps the short-lived API token in memory, refreshes it a minute before
 * it expires, and makes concurrent callers share a single fetch.
 */
export class TokenManager {
  private token: string | null = null;
  private expiresAt = 0;
  private inflight: Promise<string> | null = null;
  private generation = 0;

  constructor(
    private readonly source: TokenSource,
    private readonly now: () => number = Date.now,
  ) {}

  async get(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.token && this.now() < this.expiresAt - REFRESH_MARGIN_MS) return this.token;
    if (this.inflight) return this.inflight;
    const generation = this.generation;
    const p = this.source()
      .then((token) => {
        if (generation === this.generation) {
          this.token = token;
          const exp = jwtExpiry(token);
          // Without a readable exp, assume the documented 15 minutes.
          this.expiresAt = exp !== null ? exp * 1000 : this.now() + 15 * 60_000;
        }
        return token;
      })
      .finally(() => {
        if (this.inflight === p) this.inflight = null;
      });
    this.inflight = p;
    return p;
  }

  clear(): void {
    this.generation++;
    this.token = null;
    this.expiresAt = 0;
    this.inflight = null;
  }
}

/**
 * Asks Better Auth for the session (`GET /api/auth/get-session`, with the session cookie); its JWT
 * plugin sends a token for the API in the `set-auth-jwt` header. Without a session the answer is
 * 200 with `null`, not a 401 as from `/api/auth/token`: a signed-out visitor's first page makes no
 * failed request (which the browser would log as an error).
 */
export function sessionTokenSource(fetchFn: typeof fetch = (...a) => fetch(...a)): TokenSource {
  return async () => {
    let res: Response;
    try {
      res = await fetchFn("/api/auth/get-session", { credentials: "same-origin", headers: { accept: "application/json" } });
    } catch {
      throw new Error("Could not reach the server. Check your connection and try again.");
    }
    if (res.status === 401 || res.status === 403) throw new AuthLostError();
    if (!res.ok) throw new Error(`Could not get an access token (${res.status}). Try again.`);
    const token = res.headers.get("set-auth-jwt");
    const session: unknown = await res.json().catch(() => null);
    if (!session || !token) throw new AuthLostError();
    return token;
  };
}
