import { act, renderHook, waitFor } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useResource } from "../admin/useResource";
import { api } from "../api/client";
import { fakeJwt, json, problemResponse } from "../test-utils";
import { usePagedList } from "./usePagedList";

/** GET requests made (excluding the token endpoint), and whether each was aborted. */
let requests: { path: string; signal: AbortSignal | undefined }[] = [];
let respond: (path: string) => Response | Promise<Response>;

beforeEach(() => {
  requests = [];
  respond = (path) => json({ path });
  api.tokens.clear();
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const path = String(input);
    if (path === "/api/auth/token") return json({ token: fakeJwt({ sub: "u1", exp: Date.now() / 1000 + 900 }) });
    const signal = init.signal ?? undefined;
    requests.push({ path, signal });
    const res = await respond(path);
    if (signal?.aborted) throw new DOMException("aborted", "AbortError");
    return res;
  });
});

afterEach(() => vi.unstubAllGlobals());

/** Lets pending promises and effects settle. */
const settle = () => act(() => new Promise((r) => setTimeout(r, 20)));

describe("useResource", () => {
  it("loads once, reloads on demand, and recovers from an error", async () => {
    let fail = true;
    respond = (path) => (fail ? problemResponse(500, "Boom") : json({ path }));
    const { result } = renderHook(() => useResource<{ path: string }>("/api/admin/stats"), { wrapper: StrictMode });
    await waitFor(() => expect(result.current.state.phase).toBe("error"));
    await settle();
    // StrictMode mounts twice; the first request is aborted, so exactly one is live.
    expect(requests.filter((r) => !r.signal?.aborted)).toHaveLength(1);

    fail = false;
    const before = requests.length;
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.state).toEqual({ phase: "ready", data: { path: "/api/admin/stats" } }));
    await settle();
    expect(requests.length - before).toBe(1);
  });

  it("aborts the old request when the path changes, and ignores its answer", async () => {
    const gates = new Map<string, () => void>();
    respond = (path) => new Promise((resolve) => gates.set(path, () => resolve(json({ path }))));
    const { result, rerender } = renderHook(({ path }) => useResource<{ path: string }>(path), { initialProps: { path: "/a" } });
    await waitFor(() => expect(gates.has("/a")).toBe(true));
    rerender({ path: "/b" });
    await waitFor(() => expect(gates.has("/b")).toBe(true));
    expect(requests.find((r) => r.path === "/a")?.signal?.aborted).toBe(true);
    act(() => gates.get("/b")?.());
    await waitFor(() => expect(result.current.state).toEqual({ phase: "ready", data: { path: "/b" } }));
    act(() => gates.get("/a")?.());
    await settle();
    expect(result.current.state).toEqual({ phase: "ready", data: { path: "/b" } });
  });
});

describe("usePagedList", () => {
  it("loads the first page once and reloads it on demand", async () => {
    respond = () => json([{ id: "1" }]);
    const { result } = renderHook(() => usePagedList<{ id: string }>("/api/tasks?limit=50"), { wrapper: StrictMode });
    await waitFor(() => expect(result.current.state.phase).toBe("ready"));
    await settle();
    expect(requests.filter((r) => !r.signal?.aborted)).toHaveLength(1);

    const before = requests.length;
    act(() => result.current.reload());
    expect(result.current.state.phase).toBe("loading");
    await waitFor(() => expect(result.current.state.phase).toBe("ready"));
    await settle();
    expect(requests.length - before).toBe(1);
    expect(result.current.state.items).toEqual([{ id: "1" }]);
  });

  it("cancels a pending first page when reloaded, and does nothing without a path", async () => {
    const gates: (() => void)[] = [];
    respond = () => new Promise((resolve) => gates.push(() => resolve(json([{ id: String(gates.length) }]))));
    const { result, rerender } = renderHook(({ path }: { path: string | null }) => usePagedList<{ id: string }>(path), {
      initialProps: { path: "/api/tasks" as string | null },
    });
    await waitFor(() => expect(requests).toHaveLength(1));
    act(() => result.current.reload());
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[0]?.signal?.aborted).toBe(true);
    act(() => gates[1]?.());
    await waitFor(() => expect(result.current.state.phase).toBe("ready"));

    rerender({ path: null });
    act(() => result.current.reload());
    await settle();
    expect(requests).toHaveLength(2);
  });
});
