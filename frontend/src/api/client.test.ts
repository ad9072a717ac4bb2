import { describe, expect, it, vi } from "vitest";
import { fakeJwt, json, problemResponse } from "../test-utils";
import { createApiClient, REVOKED_MESSAGE } from "./client";
import { ApiError } from "./problem";
import { AuthLostError } from "./token";

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function setup(handler: Handler) {
  let tokens = 0;
  const calls: { url: string; auth: string | undefined; init: RequestInit }[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    if (url === "/api/auth/token") {
      tokens++;
      return handler(url, init);
    }
    calls.push({ url, auth: (init.headers as Record<string, string>).authorization, init });
    return handler(url, init);
  });
  const client = createApiClient(fetchFn as typeof fetch);
  const lost = vi.fn();
  client.onAuthLost(lost);
  return { client, calls, lost, tokenCalls: () => tokens };
}

const tokenResponse = (n: number) => json({ token: fakeJwt({ n, exp: Date.now() / 1000 + 900 }) });

describe("api client", () => {
  it("sends the bearer token and JSON body, and returns data, next page and etag", async () => {
    const { client, calls } = setup((url) =>
      url === "/api/auth/token"
        ? tokenResponse(1)
        : json([{ id: "1" }], { headers: { link: '<http://127.0.0.1:3000/api/tasks?cursor=c2>; rel="next"', etag: '"v1"' } }),
    );
    const res = await client.request<{ id: string }[]>("/api/tasks", { method: "POST", body: { title: "x" } });
    expect(res.data).toEqual([{ id: "1" }]);
    expect(res.next).toBe("/api/tasks?cursor=c2");
    expect(res.etag).toBe('"v1"');
    expect(calls[0]?.auth).toMatch(/^Bearer .+\..+\.sig$/);
    expect(calls[0]?.init.body).toBe('{"title":"x"}');
    const headers = calls[0]?.init.headers as Record<string, string> | undefined;
    expect(headers?.["content-type"]).toBe("application/json");
  });

  it("reuses the cached token between calls", async () => {
    const { client, tokenCalls } = setup((url) => (url === "/api/auth/token" ? tokenResponse(1) : json({})));
    await client.get("/api/me");
    await client.get("/api/me");
    expect(tokenCalls()).toBe(1);
  });

  it("on a 401 re-fetches the token once and retries once", async () => {
    let apiCalls = 0;
    let n = 0;
    const { client, calls, lost, tokenCalls } = setup((url) => {
      if (url === "/api/auth/token") return tokenResponse(++n);
      return ++apiCalls === 1 ? problemResponse(401, "expired") : json({ ok: true });
    });
    expect(await client.get("/api/me")).toEqual({ ok: true });
    expect(tokenCalls()).toBe(2);
    expect(calls[0]?.auth).not.toBe(calls[1]?.auth);
    expect(lost).not.toHaveBeenCalled();
  });

  it("signs out when the 401 persists after a fresh token", async () => {
    const { client, lost, calls } = setup((url) => (url === "/api/auth/token" ? tokenResponse(1) : problemResponse(401, "revoked")));
    await expect(client.get("/api/me")).rejects.toBeInstanceOf(AuthLostError);
    expect(calls).toHaveLength(2);
    expect(lost).toHaveBeenCalledWith(REVOKED_MESSAGE);
  });

  it("signs out when the token endpoint refuses", async () => {
    const { client, lost, calls } = setup(() => new Response(null, { status: 401 }));
    await expect(client.get("/api/me")).rejects.toBeInstanceOf(AuthLostError);
    expect(calls).toHaveLength(0);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("throws ApiError with the problem detail for other failures", async () => {
    const { client, lost } = setup((url) =>
      url === "/api/auth/token" ? tokenResponse(1) : problemResponse(409, "You cannot demote the last admin.", { code: "conflict" }),
    );
    const err = await client.request("/api/admin/users/1", { method: "PATCH", body: { role: "user" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).message).toBe("You cannot demote the last admin.");
    expect(lost).not.toHaveBeenCalled();
  });

  it("reports network failures as status 0", async () => {
    const { client } = setup((url) => {
      if (url === "/api/auth/token") return tokenResponse(1);
      throw new TypeError("Failed to fetch");
    });
    const err = await client.get("/api/tasks").catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(0);
    expect((err as ApiError).message).toMatch(/could not reach/i);
  });

  it("returns null for 204", async () => {
    const { client } = setup((url) => (url === "/api/auth/token" ? tokenResponse(1) : new Response(null, { status: 204 })));
    const res = await client.request("/api/tasks/1", { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(res.data).toBeNull();
    expect(res.next).toBeNull();
  });
});
