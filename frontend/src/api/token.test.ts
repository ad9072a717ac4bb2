import { describe, expect, it, vi } from "vitest";
import { fakeJwt } from "../test-utils";
import { AuthLostError, jwtExpiry, sessionTokenSource, TokenManager } from "./token";

describe("jwtExpiry", () => {
  it("reads exp from a base64url payload", () => {
    expect(jwtExpiry(fakeJwt({ sub: "u?>~", exp: 1_700_000_000 }))).toBe(1_700_000_000);
  });
  it("is null for malformed tokens", () => {
    expect(jwtExpiry("abc")).toBeNull();
    expect(jwtExpiry("a.!!!.c")).toBeNull();
    expect(jwtExpiry(fakeJwt({ sub: "x" }))).toBeNull();
  });
});

describe("TokenManager", () => {
  it("caches the token until a minute before exp, then refreshes", async () => {
    let now = 1_000_000_000_000;
    let n = 0;
    const source = vi.fn(async () => fakeJwt({ n: ++n, exp: Math.floor(now / 1000) + 15 * 60 }));
    const tm = new TokenManager(source, () => now);
    const a = await tm.get();
    expect(await tm.get()).toBe(a);
    now += 13 * 60_000; // 2 minutes left: still fine
    expect(await tm.get()).toBe(a);
    now += 61_000; // less than a minute left
    const b = await tm.get();
    expect(b).not.toBe(a);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it("shares one request between concurrent callers", async () => {
    let resolve!: (t: string) => void;
    const source = vi.fn(() => new Promise<string>((r) => (resolve = r)));
    const tm = new TokenManager(source);
    const p1 = tm.get();
    const p2 = tm.get();
    resolve(fakeJwt({ exp: Date.now() / 1000 + 900 }));
    expect(await p1).toBe(await p2);
    expect(source).toHaveBeenCalledTimes(1);
  });

  it("force-refreshes and forgets on clear", async () => {
    let n = 0;
    const tm = new TokenManager(async () => fakeJwt({ n: ++n, exp: Date.now() / 1000 + 900 }));
    const a = await tm.get();
    const b = await tm.get(true);
    expect(b).not.toBe(a);
    tm.clear();
    expect(await tm.get()).not.toBe(b);
  });

  it("does not keep a token fetched before clear()", async () => {
    let resolve!: (t: string) => void;
    let calls = 0;
    const tm = new TokenManager(() => {
      calls++;
      return calls === 1 ? new Promise<string>((r) => (resolve = r)) : Promise.resolve("second");
    });
    const p = tm.get();
    tm.clear();
    resolve(fakeJwt({ exp: Date.now() / 1000 + 900 }));
    await p;
    expect(await tm.get()).toBe("second");
  });
});

describe("sessionTokenSource", () => {
  const session = { session: { id: "s1" }, user: { id: "u1" } };
  it("returns the JWT that comes with the session", async () => {
    const f = vi.fn(async () => Response.json(session, { headers: { "set-auth-jwt": "abc" } }));
    expect(await sessionTokenSource(f)()).toBe("abc");
    expect(f).toHaveBeenCalledWith("/api/auth/get-session", expect.objectContaining({ credentials: "same-origin" }));
  });
  it("signals a lost session when there is none (200 with null), or on 401", async () => {
    await expect(sessionTokenSource(async () => Response.json(null))()).rejects.toBeInstanceOf(AuthLostError);
    await expect(sessionTokenSource(async () => new Response(null, { status: 401 }))()).rejects.toBeInstanceOf(AuthLostError);
    await expect(sessionTokenSource(async () => Response.json(session))()).rejects.toBeInstanceOf(AuthLostError);
  });
  it("reports other failures as ordinary errors", async () => {
    const err = await sessionTokenSource(async () => new Response(null, { status: 503 }))().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(AuthLostError);
    const net = await sessionTokenSource(async () => {
      throw new TypeError("fetch failed");
    })().catch((e: unknown) => e);
    expect(String(net)).toMatch(/could not reach/i);
  });
});
