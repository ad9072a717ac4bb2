/**
 * The OWASP API Security Top 10 (2023), one `describe` per item, each proving
 * what Doable does about it (issue #7; docs/SECURITY.md maps them).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { InjectOptions, Response } from "light-my-request";
import { type App, buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import {
  assertProblem,
  createUser,
  ORIGIN,
  promote,
  signIn,
  signUp,
  sleep,
  startApp,
  type TestApp,
  type TestUser,
  tokenFor,
  uniqueEmail,
  usingPostgres,
} from "./helpers.ts";

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");
const SECRET = "test-secret-test-secret-test-secret-0123";
const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
const bobTasks: string[] = [];

before(async () => {
  t = await startApp({ CORS_ORIGINS: "https://app.example.com", LOG_LEVEL: "silent" });
  alice = await createUser(t.app, { email: uniqueEmail("alice") });
  bob = await createUser(t.app, { email: uniqueEmail("bob") });
  admin = await promote(t.app, await createUser(t.app, { email: uniqueEmail("admin") }));
  for (const payload of [{ title: "bob's zanzibar plan", tags: ["bobonly"], due_at: "2031-01-01T00:00:00Z" }, { title: "bob's second" }]) {
    const res = await t.app.inject({ method: "POST", url: "/api/tasks", headers: bob.auth, payload, remoteAddress: "10.9.9.9" });
    assert.equal(res.statusCode, 201);
    bobTasks.push((res.json() as { id: string }).id);
  }
});
after(() => t.close());

const inject = (app: App, opts: InjectOptions) => app.inject(opts);

/** Bob's account, sessions and tasks as stored: compared before and after an attack. */
async function snapshotOf(app: App, userId: string): Promise<string> {
  const rows = await app.ctx.db.query<{ j: unknown }>(
    `SELECT json_build_object(
       'user', (SELECT row_to_json(u) FROM "user" u WHERE id = $1),
       'accounts', (SELECT json_agg(a ORDER BY id) FROM account a WHERE "userId" = $1),
       'sessions', (SELECT json_agg(s ORDER BY id) FROM session s WHERE "userId" = $1),
       'tasks', (SELECT json_agg(x ORDER BY id) FROM tasks x WHERE user_id = $1)) AS j`,
    [userId],
  );
  return JSON.stringify(rows[0]?.j);
}

/** A token signed with the server's own key (Better Auth's server-only signJWT), claims as given. */
async function forge(app: App, claims: Record<string, unknown>): Promise<string> {
  const { token } = await app.ctx.auth.api.signJWT({
    body: { payload: { role: "user", iat: now(), exp: now() + 600, iss: ORIGIN, aud: ORIGIN, ...claims } },
  });
  return token;
}

/** Routes from the app's own table, path parameters filled in. */
function routesWhere(app: App, keep: (r: { method: string; url: string }) => boolean, id: string) {
  return app.routeTable.filter((r) => !r.hidden && keep(r)).map((r) => ({ method: r.method, url: r.url.replace(/:[A-Za-z_]+/g, id) }));
}

/** A body each route accepts, so that what is tested is the route's answer, not the body's validation. */
const bodyFor = (method: string, url = "") =>
  url.endsWith("/complete")
    ? { payload: { completed: true } }
    : url.endsWith("/move")
      ? { payload: {} }
      : url.endsWith("/comments") || url.startsWith("/api/comments/")
        ? { payload: { body: "x" } }
        : ["POST", "PUT", "PATCH"].includes(method)
          ? { payload: { title: "x" } }
          : {};

/** A tiny HTTP server on 127.0.0.1 whose handler the test sets; counts the requests it gets. */
async function tinyServer(): Promise<{
  url: string;
  hits: () => number;
  handle: (h: (req: IncomingMessage, res: ServerResponse) => void) => void;
  close: () => Promise<void>;
}> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  let count = 0;
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    count++;
    open.add(res);
    res.on("close", () => open.delete(res));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => count,
    handle: (h) => {
      handler = h;
    },
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ------------------------------------------------------------------ API1

describe("API1:2023 broken object level authorization", () => {
  test("every task route answers another user's task exactly as a task that does not exist (404, no 412 oracle), and changes nothing", async () => {
    const before = await snapshotOf(t.app, bob.id);
    const routes = routesWhere(t.app, (r) => r.url.startsWith("/api/tasks/:id"), "ID");
    assert.ok(routes.filter((r) => r.method !== "HEAD").length >= 5, JSON.stringify(routes));
    const missing = "0193a000-0000-7000-8000-000000000000";
    for (const route of routes) {
      for (const conditional of [{}, { "if-match": "*" }, { "if-match": '"1"' }, { "if-none-match": "*" }]) {
        const theirs = await inject(t.app, {
          method: route.method as "GET",
          url: route.url.replace("ID", bobTasks[0] as string),
          headers: { ...alice.auth, ...conditional },
          ...bodyFor(route.method, route.url),
        });
        const nobody = await inject(t.app, {
          method: route.method as "GET",
          url: route.url.replace("ID", missing),
          headers: { ...alice.auth, ...conditional },
          ...bodyFor(route.method, route.url),
        });
        const where = `${route.method} ${route.url} ${JSON.stringify(conditional)}`;
        assert.equal(theirs.statusCode, 404, where);
        assert.equal(nobody.statusCode, 404, where);
        if (route.method === "HEAD") continue;
        assert.deepEqual({ ...(theirs.json() as object), request_id: 0 }, { ...(nobody.json() as object), request_id: 0 }, where);
        assert.ok(!theirs.body.includes("zanzibar"), where);
      }
    }
    assert.equal(await snapshotOf(t.app, bob.id), before);
  });

  test("lists, searches, tag filters and forged cursors never reach another user's tasks", async () => {
    const cursor = Buffer.from(JSON.stringify(["-created_at", "2999-01-01T00:00:00.000Z", bobTasks[0]])).toString("base64url");
    for (const query of [
      "q=zanzibar",
      "tag=bobonly",
      "status=all&limit=200",
      `cursor=${cursor}`,
      "sort=due_at&due_after=2030-01-01T00:00:00Z",
    ]) {
      const res = await inject(t.app, { method: "GET", url: `/api/tasks?${query}`, headers: alice.auth });
      assert.equal(res.statusCode, 200, query);
      for (const task of res.json() as { user_id: string; id: string }[]) {
        assert.equal(task.user_id, alice.id, query);
        assert.ok(!bobTasks.includes(task.id), query);
      }
    }
  });

  test("an Idempotency-Key belongs to its user: reusing another user's key and body creates the caller's own task", async () => {
    const key = "shared-key-123";
    const first = await inject(t.app, {
      method: "POST",
      url: "/api/tasks",
      headers: { ...bob.auth, "idempotency-key": key },
      payload: { title: "bob keyed" },
    });
    assert.equal(first.statusCode, 201);
    const second = await inject(t.app, {
      method: "POST",
      url: "/api/tasks",
      headers: { ...alice.auth, "idempotency-key": key },
      payload: { title: "bob keyed" },
    });
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers["idempotent-replayed"], undefined);
    const task = second.json() as { id: string; user_id: string };
    assert.notEqual(task.id, (first.json() as { id: string }).id);
    assert.equal(task.user_id, alice.id);
    bobTasks.push((first.json() as { id: string }).id);
  });

  test("admin routes take another user's id, and only an admin gets through (a user cannot even read their own record there)", async () => {
    const before = await snapshotOf(t.app, bob.id);
    for (const id of [bob.id, alice.id]) {
      for (const route of routesWhere(t.app, (r) => r.url.startsWith("/api/admin/"), id)) {
        const res = await inject(t.app, {
          method: route.method as "GET",
          url: route.url,
          headers: alice.auth,
          ...(route.method === "PATCH" ? { payload: { role: "admin" } } : {}),
        });
        assert.equal(res.statusCode, 403, `${route.method} ${route.url}`);
      }
    }
    assert.equal(await snapshotOf(t.app, bob.id), before);
    assert.equal((await t.app.ctx.db.query<{ role: string }>(`SELECT role FROM "user" WHERE id = $1`, [alice.id]))[0]?.role, "user");
  });
});

// ------------------------------------------------------------------ API2

describe("API2:2023 broken authentication", () => {
  const protectedRoutes = () =>
    routesWhere(
      t.app,
      (r) => r.url.startsWith("/api/") && !r.url.startsWith("/api/auth/") && r.method !== "HEAD",
      "0193a000-0000-7000-8000-000000000000",
    );

  test("forged, expired and misdirected tokens are refused on every protected route", async () => {
    const jwks = (await inject(t.app, { method: "GET", url: "/api/auth/jwks" })).json() as { keys: { kid: string }[] };
    const realKey = jwks.keys[0] as { kid: string };
    const claims = { sub: bob.id, role: "admin", iss: ORIGIN, aud: ORIGIN, iat: now(), exp: now() + 600 };
    const other = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged: Record<string, string> = {
      "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`,
      "alg None with a signature": `${b64({ alg: "None" })}.${b64(claims)}.${alice.jwt.split(".")[2]}`,
      "HS256 signed with the public key": await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: realKey.kid })
        .sign(new TextEncoder().encode(JSON.stringify(realKey))),
      "another key, same kid": await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid: realKey.kid }).sign(other.privateKey),
      "an embedded jwk header": await new SignJWT(claims)
        .setProtectedHeader({ alg: "EdDSA", jwk: await exportJWK(other.publicKey) })
        .sign(other.privateKey),
      expired: await forge(t.app, { sub: bob.id, iat: now() - 3600, exp: now() - 60 }),
      "not yet valid": await forge(t.app, { sub: bob.id, nbf: now() + 600 }),
      "wrong issuer": await forge(t.app, { sub: bob.id, iss: "https://evil.example" }),
      "wrong audience": await forge(t.app, { sub: bob.id, aud: "https://evil.example" }),
      "no subject": await forge(t.app, { sub: undefined }),
      "payload swapped under a real signature": `${alice.jwt.split(".")[0]}.${b64(claims)}.${alice.jwt.split(".")[2]}`,
      "a session token": bob.sessionToken,
    };
    // The control: the same forging path with correct claims is accepted, so each case fails for its own reason.
    const control = await inject(t.app, { method: "GET", url: "/api/me", headers: bearer(await forge(t.app, { sub: bob.id })) });
    assert.equal(control.statusCode, 200);
    const routes = protectedRoutes();
    assert.ok(routes.length >= 15, `${routes.length} routes`);
    for (const [name, token] of Object.entries(forged)) {
      for (const route of routes) {
        const res = await inject(t.app, {
          method: route.method as "GET",
          url: route.url,
          headers: bearer(token),
          ...bodyFor(route.method),
        });
        assertProblem(res, 401, "unauthorized");
        assert.ok(res.statusCode === 401, `${name}: ${route.method} ${route.url}`);
      }
    }
  });

  test("with JWT_SECRET enabled, HS256 signed with the public key (or anything but the secret) is still refused", async () => {
    const secret = "shared-hs256-secret-shared-hs256-secret";
    const s = await startApp({ JWT_SECRET: secret, LOG_LEVEL: "silent" });
    try {
      const u = await createUser(s.app);
      const jwks = (await inject(s.app, { method: "GET", url: "/api/auth/jwks" })).json() as { keys: { kid: string; x: string }[] };
      const key = jwks.keys[0] as { kid: string; x: string };
      const claims = { sub: u.id, iss: ORIGIN, aud: ORIGIN, iat: now(), exp: now() + 600 };
      const hs = (k: string | Uint8Array, header: Record<string, unknown> = {}) =>
        new SignJWT(claims).setProtectedHeader({ alg: "HS256", ...header }).sign(typeof k === "string" ? new TextEncoder().encode(k) : k);
      const good = await inject(s.app, { method: "GET", url: "/api/me", headers: bearer(await hs(secret)) });
      assert.equal(good.statusCode, 200, "the control: the shared secret works");
      for (const token of [
        await hs(JSON.stringify(key), { kid: key.kid }),
        await hs(Buffer.from(key.x, "base64url")),
        await hs(key.x),
        await hs(SECRET),
        await hs(`${secret}x`),
      ]) {
        assertProblem(await inject(s.app, { method: "GET", url: "/api/me", headers: bearer(token) }), 401, "unauthorized");
      }
    } finally {
      await s.close();
    }
  });

  test("after sign-out the session token is dead everywhere it was accepted", async () => {
    const res = await signIn(t.app, bob.email, bob.password);
    const session = String(res.headers["set-auth-token"]);
    const jwt = await tokenFor(t.app, session);
    assert.equal(
      (await inject(t.app, { method: "POST", url: "/api/auth/sign-out", headers: { ...bearer(session), origin: ORIGIN } })).statusCode,
      200,
    );
    assertProblem(await inject(t.app, { method: "GET", url: "/api/auth/token", headers: bearer(session) }), 401, "unauthorized");
    assertProblem(await inject(t.app, { method: "GET", url: "/api/auth/list-sessions", headers: bearer(session) }), 401, "unauthorized");
    assert.equal((await inject(t.app, { method: "GET", url: "/api/auth/get-session", headers: bearer(session) })).body, "null");
    assertProblem(await inject(t.app, { method: "GET", url: "/api/tasks", headers: bearer(session) }), 401, "unauthorized");
    // A JWT is stateless and lives out its 15 minutes after sign-out (docs/SECURITY.md); only revocation events cut it short.
    assert.equal((await inject(t.app, { method: "GET", url: "/api/me", headers: bearer(jwt) })).statusCode, 200);
  });

  test("after a ban or a deletion, the JWT and the session token are refused on every protected route, and sign-in says why", async () => {
    const banned = await createUser(t.app, { email: uniqueEmail("banned") });
    const deleted = await createUser(t.app, { email: uniqueEmail("deleted") });
    const ban = await inject(t.app, {
      method: "PATCH",
      url: `/api/admin/users/${banned.id}`,
      headers: admin.auth,
      payload: { banned: true, ban_reason: "spam" },
    });
    assert.equal(ban.statusCode, 200);
    assert.equal((await inject(t.app, { method: "DELETE", url: `/api/admin/users/${deleted.id}`, headers: admin.auth })).statusCode, 204);
    for (const u of [banned, deleted]) {
      for (const route of protectedRoutes()) {
        const res = await inject(t.app, { method: route.method as "GET", url: route.url, headers: u.auth, ...bodyFor(route.method) });
        assert.equal(res.statusCode, 401, `${route.method} ${route.url}`);
      }
      assertProblem(await inject(t.app, { method: "GET", url: "/api/auth/token", headers: bearer(u.sessionToken) }), 401, "unauthorized");
    }
    const refused = await signIn(t.app, banned.email, banned.password);
    assert.equal(refused.statusCode, 403);
    assert.match(String((refused.json() as { detail: string }).detail), /banned.*spam/i);
  });

  test("a password change refuses earlier tokens on a second instance too, within the 5 s the spec allows", async () => {
    const u = await signUp(t.app, { password: "first password 1" });
    const second = await secondInstance(t);
    try {
      assert.equal((await inject(second, { method: "GET", url: "/api/me", headers: u.auth })).statusCode, 200, "B accepts A's token");
      const changed = await inject(t.app, {
        method: "POST",
        url: "/api/auth/change-password",
        headers: { ...bearer(u.sessionToken), origin: ORIGIN },
        payload: { currentPassword: "first password 1", newPassword: "second password 2" },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      const deadline = Date.now() + 5000;
      let status = 200;
      while (status !== 401 && Date.now() < deadline) {
        status = (await inject(second, { method: "GET", url: "/api/me", headers: u.auth })).statusCode;
        if (status !== 401) await sleep(100);
      }
      assert.equal(status, 401, "instance B refuses the old token within 5 s");
      assert.equal((await inject(t.app, { method: "GET", url: "/api/me", headers: u.auth })).statusCode, 401);
    } finally {
      await second.close();
    }
  });
});

/** Another instance on the same database: its own process on PostgreSQL, a second app on the same PGlite otherwise. */
async function secondInstance(first: TestApp): Promise<App> {
  if (usingPostgres()) return (await startApp({ LOG_LEVEL: "silent" }, first.databaseUrl)).app;
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: "memory://",
    LOG_LEVEL: "silent",
    RATE_LIMIT: "off",
    STATIC_DIR: "off",
    BETTER_AUTH_SECRET: SECRET,
  });
  return buildApp(config, { db: first.app.ctx.db, logStream: sink });
}

// ------------------------------------------------------------------ API3

/** Keys that look like secrets, and where they are allowed: credentials the call itself issues to the caller, and public keys. */
const secretKey = /password|hash|token|secret|key/i;
const allowedSecretKeys: Record<string, string[]> = {
  getToken: ["token"], // the documented JWT
  signUp: ["token"], // the new session's token (also in set-auth-token)
  signIn: ["token"],
  changePassword: ["token"], // the new session when revokeOtherSessions is set, else null
  getJwks: ["keys"], // public keys; private members are checked below
};

function secretLookingKeys(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretLookingKeys(v, `${at}[${i}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(secretKey.test(k) ? [`${at}${at ? "." : ""}${k}`] : []),
    ...secretLookingKeys(v, `${at}${at ? "." : ""}${k}`),
  ]);
}

describe("API3:2023 broken object property level authorization", () => {
  test("task bodies: read-only and foreign fields are a 422 naming the field, and nothing is written", async () => {
    const own = (await inject(t.app, { method: "POST", url: "/api/tasks", headers: alice.auth, payload: { title: "mine" } })).json() as {
      id: string;
    };
    const count = async () => (await t.app.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks")).at(0)?.n;
    const tasksBefore = await count();
    const ownBefore = (await inject(t.app, { method: "GET", url: `/api/tasks/${own.id}`, headers: alice.auth })).body;
    const bobBefore = await snapshotOf(t.app, bob.id);
    const foreign: Record<string, unknown> = {
      id: bobTasks[0],
      user_id: bob.id,
      created_at: "2000-01-01T00:00:00Z",
      updated_at: "2000-01-01T00:00:00Z",
      completed_at: "2000-01-01T00:00:00Z",
      role: "admin",
      version: 99,
    };
    for (const [field, value] of Object.entries(foreign)) {
      for (const [method, url] of [
        ["POST", "/api/tasks"],
        ["PUT", `/api/tasks/${own.id}`],
        ["PATCH", `/api/tasks/${own.id}`],
        ["PATCH", `/api/tasks/${own.id}/complete`],
      ] as const) {
        const payload = url.endsWith("/complete") ? { [field]: value } : { title: "changed", [field]: value };
        const res = await inject(t.app, { method, url, headers: alice.auth, payload });
        const problem = assertProblem(res, 422, "validation_failed");
        assert.deepEqual(
          problem.errors?.find((e) => e.field === field),
          { field, message: "is read-only" },
          `${method} ${url} ${field}`,
        );
      }
    }
    assert.equal(await count(), tasksBefore);
    assert.equal((await inject(t.app, { method: "GET", url: `/api/tasks/${own.id}`, headers: alice.auth })).body, ownBefore);
    assert.equal(await snapshotOf(t.app, bob.id), bobBefore);
  });

  test("admin bodies: only role and ban fields are settable (email, id, name, password are refused)", async () => {
    const target = await createUser(t.app);
    const before = await snapshotOf(t.app, target.id);
    for (const [field, value] of Object.entries({
      email: "x@evil.example",
      id: "other",
      name: "renamed",
      password: "password123",
      emailVerified: true,
    })) {
      const res = await inject(t.app, {
        method: "PATCH",
        url: `/api/admin/users/${target.id}`,
        headers: admin.auth,
        payload: { [field]: value },
      });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.ok(
        problem.errors?.some((e) => e.field === field),
        field,
      );
    }
    assert.equal(await snapshotOf(t.app, target.id), before);
  });

  test("auth bodies: role, banned, emailVerified, image and id cannot be set at sign-up or through update-user", async () => {
    const email = uniqueEmail("mass");
    for (const [field, value] of Object.entries({
      role: "admin",
      banned: false,
      emailVerified: true,
      image: "https://evil.example/x.png",
      id: "chosen-id",
    })) {
      const res = await inject(t.app, {
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: ORIGIN },
        payload: { email, password: "password 1234", name: "Mass", [field]: value },
      });
      assert.equal(res.statusCode, 422, `sign-up with ${field}: ${res.body}`);
      const update = await inject(t.app, {
        method: "POST",
        url: "/api/auth/update-user",
        headers: { ...bearer(alice.sessionToken), origin: ORIGIN },
        payload: { name: "Alice", [field]: value },
      });
      assert.equal(update.statusCode, 422, `update-user with ${field}: ${update.body}`);
    }
    assert.deepEqual(await t.app.ctx.db.query(`SELECT 1 FROM "user" WHERE email = $1`, [email]), []);
    const [row] = await t.app.ctx.db.query<{ role: string; image: string | null; emailVerified: boolean }>(
      `SELECT role, image, "emailVerified" FROM "user" WHERE id = $1`,
      [alice.id],
    );
    assert.deepEqual(row, { role: "user", image: null, emailVerified: false });
  });

  test("auth bodies that Better Auth alone would store wrongly or fail on with a 500 are a 422", async () => {
    const session = { ...bearer(alice.sessionToken), origin: ORIGIN };
    const cases: [string, Record<string, string>, string][] = [
      ["/api/auth/update-user", session, '{"name":null}'],
      ["/api/auth/update-user", session, '{"name":"a\\u0000b"}'],
      ["/api/auth/update-user", session, '{"name":5}'],
      ["/api/auth/update-user", session, `{"name":"${"n".repeat(101)}"}`],
      ["/api/auth/update-user", session, '{"name":""}'],
      ["/api/auth/revoke-session", session, '{"token":"\\u0000"}'],
      ["/api/auth/sign-up/email", { origin: ORIGIN }, '{"email":"nul@example.com","password":"password 1234","name":"a\\u0000"}'],
      [
        "/api/auth/sign-up/email",
        { origin: ORIGIN },
        `{"email":"long@example.com","password":"password 1234","name":"${"n".repeat(101)}"}`,
      ],
    ];
    for (const [url, headers, payload] of cases) {
      const res = await inject(t.app, { method: "POST", url, headers: { ...headers, "content-type": "application/json" }, payload });
      assertProblem(res, 422, "validation_failed");
    }
    const [row] = await t.app.ctx.db.query<{ name: string }>(`SELECT name FROM "user" WHERE id = $1`, [alice.id]);
    assert.equal(row?.name, alice.email.split("@")[0]);
  });

  test("no response carries a secret: a tour of every documented operation, every JSON body walked", async () => {
    const bodies: { op: string; body: unknown; text: string }[] = [];
    const call = async (op: string, opts: InjectOptions, expect: number) => {
      const res = await inject(t.app, opts);
      assert.equal(res.statusCode, expect, `${op}: ${res.body.slice(0, 300)}`);
      if (String(res.headers["content-type"]).includes("json") && res.body) bodies.push({ op, body: res.json(), text: res.body });
      return res;
    };
    const tourist = await createUser(t.app, { email: uniqueEmail("tourist") });
    const victim = await createUser(t.app);
    const doomed = await createUser(t.app);
    const task = (
      await call("createTask", { method: "POST", url: "/api/tasks", headers: alice.auth, payload: { title: "tour" } }, 201)
    ).json() as {
      id: string;
    };
    const s = (token: string) => ({ ...bearer(token), origin: ORIGIN });
    await call("health", { method: "GET", url: "/healthz" }, 200);
    await call("readiness", { method: "GET", url: "/readyz" }, 200);
    await call("metrics", { method: "GET", url: "/metrics" }, 200);
    await call(
      "signUp",
      {
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: ORIGIN },
        payload: { email: uniqueEmail("t"), password: "password 1234", name: "T" },
      },
      200,
    );
    const signedIn = await call(
      "signIn",
      {
        method: "POST",
        url: "/api/auth/sign-in/email",
        headers: { origin: ORIGIN },
        payload: { email: tourist.email, password: tourist.password },
      },
      200,
    );
    const session = String(signedIn.headers["set-auth-token"]);
    await call("getSession", { method: "GET", url: "/api/auth/get-session", headers: s(session) }, 200);
    await call("listSessions", { method: "GET", url: "/api/auth/list-sessions", headers: s(session) }, 200);
    await call("getToken", { method: "GET", url: "/api/auth/token", headers: s(session) }, 200);
    await call("getJwks", { method: "GET", url: "/api/auth/jwks" }, 200);
    await call("authOk", { method: "GET", url: "/api/auth/ok" }, 200);
    await call("updateUser", { method: "POST", url: "/api/auth/update-user", headers: s(session), payload: { name: "Tourist" } }, 200);
    await call("revokeOtherSessions", { method: "POST", url: "/api/auth/revoke-other-sessions", headers: s(session) }, 200);
    const changed = await call(
      "changePassword",
      {
        method: "POST",
        url: "/api/auth/change-password",
        headers: s(session),
        payload: { currentPassword: tourist.password, newPassword: "tourist password 2", revokeOtherSessions: true },
      },
      200,
    );
    const newSession = String(changed.headers["set-auth-token"]);
    await call(
      "revokeSession",
      { method: "POST", url: "/api/auth/revoke-session", headers: s(newSession), payload: { token: "not-a-session" } },
      200,
    );
    await call("signOut", { method: "POST", url: "/api/auth/sign-out", headers: s(newSession) }, 200);
    await call("getMe", { method: "GET", url: "/api/me", headers: alice.auth }, 200);
    await call("listTasks", { method: "GET", url: "/api/tasks", headers: alice.auth }, 200);
    await call("getTask", { method: "GET", url: `/api/tasks/${task.id}`, headers: alice.auth }, 200);
    await call("replaceTaskFields", { method: "PUT", url: `/api/tasks/${task.id}`, headers: alice.auth, payload: { title: "put" } }, 200);
    await call("updateTask", { method: "PATCH", url: `/api/tasks/${task.id}`, headers: alice.auth, payload: { title: "patched" } }, 200);
    await call("completeTask", { method: "PATCH", url: `/api/tasks/${task.id}/complete`, headers: alice.auth }, 200);
    await call("moveTask", { method: "POST", url: `/api/tasks/${task.id}/move`, headers: alice.auth, payload: { parent_id: null } }, 200);
    await call("deleteTask", { method: "DELETE", url: `/api/tasks/${task.id}`, headers: alice.auth }, 204);
    await call("updateMe", { method: "PATCH", url: "/api/me", headers: alice.auth, payload: { timezone: "Europe/Berlin" } }, 200);
    await call("listLists", { method: "GET", url: "/api/lists", headers: alice.auth }, 200);
    const list = (
      await call("createList", { method: "POST", url: "/api/lists", headers: alice.auth, payload: { name: "tour" } }, 201)
    ).json() as {
      id: string;
    };
    const other = (
      await call("createList", { method: "POST", url: "/api/lists", headers: alice.auth, payload: { name: "tour 2" } }, 201)
    ).json() as {
      id: string;
    };
    await call("getList", { method: "GET", url: `/api/lists/${list.id}`, headers: alice.auth }, 200);
    await call("updateList", { method: "PATCH", url: `/api/lists/${list.id}`, headers: alice.auth, payload: { color: "#123456" } }, 200);
    await call("moveList", { method: "POST", url: `/api/lists/${list.id}/move`, headers: alice.auth, payload: { after: other.id } }, 200);
    await call("deleteList", { method: "DELETE", url: `/api/lists/${other.id}`, headers: alice.auth }, 204);
    const discussed = (
      await call(
        "createTask",
        { method: "POST", url: "/api/tasks", headers: alice.auth, payload: { title: "talk", list_id: list.id } },
        201,
      )
    ).json() as { id: string };
    const note = (
      await call(
        "createComment",
        { method: "POST", url: `/api/tasks/${discussed.id}/comments`, headers: alice.auth, payload: { body: "tour" } },
        201,
      )
    ).json() as { id: string };
    await call("listComments", { method: "GET", url: `/api/tasks/${discussed.id}/comments`, headers: alice.auth }, 200);
    await call(
      "updateComment",
      { method: "PATCH", url: `/api/comments/${note.id}`, headers: alice.auth, payload: { body: "tour 2" } },
      200,
    );
    await call("deleteComment", { method: "DELETE", url: `/api/comments/${note.id}`, headers: alice.auth }, 204);
    await call("listActivity", { method: "GET", url: `/api/lists/${list.id}/activity`, headers: alice.auth }, 200);
    // Sharing: invite bob (accepts), doomed (declines) and an address without an account (revoked).
    const invitations = `/api/lists/${list.id}/invitations`;
    await call(
      "createInvitation",
      { method: "POST", url: invitations, headers: alice.auth, payload: { email: bob.email, role: "editor" } },
      202,
    );
    await call(
      "createInvitation",
      { method: "POST", url: invitations, headers: alice.auth, payload: { email: doomed.email, role: "viewer" } },
      202,
    );
    const unknown = (
      await call(
        "createInvitation",
        { method: "POST", url: invitations, headers: alice.auth, payload: { email: uniqueEmail("nobody"), role: "viewer" } },
        202,
      )
    ).json() as { id: string };
    await call("listInvitations", { method: "GET", url: invitations, headers: alice.auth }, 200);
    await call("revokeInvitation", { method: "DELETE", url: `${invitations}/${unknown.id}`, headers: alice.auth }, 204);
    const incoming = async (user: { auth: Record<string, string> }) =>
      (
        (await call("listIncomingInvitations", { method: "GET", url: "/api/invitations", headers: user.auth }, 200)).json() as {
          id: string;
          list_id: string;
        }[]
      ).find((i) => i.list_id === list.id);
    const forBob = await incoming(bob);
    const forDoomed = await incoming(doomed);
    assert.ok(forBob && forDoomed);
    await call("acceptInvitation", { method: "POST", url: `/api/invitations/${forBob.id}/accept`, headers: bob.auth }, 200);
    await call("declineInvitation", { method: "POST", url: `/api/invitations/${forDoomed.id}/decline`, headers: doomed.auth }, 204);
    await call("listMembers", { method: "GET", url: `/api/lists/${list.id}/members`, headers: bob.auth }, 200);
    await call(
      "updateMember",
      { method: "PATCH", url: `/api/lists/${list.id}/members/${bob.id}`, headers: alice.auth, payload: { role: "viewer" } },
      200,
    );
    await call(
      "transferList",
      { method: "POST", url: `/api/lists/${list.id}/transfer`, headers: alice.auth, payload: { user_id: bob.id } },
      200,
    );
    await call("removeMember", { method: "DELETE", url: `/api/lists/${list.id}/members/${alice.id}`, headers: alice.auth }, 204);
    await call("adminListUsers", { method: "GET", url: "/api/admin/users", headers: admin.auth }, 200);
    await call("adminListUserLists", { method: "GET", url: `/api/admin/users/${bob.id}/lists`, headers: admin.auth }, 200);
    await call("adminGetUser", { method: "GET", url: `/api/admin/users/${victim.id}`, headers: admin.auth }, 200);
    await call("adminListUserTasks", { method: "GET", url: `/api/admin/users/${bob.id}/tasks`, headers: admin.auth }, 200);
    await call(
      "adminUpdateUser",
      { method: "PATCH", url: `/api/admin/users/${victim.id}`, headers: admin.auth, payload: { banned: true, ban_reason: "tour" } },
      200,
    );
    await call("adminDeleteUser", { method: "DELETE", url: `/api/admin/users/${doomed.id}`, headers: admin.auth }, 204);
    await call("adminStats", { method: "GET", url: "/api/admin/stats", headers: admin.auth }, 200);
    await call("adminAuditLog", { method: "GET", url: "/api/admin/audit", headers: admin.auth }, 200);

    const doc = (await inject(t.app, { method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const documented = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    const toured = new Set([
      ...bodies.map((b) => b.op),
      ...[
        "deleteTask",
        "deleteList",
        "deleteComment",
        "revokeInvitation",
        "declineInvitation",
        "removeMember",
        "adminDeleteUser",
        "metrics",
      ],
    ]);
    assert.deepEqual(
      documented.filter((op) => !toured.has(op)),
      [],
      "the tour covers every documented operation",
    );

    const hashes = await t.app.ctx.db.query<{ password: string }>("SELECT password FROM account WHERE password IS NOT NULL");
    const privateKeys = await t.app.ctx.db.query<{ privateKey: string }>('SELECT "privateKey" FROM jwks');
    for (const { op, body, text } of bodies) {
      const flagged = secretLookingKeys(body).filter((k) => !(allowedSecretKeys[op] ?? []).includes(k));
      assert.deepEqual(flagged, [], `${op} returns secret-looking fields`);
      assert.ok(!text.includes("scrypt$"), `${op} returns a password hash`);
      assert.ok(!text.includes(SECRET), `${op} returns the auth secret`);
      for (const { password } of hashes) assert.ok(!text.includes(password.slice(-20)), `${op} returns a password hash`);
      for (const { privateKey } of privateKeys) assert.ok(!text.includes(privateKey.slice(-20)), `${op} returns a private key`);
    }
    const jwks = bodies.find((b) => b.op === "getJwks")?.body as { keys: Record<string, unknown>[] };
    for (const key of jwks.keys)
      for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"]) assert.ok(!(member in key), `JWKS has private member ${member}`);
  });
});

// ------------------------------------------------------------------ API4

describe("API4:2023 unrestricted resource consumption", () => {
  test("page sizes are capped: limit=201 is a 422 on every list, 200 is served", async () => {
    for (const url of ["/api/tasks", `/api/admin/users/${bob.id}/tasks`, "/api/admin/users", "/api/admin/audit"]) {
      const problem = assertProblem(
        await inject(t.app, { method: "GET", url: `${url}?limit=201`, headers: admin.auth }),
        422,
        "validation_failed",
      );
      assert.ok(
        problem.errors?.some((e) => e.field === "limit"),
        url,
      );
      assert.equal((await inject(t.app, { method: "GET", url: `${url}?limit=200`, headers: admin.auth })).statusCode, 200, url);
    }
  });

  test("bodies over 64 KiB are a 413 problem+json on every route that takes a body, the auth routes included", async () => {
    const big = JSON.stringify({ title: "x", description: "y".repeat(66_000) });
    const targets: [string, string, Record<string, string>][] = [
      ["POST", "/api/tasks", alice.auth],
      ["PATCH", `/api/tasks/${bobTasks[0]}`, alice.auth],
      ["PATCH", `/api/admin/users/${bob.id}`, admin.auth],
      ["POST", "/api/auth/sign-up/email", { origin: ORIGIN }],
      ["POST", "/api/auth/sign-in/email", { origin: ORIGIN }],
      ["POST", "/api/auth/update-user", { ...bearer(alice.sessionToken), origin: ORIGIN }],
    ];
    for (const [method, url, headers] of targets) {
      const res = await inject(t.app, {
        method: method as "POST",
        url,
        headers: { ...headers, "content-type": "application/json" },
        payload: big,
      });
      assertProblem(res, 413, "payload_too_large");
    }
  });

  test("every string and list has a limit, and one past it is a 422 naming the field", async () => {
    const cases: [string, string, unknown, string][] = [
      ["POST", "/api/tasks", { title: "t".repeat(256) }, "title"],
      ["POST", "/api/tasks", { title: "x", description: "d".repeat(10_001) }, "description"],
      ["POST", "/api/tasks", { title: "x", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "tags"],
      ["POST", "/api/tasks", { title: "x", tags: ["g".repeat(41)] }, "tags[0]"],
      ["GET", `/api/tasks?q=${"q".repeat(201)}`, undefined, "q"],
      ["GET", `/api/tasks?cursor=${"c".repeat(513)}`, undefined, "cursor"],
      ["GET", `/api/tasks?${Array.from({ length: 21 }, (_, i) => `tag=t${i}`).join("&")}`, undefined, "tag"],
      ["GET", `/api/admin/users?q=${"q".repeat(201)}`, undefined, "q"],
      ["PATCH", `/api/admin/users/${bob.id}`, { banned: true, ban_reason: "r".repeat(501) }, "ban_reason"],
    ];
    for (const [method, url, payload, field] of cases) {
      const headers = url.startsWith("/api/admin") ? admin.auth : alice.auth;
      const res = await inject(t.app, { method: method as "GET", url, headers, ...(payload ? { payload: payload as object } : {}) });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.ok(
        problem.errors?.some((e) => e.field === field),
        `${method} ${url.slice(0, 60)}: ${JSON.stringify(problem.errors)}`,
      );
    }
    const key = await inject(t.app, {
      method: "POST",
      url: "/api/tasks",
      headers: { ...alice.auth, "idempotency-key": "k".repeat(256) },
      payload: { title: "x" },
    });
    assertProblem(key, 422, "validation_failed");
  });

  test("expensive-looking search patterns are literal: %%%%, _, backslashes, regex syntax and very long text answer exactly", async () => {
    const searcher = await createUser(t.app);
    const titles = ["100% sure", "%%%% four", "snake_case", "back\\slash", "(a+)+$ regex", ".* star", "plain words"];
    for (const title of titles) {
      assert.equal(
        (await inject(t.app, { method: "POST", url: "/api/tasks", headers: searcher.auth, payload: { title } })).statusCode,
        201,
      );
    }
    const expected: [string, string[]][] = [
      ["%", ["%%%% four", "100% sure"]],
      ["%%%%", ["%%%% four"]],
      ["_", ["snake_case"]],
      ["\\", ["back\\slash"]],
      ["(a+)+$", ["(a+)+$ regex"]],
      [".*", [".* star"]],
      ["%_%", []],
      ["a".repeat(200), []],
      [`${"%".repeat(100)}${"_".repeat(100)}`, []],
    ];
    for (const [q, want] of expected) {
      const res = await inject(t.app, { method: "GET", url: `/api/tasks?q=${encodeURIComponent(q)}&sort=title`, headers: searcher.auth });
      assert.equal(res.statusCode, 200, q);
      assert.deepEqual((res.json() as { title: string }[]).map((x) => x.title).sort(), [...want].sort(), `q=${q.slice(0, 20)}`);
    }
  });
});

// ------------------------------------------------------------------ API5

describe("API5:2023 broken function level authorization", () => {
  const adminRoutes = () => routesWhere(t.app, (r) => r.url.startsWith("/api/admin/"), bob.id);

  test("the route table's admin routes: no token is 401, a user is 403, a user whose JWT claims admin is still 403", async () => {
    const routes = adminRoutes();
    assert.ok(routes.filter((r) => r.method !== "HEAD").length >= 7, JSON.stringify(routes));
    const claimsAdmin = await forge(t.app, { sub: alice.id, role: "admin" });
    const before = await snapshotOf(t.app, bob.id);
    for (const route of routes) {
      const payload = route.method === "PATCH" ? { payload: { role: "admin" } } : {};
      const where = `${route.method} ${route.url}`;
      const none = await inject(t.app, { method: route.method as "GET", url: route.url, ...payload });
      assert.equal(none.statusCode, 401, where);
      for (const headers of [alice.auth, bearer(claimsAdmin)]) {
        const res = await inject(t.app, { method: route.method as "GET", url: route.url, headers, ...payload });
        assert.equal(res.statusCode, 403, where);
        if (route.method !== "HEAD") assertProblem(res, 403, "forbidden");
      }
    }
    assert.equal(await snapshotOf(t.app, bob.id), before);
  });

  test("a banned admin's unexpired JWT no longer passes the admin gate", async () => {
    const second = await promote(t.app, await createUser(t.app, { email: uniqueEmail("admin2") }));
    assert.equal((await inject(t.app, { method: "GET", url: "/api/admin/stats", headers: second.auth })).statusCode, 200);
    const ban = await inject(t.app, {
      method: "PATCH",
      url: `/api/admin/users/${second.id}`,
      headers: admin.auth,
      payload: { banned: true },
    });
    assert.equal(ban.statusCode, 200);
    assertProblem(await inject(t.app, { method: "GET", url: "/api/admin/stats", headers: second.auth }), 401, "unauthorized");
  });

  test("Better Auth's own admin functions are not reachable, not even for an admin", async () => {
    const api = t.app.ctx.auth.api as unknown as Record<string, { path?: string; options?: { method?: string | string[] } }>;
    const adminEndpoints = Object.values(api).filter((e) => e.path?.startsWith("/admin/"));
    assert.ok(adminEndpoints.length >= 10, "Better Auth's admin plugin is loaded (its endpoints are what is being hidden)");
    for (const endpoint of adminEndpoints) {
      for (const method of [endpoint.options?.method ?? "GET"].flat()) {
        const res = await inject(t.app, {
          method: method as "GET",
          url: `/api/auth${endpoint.path}`,
          headers: { ...bearer(admin.sessionToken), origin: ORIGIN },
          ...(method === "POST" ? { payload: { userId: bob.id, role: "admin" } } : {}),
        });
        assertProblem(res, 404, "not_found");
      }
    }
  });
});

// ------------------------------------------------------------------ API6

describe("API6:2023 unrestricted access to sensitive business flows", () => {
  let rl: TestApp;
  before(async () => {
    rl = await startApp({
      RATE_LIMIT: "on",
      RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: "5",
      RATE_LIMIT_AUTH_PER_ACCOUNT: "3",
      RATE_LIMIT_API_PER_MINUTE: "10",
      LOG_LEVEL: "silent",
    });
  });
  after(() => rl?.close());

  const signUpFrom = (ip: string, email = uniqueEmail("mass")) =>
    inject(rl.app, {
      method: "POST",
      url: "/api/auth/sign-up/email",
      remoteAddress: ip,
      headers: { origin: ORIGIN },
      payload: { email, password: "mass password 1", name: "Mass" },
    });
  const signInFrom = (ip: string, email: string, password: string, headers: Record<string, string> = {}) =>
    inject(rl.app, {
      method: "POST",
      url: "/api/auth/sign-in/email",
      remoteAddress: ip,
      headers: { origin: ORIGIN, ...headers },
      payload: { email, password },
    });

  function assertThrottled(res: Response): void {
    assertProblem(res, 429, "rate_limited");
    const retryAfter = Number(res.headers["retry-after"]);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${res.headers["retry-after"]}`);
  }

  test("mass sign-up from one address is throttled: 429 problem+json with Retry-After, and nothing is created", async () => {
    for (let i = 0; i < 5; i++) assert.equal((await signUpFrom("10.0.0.1")).statusCode, 200);
    const email = uniqueEmail("sixth");
    assertThrottled(await signUpFrom("10.0.0.1", email));
    assert.deepEqual(await rl.app.ctx.db.query(`SELECT 1 FROM "user" WHERE email = $1`, [email]), []);
    assert.equal((await signUpFrom("10.0.0.2")).statusCode, 200, "another address is not affected");
  });

  test("mass sign-in against one account is throttled whatever address it comes from; the right password does not bypass it", async () => {
    const email = uniqueEmail("target");
    assert.equal((await signUpFrom("10.0.1.100", email)).statusCode, 200);
    for (let i = 1; i <= 3; i++) assert.equal((await signInFrom(`10.0.1.${i}`, email, "wrong password")).statusCode, 401);
    assertThrottled(await signInFrom("10.0.1.4", email, "wrong password"));
    assertThrottled(await signInFrom("10.0.1.5", email.toUpperCase(), "mass password 1"));
  });

  test("a spoofed X-Forwarded-For does not reset the per-address limit when TRUST_PROXY is off", async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await signInFrom("10.0.2.1", uniqueEmail("nobody"), "whatever 123", { "x-forwarded-for": `203.0.113.${i}` });
      assert.equal(res.statusCode, 401);
    }
    assertThrottled(
      await signInFrom("10.0.2.1", uniqueEmail("nobody"), "whatever 123", {
        "x-forwarded-for": "198.51.100.7",
        "x-real-ip": "198.51.100.8",
      }),
    );
  });

  test("API traffic beyond the per-user limit is a 429 with Retry-After and RateLimit-* headers; other users go on", async () => {
    const heavy = await signUpWithToken(rl.app, "10.0.3.1");
    const other = await signUpWithToken(rl.app, "10.0.3.2");
    for (let i = 1; i <= 10; i++) {
      const res = await inject(rl.app, { method: "GET", url: "/api/tasks", headers: heavy });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers["ratelimit-limit"], "10");
      assert.equal(res.headers["ratelimit-remaining"], String(10 - i));
      assert.ok(Number(res.headers["ratelimit-reset"]) >= 1);
    }
    const over = await inject(rl.app, { method: "POST", url: "/api/tasks", headers: heavy, payload: { title: "one too many" } });
    assertThrottled(over);
    assert.equal(over.headers["ratelimit-limit"], "10");
    assert.equal(over.headers["ratelimit-remaining"], "0");
    assert.equal((await rl.app.ctx.db.query(`SELECT 1 FROM tasks WHERE title = 'one too many'`)).length, 0);
    assert.equal((await inject(rl.app, { method: "GET", url: "/api/tasks", headers: other })).statusCode, 200);
  });

  async function signUpWithToken(app: App, ip: string): Promise<Record<string, string>> {
    const res = await signUpFrom(ip);
    assert.equal(res.statusCode, 200);
    return bearer(await tokenFor(app, String(res.headers["set-auth-token"])));
  }
});

// ------------------------------------------------------------------ API7

describe("API7:2023 server side request forgery: does not apply", () => {
  // Why: Doable never fetches a URL a client supplies. Its only outbound HTTP is
  // the JWKS of JWT_JWKS_URL, an operator setting read once at start-up (API10
  // covers what that server may send back). These tests keep it that way.

  test("the only outbound HTTP client in the server's code is the JWKS fetch of verify-bearer.ts", () => {
    const outbound = /\bfetch\(|createRemoteJWKSet\(|https?\.(request|get)\(|from "undici"|new WebSocket\(|\.connect\(\{/;
    const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));
    assert.ok(files.length > 20);
    const hits = files.filter((f) => outbound.test(readFileSync(path.join(srcDir, f), "utf8")));
    assert.deepEqual(hits, [path.join("auth", "verify-bearer.ts")]);
  });

  test("URL-looking input is stored as text or refused, token headers naming key URLs are ignored: the server fetches nothing", async () => {
    const trap = await tinyServer();
    try {
      const url = `${trap.url}/steal`;
      const task = await inject(t.app, {
        method: "POST",
        url: "/api/tasks",
        headers: alice.auth,
        payload: { title: url, description: url },
      });
      assert.equal(task.statusCode, 201);
      assert.equal(
        (
          await inject(t.app, {
            method: "POST",
            url: "/api/auth/update-user",
            headers: { ...bearer(alice.sessionToken), origin: ORIGIN },
            payload: { image: url },
          })
        ).statusCode,
        422,
      );
      const signInWithCallback = await inject(t.app, {
        method: "POST",
        url: "/api/auth/sign-in/email",
        headers: { origin: ORIGIN },
        payload: { email: bob.email, password: "wrong password", callbackURL: url },
      });
      assert.equal(signInWithCallback.statusCode, 422);
      const claims = { sub: alice.id, iss: ORIGIN, aud: ORIGIN, iat: now(), exp: now() + 600 };
      const { privateKey } = await generateKeyPair("RS256");
      for (const header of [
        { alg: "RS256", kid: "k1", jku: `${trap.url}/jwks` },
        { alg: "RS256", kid: "k1", x5u: `${trap.url}/cert` },
        { alg: "EdDSA", kid: `${trap.url}/kid` },
      ]) {
        const token =
          header.alg === "RS256"
            ? await new SignJWT(claims).setProtectedHeader(header).sign(privateKey)
            : `${b64(header)}.${b64(claims)}.AAAA`;
        assertProblem(await inject(t.app, { method: "GET", url: "/api/me", headers: bearer(token) }), 401, "unauthorized");
      }
      await sleep(200);
      assert.equal(trap.hits(), 0, "the server made no request to the URLs it was given");
    } finally {
      await trap.close();
    }
  });
});

// ------------------------------------------------------------------ API8

describe("API8:2023 security misconfiguration", () => {
  test("security headers are on API answers, errors and the router's own errors; no X-Powered-By", async () => {
    const responses: [string, Response][] = [
      ["200", await inject(t.app, { method: "GET", url: "/api/tasks", headers: alice.auth })],
      ["401", await inject(t.app, { method: "GET", url: "/api/tasks" })],
      ["404", await inject(t.app, { method: "GET", url: "/api/nothing" })],
      ["405", await inject(t.app, { method: "TRACE", url: "/api/tasks" })],
      ["auth", await inject(t.app, { method: "GET", url: "/api/auth/get-session" })],
    ];
    for (const [name, res] of responses) {
      assert.equal(res.headers["x-content-type-options"], "nosniff", name);
      assert.match(String(res.headers["content-security-policy"]), /default-src 'self'.*frame-ancestors 'none'/, name);
      assert.equal(res.headers["x-frame-options"], "SAMEORIGIN", name);
      assert.equal(res.headers["referrer-policy"], "no-referrer", name);
      assert.equal(res.headers["cross-origin-resource-policy"], "same-origin", name);
      assert.equal(res.headers["x-powered-by"], undefined, name);
      assert.equal(res.headers["strict-transport-security"], undefined, `${name}: no HSTS on a plain-http deployment`);
    }
    for (const url of ["/api/tasks/%zz", `/api/tasks/${"a".repeat(300)}`]) {
      const res = await inject(t.app, { method: "GET", url, headers: alice.auth });
      assert.equal(res.headers["x-content-type-options"], "nosniff", url);
      assert.ok(String(res.headers["content-type"]).startsWith("application/problem+json"), url);
    }
  });

  test("HSTS is sent when the public URL is https", async () => {
    const https = await startApp({ BETTER_AUTH_URL: "https://tasks.example.com", LOG_LEVEL: "silent" });
    try {
      const res = await inject(https.app, { method: "GET", url: "/healthz" });
      assert.match(String(res.headers["strict-transport-security"]), /max-age=\d{7,}/);
    } finally {
      await https.close();
    }
  });

  test("router errors (bad percent-encoding, an over-long id) are problem+json with the request id, not Fastify's defaults", async () => {
    const badUrl = await inject(t.app, { method: "GET", url: "/api/tasks/%zz", headers: { ...alice.auth, "x-request-id": "req-bad-url" } });
    const problem = assertProblem(badUrl, 400, "bad_request");
    assert.equal(problem.request_id, "req-bad-url");
    assert.doesNotMatch(badUrl.body, /FST_ERR|statusCode/);
    for (const url of [`/api/tasks/${"a".repeat(201)}`, `/api/admin/users/${"a".repeat(300)}/tasks`]) {
      const res = await inject(t.app, { method: "PATCH", url, headers: admin.auth, payload: { title: "x" } });
      assertProblem(res, 404, "not_found");
      assert.doesNotMatch(res.body, /FST_ERR|a{50}/);
    }
  });

  test("CORS is off unless configured, and credentials are allowed only for the configured origins", async () => {
    const preflight = (app: App, origin: string) =>
      inject(app, {
        method: "OPTIONS",
        url: "/api/tasks",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
    const allowed = await preflight(t.app, "https://app.example.com");
    assert.equal(allowed.headers["access-control-allow-origin"], "https://app.example.com");
    assert.equal(allowed.headers["access-control-allow-credentials"], "true");
    assert.match(String(allowed.headers.vary), /origin/i);
    for (const origin of ["https://evil.example", "null", "https://app.example.com.evil.example", "http://app.example.com"]) {
      for (const res of [
        await preflight(t.app, origin),
        await inject(t.app, { method: "GET", url: "/api/tasks", headers: { ...alice.auth, origin } }),
      ]) {
        assert.equal(res.headers["access-control-allow-origin"], undefined, origin);
        assert.equal(res.headers["access-control-allow-credentials"], undefined, origin);
      }
    }
    const plain = await startApp({ LOG_LEVEL: "silent" });
    try {
      for (const res of [
        await preflight(plain.app, "https://app.example.com"),
        await inject(plain.app, { method: "GET", url: "/healthz", headers: { origin: "https://app.example.com" } }),
      ]) {
        assert.equal(res.headers["access-control-allow-origin"], undefined);
        assert.equal(res.headers["access-control-allow-credentials"], undefined);
      }
    } finally {
      await plain.close();
    }
  });

  test("no stack traces or internals in any error, even an unexpected one", async () => {
    const original = t.app.ctx.db.query;
    t.app.ctx.db.query = async () => {
      throw Object.assign(new Error("syntax error at or near SELECT in /srv/doable/src/tasks/queries.ts:42"), { code: "42601" });
    };
    try {
      const res = await inject(t.app, { method: "GET", url: "/api/tasks", headers: alice.auth });
      assertProblem(res, 500, "internal");
      assert.doesNotMatch(res.body, /syntax|queries\.ts|\/srv|at .+:\d+|stack/);
    } finally {
      t.app.ctx.db.query = original;
    }
    for (const opts of [
      { method: "POST", url: "/api/tasks", headers: { ...alice.auth, "content-type": "application/json" }, payload: "{bad" },
      { method: "POST", url: "/api/auth/sign-in/email", headers: { origin: ORIGIN, "content-type": "application/json" }, payload: "{bad" },
      { method: "GET", url: "/api/tasks?cursor=eyJ9", headers: alice.auth },
    ] as InjectOptions[]) {
      const res = await inject(t.app, opts);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${opts.url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /at .+\.(ts|js|mjs):\d+|node_modules|SyntaxError|Unexpected token/, String(opts.url));
    }
  });

  test("no debug, framework-default or Better Auth-internal routes answer", async () => {
    const probes: [string, string][] = [
      ["GET", "/debug"],
      ["GET", "/api/debug"],
      ["GET", "/api/auth/admin/list-users"],
      ["POST", "/api/auth/admin/impersonate-user"],
      ["POST", "/api/auth/admin/stop-impersonating"],
      ["GET", "/api/auth/reference"],
      ["GET", "/api/auth/open-api/generate-schema"],
      ["GET", "/api/auth/error"],
      ["POST", "/api/auth/sign-jwt"],
      ["GET", "/documentation"],
      ["GET", "/documentation/json"],
      ["GET", "/swagger.json"],
      ["GET", "/.env"],
      ["GET", "/api/.env"],
      ["GET", "/server-status"],
    ];
    for (const [method, url] of probes) {
      const res = await inject(t.app, {
        method: method as "GET",
        url,
        headers: { ...bearer(admin.sessionToken), origin: ORIGIN },
        ...(method === "POST" ? { payload: { userId: bob.id } } : {}),
      });
      assertProblem(res, 404, "not_found");
    }
  });
});

// ------------------------------------------------------------------ API9

describe("API9:2023 improper inventory management", () => {
  let doc: { servers: { url: string }[]; paths: Record<string, Record<string, { operationId: string }>> };
  before(async () => {
    doc = (await inject(t.app, { method: "GET", url: "/openapi.json" })).json();
  });
  const key = (method: string, url: string) => `${method} ${url.replace(/:([A-Za-z_]+)/g, "{$1}")}`;

  test("every served route is documented and every documented operation is served", () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => key(m.toUpperCase(), p))));
    const served = new Set(t.app.routeTable.filter((r) => !r.hidden && r.method !== "HEAD").map((r) => key(r.method, r.url)));
    assert.deepEqual(
      [...served].filter((r) => !documented.has(r)),
      [],
      "served but undocumented",
    );
    assert.deepEqual(
      [...documented].filter((r) => !served.has(r)),
      [],
      "documented but not served",
    );
    assert.equal(doc.servers[0]?.url, ORIGIN);
  });

  test("the only undocumented routes are the document, its viewer and the 404 catch-all of /api/auth", () => {
    const hidden = new Set(t.app.routeTable.filter((r) => r.hidden && r.method !== "HEAD").map((r) => key(r.method, r.url)));
    // OPTIONS * is @fastify/cors answering preflights (only when CORS_ORIGINS is set).
    const expected = ["GET /openapi.json", "GET /docs", "GET /docs/", "GET /docs/js/scalar.js", "OPTIONS *"];
    for (const k of hidden) {
      assert.ok(expected.includes(k) || k.endsWith(" /api/auth/*"), `undocumented route ${k}`);
    }
  });

  test("every Better Auth endpoint Doable does not document answers 404", async () => {
    const documented = new Set(Object.keys(doc.paths));
    const api = t.app.ctx.auth.api as unknown as Record<string, { path?: string; options?: { method?: string | string[] } }>;
    const hidden = Object.values(api).filter((e) => e.path && !documented.has(`/api/auth${e.path}`));
    assert.ok(hidden.length >= 30, `${hidden.length} hidden Better Auth endpoints`);
    for (const endpoint of hidden) {
      for (const method of [endpoint.options?.method ?? "GET"].flat()) {
        const url = `/api/auth${endpoint.path?.replace(/:[A-Za-z]+/g, "x")}`;
        const res = await inject(t.app, {
          method: method as "GET",
          url,
          headers: { ...bearer(alice.sessionToken), origin: ORIGIN },
          ...(method === "POST" ? { payload: {} } : {}),
        });
        assertProblem(res, 404, "not_found");
      }
    }
  });

  test("guessed versions and old paths do not answer", async () => {
    for (const url of ["/api/v1/tasks", "/api/v2/tasks", "/api/tasks.json", "/api/users", "/api/admin", "/api/admin/", "/api"]) {
      assertProblem(await inject(t.app, { method: "GET", url, headers: admin.auth }), 404, "not_found");
    }
  });
});

// ------------------------------------------------------------------ API10

describe("API10:2023 unsafe consumption of APIs: the external JWKS", () => {
  let jwks: Awaited<ReturnType<typeof tinyServer>>;
  let ext: TestApp;
  let local: TestUser;
  let externalToken: (claims?: Record<string, unknown>, kid?: string) => Promise<string>;
  let goodJwks: string;

  before(async () => {
    jwks = await tinyServer();
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    goodJwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "ext-2", alg: "ES256", use: "sig" }] });
    ext = await startApp({ JWT_JWKS_URL: `${jwks.url}/jwks`, LOG_LEVEL: "silent" });
    local = await createUser(ext.app);
    externalToken = (claims = {}, kid = "ext-1") =>
      new SignJWT({ sub: local.id, iss: jwks.url, aud: jwks.url, ...claims })
        .setProtectedHeader({ alg: "ES256", kid })
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(privateKey);
  });
  after(async () => {
    await ext?.close();
    await jwks?.close();
  });

  // Answers that fail the fetch itself, so nothing is cached and each test reaches the server afresh.
  const behaviours: [string, (req: IncomingMessage, res: ServerResponse) => void][] = [
    ["not JSON", (_q, res) => res.end("<html>oops</html>")],
    ["JSON that is no key set", (_q, res) => res.setHeader("content-type", "application/json").end('{"keys":"nope"}')],
    ["a 500", (_q, res) => res.writeHead(500).end("down")],
    ["a redirect to itself", (_q, res) => res.writeHead(302, { location: "/jwks" }).end()],
    ["16 MB of garbage", (_q, res) => res.end(Buffer.alloc(16 * 1024 * 1024, 0x7b))],
    [
      "a connection cut mid-body",
      (_q, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"keys":[');
        setTimeout(() => res.destroy(), 50);
      },
    ],
  ];
  for (const [name, behaviour] of behaviours) {
    test(`a JWKS server answering with ${name}: the external token is a 401, never a 500`, async () => {
      jwks.handle(behaviour);
      const hits = jwks.hits();
      const res = await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(await externalToken({ name })) });
      assertProblem(res, 401, "unauthorized");
      assert.ok(jwks.hits() > hits, "the JWKS server was asked");
    });
  }

  test("a JWKS server that hangs: the external token fails with 401, and the API answers everyone else meanwhile", async () => {
    const hits = jwks.hits();
    jwks.handle(() => {});
    const hanging = inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(await externalToken({ n: 1 })) });
    const order: string[] = [];
    const stuck = hanging.then((res) => {
      order.push("external");
      return res;
    });
    while (jwks.hits() === hits) await sleep(10);
    const meanwhile = await inject(ext.app, { method: "GET", url: "/api/tasks", headers: local.auth });
    order.push("local");
    assert.equal(meanwhile.statusCode, 200);
    assertProblem(await stuck, 401, "unauthorized");
    assert.deepEqual(order, ["local", "external"], "a local request is not held up behind the JWKS fetch");
  });

  test("a JWKS whose key cannot be imported (it parses, so it is cached): the external token is a 401, never a 500", async () => {
    jwks.handle((_q, res) => res.end(JSON.stringify({ keys: [{ kty: "EC", kid: "ext-1", crv: "P-256", x: "AAAA", y: 7 }] })));
    const hits = jwks.hits();
    assertProblem(
      await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(await externalToken({ n: "shape" })) }),
      401,
      "unauthorized",
    );
    assert.ok(jwks.hits() > hits, "the JWKS server was asked");
  });

  test("the control, and the binding of key sources to issuers: a good JWKS works; its key cannot speak for this server and vice versa", async () => {
    jwks.handle((_q, res) => res.setHeader("content-type", "application/json").end(goodJwks));
    // A kid the cached set lacks makes jose fetch again, once its 5 s cool-down after the last fetch has passed.
    let res = await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(await externalToken({}, "ext-2")) });
    for (let i = 0; i < 100 && res.statusCode === 401; i++) {
      await sleep(100);
      res = await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(await externalToken({ n: i }, "ext-2")) });
    }
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { id: string }).id, local.id);
    const asThisServer = await externalToken({ iss: "http://127.0.0.1:3000", aud: "http://127.0.0.1:3000" }, "ext-2");
    assertProblem(await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(asThisServer) }), 401, "unauthorized");
    const localSignedForExternal = await forge(ext.app, { sub: local.id, iss: jwks.url, aud: jwks.url });
    assertProblem(await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(localSignedForExternal) }), 401, "unauthorized");
    const unknownUser = await externalToken({ sub: "someone-this-database-never-had" }, "ext-2");
    assertProblem(await inject(ext.app, { method: "GET", url: "/api/me", headers: bearer(unknownUser) }), 401, "unauthorized");
  });
});
