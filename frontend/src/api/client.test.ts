import { describe, expect, it, vi } from "vitest";
import { fakeJwt, json, problemResponse, type SeenRequest, seen, sessionResponse } from "../test-utils";
import { createApi, ok, REVOKED_MESSAGE } from "./client";
import { page } from "./pages";
import { ApiError } from "./problem";
import { AuthLostError } from "./token";

type Handler = (request: SeenRequest) => Response | Promise<Response>;

function setup(handler: Handler, session: () => Response = () => sessionResponse(fakeJwt({ n: 1, exp: Date.now() / 1000 + 900 }))) {
  let sessionCalls = 0;
  const calls: SeenRequest[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = await seen(input, init);
    if (request.url.pathname === "/api/auth/get-session") {
      sessionCalls++;
      return session();
    }
    calls.push(request);
    return handler(request);
  });
  const api = createApi(fetchFn as typeof fetch);
  const lost = vi.fn();
  api.onAuthLost(lost);
  return { api, calls, lost, sessionCalls: () => sessionCalls };
}

describe("api client", () => {
  it("sends the bearer token, the typed query and JSON body, and returns the data", async () => {
    const { api, calls } = setup(() => json({ id: "t1" }, { status: 201, headers: { etag: '"v1"' } }));
    const { data, response } = await ok(api.client.POST("/api/tasks", { body: { title: "x", tags: ["a"] } }));
    expect(data).toEqual({ id: "t1" });
    expect(response.headers.get("etag")).toBe('"v1"');
    expect(calls[0]?.headers.get("authorization")).toMatch(/^Bearer .+\..+\.sig$/);
    expect(calls[0]?.headers.get("content-type")).toBe("application/json");
    expect(calls[0]?.body).toEqual({ title: "x", tags: ["a"] });
  });

  it("serialises list queries as the API documents them, and reads the next cursor from the Link header", async () => {
    const { api, calls } = setup(() =>
      json([{ id: "1" }], { headers: { link: '<http://127.0.0.1:3000/api/tasks?limit=2&cursor=c2>; rel="next"' } }),
    );
    const first = await page(api.client.GET("/api/tasks", { params: { query: { priority: "high,low", tag: ["a", "b"], limit: 2 } } }));
    expect(calls[0]?.path).toBe("/api/tasks?priority=high%2Clow&tag=a&tag=b&limit=2");
    expect(first).toEqual({ items: [{ id: "1" }], next: "c2" });
  });

  it("reuses the token between calls", async () => {
    const { api, sessionCalls } = setup(() => json({}));
    await ok(api.client.GET("/api/me"));
    await ok(api.client.GET("/api/me"));
    expect(sessionCalls()).toBe(1);
  });

  it("on a 401 fetches a new token once and retries once, with the same body", async () => {
    let n = 0;
    const { api, calls, lost, sessionCalls } = setup(
      () => (calls.length === 1 ? problemResponse(401, "expired") : json({ ok: true })),
      () => sessionResponse(fakeJwt({ n: ++n, exp: Date.now() / 1000 + 900 })),
    );
    const { data } = await ok(api.client.PATCH("/api/tasks/{id}", { params: { path: { id: "t1" } }, body: { title: "y" } }));
    expect(data).toEqual({ ok: true });
    expect(sessionCalls()).toBe(2);
    expect(calls[0]?.headers.get("authorization")).not.toBe(calls[1]?.headers.get("authorization"));
    expect(calls[1]?.body).toEqual({ title: "y" });
    expect(lost).not.toHaveBeenCalled();
  });

  it("signs out when the 401 persists after a new token", async () => {
    const { api, lost, calls } = setup(() => problemResponse(401, "revoked"));
    await expect(ok(api.client.GET("/api/me"))).rejects.toBeInstanceOf(AuthLostError);
    expect(calls).toHaveLength(2);
    expect(lost).toHaveBeenCalledWith(REVOKED_MESSAGE);
  });

  it("signs out, without calling the API, when there is no session", async () => {
    const { api, lost, calls } = setup(
      () => json({}),
      () => sessionResponse(null),
    );
    await expect(ok(api.client.GET("/api/me"))).rejects.toBeInstanceOf(AuthLostError);
    expect(calls).toHaveLength(0);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("throws ApiError with the problem detail for other failures", async () => {
    const { api, lost } = setup(() => problemResponse(409, "You cannot demote the last admin.", { code: "conflict" }));
    const err = await ok(api.client.PATCH("/api/admin/users/{id}", { params: { path: { id: "u1" } }, body: { role: "user" } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).code).toBe("conflict");
    expect((err as ApiError).message).toBe("You cannot demote the last admin.");
    expect(lost).not.toHaveBeenCalled();
  });

  it("reports network failures as status 0", async () => {
    const { api } = setup(() => {
      throw new TypeError("Failed to fetch");
    });
    const err = await ok(api.client.GET("/api/tasks")).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(0);
    expect((err as ApiError).message).toMatch(/could not reach/i);
  });

  it("resolves a 204 without data", async () => {
    const { api } = setup(() => new Response(null, { status: 204 }));
    const { data, response } = await ok(api.client.DELETE("/api/tasks/{id}", { params: { path: { id: "t1" } } }));
    expect(response.status).toBe(204);
    expect(data).toBeUndefined();
  });
});
