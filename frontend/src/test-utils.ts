const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An unsigned JWT-shaped string with the given claims (the client never verifies signatures). */
export const fakeJwt = (claims: Record<string, unknown>) => `${b64url('{"alg":"EdDSA"}')}.${b64url(JSON.stringify(claims))}.sig`;

export const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  });

export const problemResponse = (status: number, detail: string, extra: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ type: "about:blank", title: "Error", status, detail, code: "x", request_id: "r", ...extra }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

/** Better Auth's answer to `GET /api/auth/get-session`: the session with a JWT in `set-auth-jwt`, or null. */
export const sessionResponse = (token: string | null) =>
  token ? json({ session: { id: "s1" }, user: { id: "u1" } }, { headers: { "set-auth-jwt": token } }) : json(null);

export interface SeenRequest {
  method: string;
  url: URL;
  /** Path and query, e.g. `/api/tasks?limit=50`. */
  path: string;
  headers: Headers;
  /** The JSON body, if any. */
  body: unknown;
  signal: AbortSignal | undefined;
}

/** What a stubbed `fetch` was asked, whether it got a Request (the typed client) or a URL and options. */
export async function seen(input: RequestInfo | URL, init?: RequestInit): Promise<SeenRequest> {
  const request = input instanceof Request ? input : new Request(new URL(String(input), location.href), init);
  const text = await request.clone().text();
  const url = new URL(request.url);
  return {
    method: request.method,
    url,
    path: url.pathname + url.search,
    headers: request.headers,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    signal: input instanceof Request ? input.signal : (init?.signal ?? undefined),
  };
}
