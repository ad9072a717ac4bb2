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
