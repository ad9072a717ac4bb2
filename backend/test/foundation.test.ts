import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { validate } from "@readme/openapi-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import type { InjectOptions } from "light-my-request";
import { ConfigError, loadConfig } from "../src/config.ts";
import { prettyLogStream, wantsPrettyLogs } from "../src/http/logging.ts";
import { isDocsViewerLoaded } from "../src/http/openapi.ts";
import { assertProblem, createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";

let t: TestApp;
let user: TestUser;

before(async () => {
  t = await startApp({ CORS_ORIGINS: "https://app.example.com" });
  user = await createUser(t.app);
});
after(() => t.close());

describe("errors are problem+json", () => {
  const cases: {
    name: string;
    req: () => InjectOptions;
    status: number;
    code: string;
    field?: string;
  }[] = [
    { name: "unknown API path", req: () => ({ method: "GET", url: "/api/nothing-here" }), status: 404, code: "not_found" },
    {
      name: "unknown path outside the API without a web build",
      req: () => ({ method: "GET", url: "/some/page" }),
      status: 404,
      code: "not_found",
    },
    {
      name: "wrong method",
      req: () => ({ method: "DELETE", url: "/api/tasks", headers: user.auth }),
      status: 405,
      code: "method_not_allowed",
    },
    {
      name: "malformed JSON",
      req: () => ({
        method: "POST",
        url: "/api/tasks",
        headers: { ...user.auth, "content-type": "application/json" },
        payload: '{"title": ',
      }),
      status: 400,
      code: "bad_request",
    },
    {
      name: "empty JSON body where a body is required",
      req: () => ({ method: "POST", url: "/api/tasks", headers: { ...user.auth, "content-type": "application/json" }, payload: "" }),
      status: 422,
      code: "validation_failed",
      field: "body",
    },
    {
      name: "deeply nested JSON",
      req: () => ({
        method: "POST",
        url: "/api/tasks",
        headers: { ...user.auth, "content-type": "application/json" },
        payload: `{"title":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
      }),
      status: 422,
      code: "validation_failed",
      field: "title",
    },
    {
      name: "wrong content type",
      req: () => ({ method: "POST", url: "/api/tasks", headers: { ...user.auth, "content-type": "text/plain" }, payload: "title=x" }),
      status: 415,
      code: "unsupported_media_type",
    },
    {
      name: "oversized body",
      req: () => ({
        method: "POST",
        url: "/api/tasks",
        headers: { ...user.auth, "content-type": "application/json" },
        payload: JSON.stringify({ title: "x", description: "y".repeat(70_000) }),
      }),
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "validation failure names the field",
      req: () => ({ method: "POST", url: "/api/tasks", headers: user.auth, payload: { title: 42 } }),
      status: 422,
      code: "validation_failed",
      field: "title",
    },
    {
      name: "NUL byte in a title",
      req: () => ({ method: "POST", url: "/api/tasks", headers: user.auth, payload: { title: "a\u0000b" } }),
      status: 422,
      code: "validation_failed",
      field: "title",
    },
    { name: "no token", req: () => ({ method: "GET", url: "/api/tasks" }), status: 401, code: "unauthorized" },
    {
      name: "bad query value",
      req: () => ({ method: "GET", url: "/api/tasks?limit=0", headers: user.auth }),
      status: 422,
      code: "validation_failed",
      field: "limit",
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const res = await t.app.inject(c.req());
      const problem = assertProblem(res, c.status, c.code);
      assert.ok(problem.detail.length > 0);
      if (c.field)
        assert.ok(
          problem.errors?.some((e) => e.field === c.field),
          JSON.stringify(problem.errors),
        );
      if (c.status === 401) assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
      if (c.status === 405) assert.equal(res.headers.allow, "GET, HEAD, POST");
    });
  }

  test("an unexpected exception is a 500 with nothing internal in the body", async () => {
    const original = t.app.ctx.db.query;
    t.app.ctx.db.query = async () => {
      throw new Error("relation secret_internal_table does not exist at /srv/app.ts:42");
    };
    try {
      const res = await t.app.inject({ method: "GET", url: "/api/me", headers: user.auth });
      const problem = assertProblem(res, 500, "internal");
      assert.doesNotMatch(res.body, /secret_internal_table|\.ts:|stack/);
      assert.equal(problem.detail, "Something went wrong on our side; the error has been logged.");
      assert.ok(
        t.logs.some((l) => l.includes("secret_internal_table")),
        "the details are in the log",
      );
    } finally {
      t.app.ctx.db.query = original;
    }
  });
});

describe("HTTP behaviour", () => {
  test("X-Request-Id: a sane incoming id is kept, an insane one replaced", async () => {
    const kept = await t.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "abc-123" } });
    assert.equal(kept.headers["x-request-id"], "abc-123");
    const replaced = await t.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "bad id\twith spaces" } });
    assert.match(String(replaced.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
  });

  test("security headers are set", async () => {
    const res = await t.app.inject({ method: "GET", url: "/healthz" });
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.match(String(res.headers["content-security-policy"]), /default-src 'self'/);
    assert.equal(res.headers["x-frame-options"], "SAMEORIGIN");
  });

  test("CORS answers only the configured origins", async () => {
    const allowed = await t.app.inject({
      method: "OPTIONS",
      url: "/api/tasks",
      headers: { origin: "https://app.example.com", "access-control-request-method": "GET" },
    });
    assert.equal(allowed.headers["access-control-allow-origin"], "https://app.example.com");
    const denied = await t.app.inject({ method: "GET", url: "/healthz", headers: { origin: "https://evil.example" } });
    assert.equal(denied.headers["access-control-allow-origin"], undefined);
  });

  test("health, readiness and metrics", async () => {
    assert.deepEqual((await t.app.inject({ method: "GET", url: "/healthz" })).json(), { status: "ok" });
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: "ready", database: true, migrations: true });
    const metrics = await t.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /http_requests_total\{method="GET",route="\/readyz",status="200"\} \d+/);
    assert.match(metrics.body, /http_request_duration_seconds_bucket/);
    assert.match(metrics.body, /process_resident_memory_bytes/);
    assert.match(metrics.body, /db_pool_total_connections/);
  });

  test("readiness is 503 when migrations are missing", async () => {
    await t.app.ctx.db.query("DELETE FROM doable_migrations WHERE tag = '0001_search_indexes'");
    try {
      const res = await t.app.inject({ method: "GET", url: "/readyz" });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: "unavailable", database: true, migrations: false });
    } finally {
      await t.app.ctx.db.query("INSERT INTO doable_migrations (tag) VALUES ('0001_search_indexes')");
    }
  });
});

describe("OpenAPI", () => {
  test("the API reference at /docs is loaded on its first request, and served with its own CSP", async () => {
    await t.app.inject({ method: "GET", url: "/api/me", headers: user.auth });
    assert.equal(isDocsViewerLoaded(), false, "the viewer is not loaded by starting or by API traffic");

    const bare = await t.app.inject({ method: "GET", url: "/docs" });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, "/docs/");

    const page = await t.app.inject({ method: "GET", url: "/docs/" });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    assert.match(page.body, /<title>Doable API<\/title>/);
    assert.match(page.body, /src="js\/scalar\.js"/);
    assert.match(page.body, /\/openapi\.json/);
    assert.match(String(page.headers["content-security-policy"]), /^default-src 'self'; script-src 'self' 'unsafe-inline'/);
    assert.equal(page.headers["x-content-type-options"], "nosniff", "the usual security headers too");
    assert.equal(isDocsViewerLoaded(), true);

    const script = await t.app.inject({ method: "GET", url: "/docs/js/scalar.js" });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers["content-type"]), /^application\/javascript/);
    assert.ok(script.rawPayload.length > 1_000_000, `the viewer's bundle (${script.rawPayload.length} bytes)`);
    assert.equal((await t.app.inject({ method: "GET", url: "/docs/nothing-here" })).statusCode, 404);
  });

  test("lints clean under Redocly's recommended rules (errors and warnings)", async () => {
    const source = (await t.app.inject({ method: "GET", url: "/openapi.json" })).body;
    const problems = await lintFromString({
      source,
      absoluteRef: "/openapi.json",
      config: await createConfig({ extends: ["recommended"] }),
    });
    assert.deepEqual(
      problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`),
      [],
    );
  });

  test("is valid OpenAPI 3.1 and documents every route the app serves", async () => {
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; servers: unknown[]; paths: Record<string, Record<string, Record<string, unknown>>> };
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.servers.length > 0);
    const result = await validate(structuredClone(doc) as never);
    assert.equal(result.valid, true, JSON.stringify(result).slice(0, 2000).slice(0, 2000));

    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        assert.ok(op.operationId, `${method} ${path} has an operationId`);
        assert.ok(op.summary, `${method} ${path} has a summary`);
        assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${method} ${path} has tags`);
      }
    }
    const served = new Set<string>();
    for (const route of t.app.routeTable) {
      if (route.hidden || route.method === "HEAD") continue;
      served.add(`${route.method} ${route.url.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
    }
    const undocumented = [...served].filter((r) => !documented.has(r));
    assert.deepEqual(undocumented, [], "every served route is documented");
    for (const r of ["GET /api/tasks", "POST /api/tasks", "PATCH /api/tasks/{id}/complete", "GET /api/admin/audit", "GET /api/me"]) {
      assert.ok(documented.has(r), r);
    }
  });
});

describe("logs", () => {
  test("never contain bearer tokens, cookies or passwords", async () => {
    await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { origin: "http://127.0.0.1:3000", cookie: "better-auth.session_token=supersecretcookievalue" },
      payload: { email: user.email, password: user.password },
    });
    await t.app.inject({ method: "GET", url: "/api/tasks?token=querysecretvalue", headers: user.auth });
    const all = t.logs.join("\n");
    assert.ok(all.includes('"route":"/api/tasks"'), "request lines are logged");
    assert.ok(!all.includes(user.jwt), "no JWT");
    assert.ok(!all.includes(user.sessionToken.split(".")[0] as string), "no session token");
    assert.ok(!all.includes("supersecretcookievalue"), "no cookie");
    assert.ok(!all.includes(user.password), "no password");
    assert.ok(!all.includes("querysecretvalue"), "no token in a logged URL");
  });
});

describe("log format", () => {
  const config = (env: Record<string, string>) => loadConfig({ DATABASE_URL: "memory://", ...env });
  test("readable lines in development at a terminal, JSON when piped, in production, or when asked", () => {
    assert.equal(wantsPrettyLogs(config({}), true), true);
    assert.equal(wantsPrettyLogs(config({}), false), false);
    assert.equal(wantsPrettyLogs(config({ NODE_ENV: "test" }), true), false);
    assert.equal(
      wantsPrettyLogs(config({ NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(40), BETTER_AUTH_URL: "https://t.example" }), true),
      false,
    );
    assert.equal(wantsPrettyLogs(config({ LOG_FORMAT: "json" }), true), false);
    assert.equal(wantsPrettyLogs(config({ LOG_FORMAT: "pretty" }), false), true);
  });

  test("readable lines are request lines without secrets", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const pretty = await startApp({}, undefined, await prettyLogStream({ colorize: false, destination }));
    try {
      const someone = await createUser(pretty.app);
      await pretty.app.inject({ method: "GET", url: "/api/tasks?token=querysecretvalue", headers: someone.auth });
      const text = lines.join("");
      assert.match(text, /INFO.*: request\n/);
      assert.match(text, /route: "\/api\/tasks"/);
      assert.ok(!text.trimStart().startsWith("{"), "not JSON");
      assert.ok(!text.includes(someone.jwt) && !text.includes("querysecretvalue"), "secrets stay redacted");
    } finally {
      await pretty.close();
    }
  });
});

describe("configuration", () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ NODE_ENV: "production", BETTER_AUTH_URL: "https://x.example" }, "BETTER_AUTH_SECRET"],
    [{ NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(40) }, "BETTER_AUTH_URL"],
    [{ BETTER_AUTH_SECRET: "short" }, "BETTER_AUTH_SECRET"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ RATE_LIMIT: "maybe" }, "RATE_LIMIT"],
    [{ JWT_SECRET: "tooshort" }, "JWT_SECRET"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ LOG_FORMAT: "fancy" }, "LOG_FORMAT"],
    [{ TRUST_PROXY: "everyone" }, "TRUST_PROXY"],
  ];
  for (const [env, variable] of cases) {
    test(`${JSON.stringify(env)} is refused naming ${variable}`, () => {
      assert.throws(
        () => loadConfig({ DATABASE_URL: "memory://", ...env }),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.startsWith(`${variable}:`),
      );
    });
  }
  test("production with a secret and a URL is accepted", () => {
    const c = loadConfig({
      NODE_ENV: "production",
      BETTER_AUTH_SECRET: "x".repeat(40),
      BETTER_AUTH_URL: "https://tasks.example.com/",
      DATABASE_URL: "memory://",
    });
    assert.equal(c.publicUrl, "https://tasks.example.com");
  });
});
