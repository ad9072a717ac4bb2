import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertProblem, createUser, promote, signIn, startApp, type TestApp, type TestUser, tokenFor } from "./helpers.ts";
import { createList, share } from "./sharing-helpers.ts";

let t: TestApp;
let root: TestUser;
let member: TestUser;

before(async () => {
  t = await startApp();
  root = await promote(t.app, await createUser(t.app, { name: "Root Admin" }));
  member = await createUser(t.app, { name: "Member" });
  for (const title of ["one", "two", "three"]) {
    await t.app.inject({ method: "POST", url: "/api/tasks", headers: member.auth, payload: { title } });
  }
});
after(() => t.close());

const as = (u: TestUser) => u.auth;
const req = (u: TestUser | null, method: "GET" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: u ? as(u) : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function auditEntries(filter: { actor?: string; target?: string; action?: string } = {}) {
  const rows = await t.app.ctx.db.query<{ actor_id: string; action: string; target_user_id: string | null; request_id: string }>(
    `SELECT actor_id, action, target_user_id, request_id FROM audit_log
      WHERE ($1::text IS NULL OR actor_id = $1) AND ($2::text IS NULL OR target_user_id = $2) AND ($3::text IS NULL OR action = $3)
      ORDER BY created_at, id`,
    [filter.actor ?? null, filter.target ?? null, filter.action ?? null],
  );
  return rows;
}

/** Walks any JSON value and returns the keys that look like secrets. */
function secretKeys(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretKeys(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(/password|hash|token|secret|key/i.test(k) ? [`${path}.${k}`] : []),
      ...secretKeys(v, `${path}.${k}`),
    ]);
  }
  return [];
}

describe("the admin gate", () => {
  test("every /api/admin route (from the app's own route table) is 401 without a token and 403 for a non-admin", async () => {
    const adminRoutes = t.app.routeTable.filter((r) => r.url.startsWith("/api/admin") && r.method !== "HEAD");
    assert.ok(adminRoutes.length >= 7, `found ${adminRoutes.length} admin routes`);
    for (const route of adminRoutes) {
      const url = route.url.replace(":id", member.id);
      const payload = route.method === "PATCH" ? { role: "admin" } : undefined;
      const method = route.method as "GET" | "PATCH" | "DELETE";
      assertProblem(await req(null, method, url, payload), 401, "unauthorized");
      assertProblem(await req(member, method, url, payload), 403, "forbidden");
    }
    // Nothing changed through those attempts.
    const row = (await t.app.ctx.db.query<{ role: string }>(`SELECT role FROM "user" WHERE id = $1`, [member.id]))[0];
    assert.equal(row?.role, "user");
  });

  test("promote gives access; demote takes it away on the next call even with a JWT minted before", async () => {
    const helper = await createUser(t.app);
    assertProblem(await req(helper, "GET", "/api/admin/stats"), 403, "forbidden");
    const promoted = await req(root, "PATCH", `/api/admin/users/${helper.id}`, { role: "admin" });
    assert.equal(promoted.statusCode, 200);
    assert.equal((promoted.json() as { role: string }).role, "admin");
    const adminJwt = await tokenFor(t.app, helper.sessionToken);
    const asAdmin = { ...helper, auth: { authorization: `Bearer ${adminJwt}` } };
    assert.equal((await req(asAdmin, "GET", "/api/admin/stats")).statusCode, 200);
    assert.equal((await req(root, "PATCH", `/api/admin/users/${helper.id}`, { role: "user" })).statusCode, 200);
    // The JWT still claims admin; the gate reads the database.
    assert.equal(JSON.parse(Buffer.from(adminJwt.split(".")[1] as string, "base64url").toString()).role, "admin");
    assertProblem(await req(asAdmin, "GET", "/api/admin/stats"), 403, "forbidden");
  });
});

describe("users", () => {
  test("list: newest first, task counts, search, filters and keyset paging", async () => {
    const res = await req(root, "GET", "/api/admin/users?limit=200");
    assert.equal(res.statusCode, 200);
    const users = res.json() as {
      id: string;
      email: string;
      name: string;
      role: string;
      banned: boolean;
      created_at: string;
      task_count: number;
    }[];
    const m = users.find((u) => u.id === member.id);
    assert.deepEqual(Object.keys(m ?? {}).sort(), ["banned", "created_at", "email", "id", "name", "role", "task_count"]);
    assert.equal(m?.task_count, 3);
    assert.equal(m?.email, member.email);
    const times = users.map((u) => u.created_at);
    assert.deepEqual(times, [...times].sort().reverse(), "newest first");

    const found = (await req(root, "GET", `/api/admin/users?q=${encodeURIComponent(member.email.slice(0, 12).toUpperCase())}`)).json() as {
      id: string;
    }[];
    assert.deepEqual(
      found.map((u) => u.id),
      [member.id],
    );
    const acrossFields = (await req(root, "GET", `/api/admin/users?q=${encodeURIComponent(".com\nMem")}`)).json() as unknown[];
    assert.deepEqual(acrossFields, [], "a match may not span the email and the name");
    const admins = (await req(root, "GET", "/api/admin/users?role=admin")).json() as { role: string }[];
    assert.ok(admins.length >= 1 && admins.every((u) => u.role === "admin"));

    const seen: string[] = [];
    let url: string | null = "/api/admin/users?limit=1";
    while (url) {
      const page = await req(root, "GET", url);
      assert.equal(page.statusCode, 200);
      seen.push(...(page.json() as { id: string }[]).map((u) => u.id));
      const link = page.headers.link as string | undefined;
      url = link ? new URL(/<([^>]+)>/.exec(link)?.[1] as string).pathname + new URL(/<([^>]+)>/.exec(link)?.[1] as string).search : null;
    }
    assert.deepEqual(
      seen,
      users.map((u) => u.id),
      "paging one by one yields the same list",
    );
  });

  test("detail has task counts; unknown users are 404", async () => {
    await t.app.ctx.db.query(`UPDATE tasks SET due_at = now() - interval '1 day' WHERE user_id = $1 AND title = 'one'`, [member.id]);
    await t.app.ctx.db.query(`UPDATE tasks SET completed = true, completed_at = now() WHERE user_id = $1 AND title = 'two'`, [member.id]);
    const res = await req(root, "GET", `/api/admin/users/${member.id}`);
    assert.equal(res.statusCode, 200);
    const body = res.json() as Record<string, unknown>;
    assert.deepEqual(body.task_counts, { total: 3, completed: 1, overdue: 1 });
    assert.equal(body.ban_reason, null);
    assert.equal(body.ban_expires_at, null);
    assertProblem(await req(root, "GET", "/api/admin/users/no-such-user"), 404, "not_found");
  });

  test("a user's tasks: same filters as /api/tasks, 404 for an unknown user, and the read is audited", async () => {
    const res = await req(root, "GET", `/api/admin/users/${member.id}/tasks?sort=title&status=pending`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      (res.json() as { title: string; user_id: string }[]).map((x) => [x.title, x.user_id]),
      [
        ["one", member.id],
        ["three", member.id],
      ],
    );
    assertProblem(await req(root, "GET", "/api/admin/users/nobody/tasks"), 404, "not_found");
    assertProblem(await req(root, "GET", `/api/admin/users/${member.id}/tasks?sort=sideways`), 422, "validation_failed");
    const entries = await auditEntries({ actor: root.id, target: member.id, action: "user.tasks.list" });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.request_id, res.headers["x-request-id"]);
  });

  test("a user's lists: owned and shared with them, each with their role, the owner and the member count; read-only and audited", async () => {
    const ann = await createUser(t.app, { name: "Ann" });
    const bob = await createUser(t.app, { name: "Bob" });
    const carol = await createUser(t.app, { name: "Carol" });
    const annsList = await createList(t.app, ann, "Ann's errands");
    await share(t.app, ann, annsList.id, bob, "editor");
    const bobsList = await createList(t.app, bob, "Bob's trip");
    await share(t.app, bob, bobsList.id, ann, "viewer");
    await share(t.app, bob, bobsList.id, carol, "editor");
    await createList(t.app, bob, "Bob alone");
    const state = () =>
      t.app.ctx.db.query(
        "SELECT l.id::text, l.version, l.updated_at::text, m.user_id, m.role, m.position FROM lists l JOIN list_members m ON m.list_id = l.id ORDER BY 1, 4",
      );
    const before = await state();

    const res = await req(root, "GET", `/api/admin/users/${ann.id}/lists`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers["cache-control"], "no-store");
    assert.deepEqual(
      (res.json() as { name: string; role: string; owner_id: string; member_count: number; is_inbox: boolean }[]).map((l) => [
        l.name,
        l.role,
        l.owner_id,
        l.member_count,
        l.is_inbox,
      ]),
      [
        ["Inbox", "owner", ann.id, 1, true],
        ["Ann's errands", "owner", ann.id, 2, false],
        ["Bob's trip", "viewer", bob.id, 3, false],
      ],
    );
    const bobs = (await req(root, "GET", `/api/admin/users/${bob.id}/lists`)).json() as { name: string; role: string; owner_id: string }[];
    assert.deepEqual(
      bobs.map((l) => [l.name, l.role, l.owner_id]),
      [
        ["Inbox", "owner", bob.id],
        ["Ann's errands", "editor", ann.id],
        ["Bob's trip", "owner", bob.id],
        ["Bob alone", "owner", bob.id],
      ],
    );
    assert.deepEqual(await state(), before);
    const entries = await auditEntries({ actor: root.id, target: ann.id, action: "user.lists.read" });
    assert.deepEqual(
      entries.map((e) => e.request_id),
      [res.headers["x-request-id"]],
    );
  });
});

describe("safety rails", () => {
  test("the last admin cannot be demoted, banned or deleted; nobody can ban or delete themselves", async () => {
    const s = await startApp();
    try {
      const only = await promote(s.app, await createUser(s.app));
      const r = (method: "PATCH" | "DELETE", url: string, payload?: object) =>
        s.app.inject({ method, url, headers: only.auth, ...(payload ? { payload } : {}) });
      assertProblem(await r("PATCH", `/api/admin/users/${only.id}`, { role: "user" }), 409, "conflict");
      assertProblem(await r("PATCH", `/api/admin/users/${only.id}`, { banned: true }), 409, "conflict");
      assertProblem(await r("DELETE", `/api/admin/users/${only.id}`), 409, "conflict");
      assertProblem(await r("PATCH", `/api/admin/users/${only.id}`, { role: "superuser" }), 422, "validation_failed");
      const row = (
        await s.app.ctx.db.query<{ role: string; banned: boolean }>(`SELECT role, banned FROM "user" WHERE id = $1`, [only.id])
      )[0];
      assert.deepEqual(row, { role: "admin", banned: false }, "nothing changed");
      const count = (await s.app.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "user"`))[0];
      assert.equal(count?.n, 1);
      // With a second admin, demoting yourself is allowed — but banning yourself never is.
      const second = await promote(s.app, await createUser(s.app));
      assertProblem(await r("PATCH", `/api/admin/users/${only.id}`, { banned: true }), 409, "conflict");
      const demoted = await r("PATCH", `/api/admin/users/${only.id}`, { role: "user" });
      assert.equal(demoted.statusCode, 200);
      assertProblem(
        await s.app.inject({ method: "PATCH", url: `/api/admin/users/${second.id}`, headers: second.auth, payload: { role: "user" } }),
        409,
        "conflict",
      );
    } finally {
      await s.close();
    }
  });

  test("ban fields need a ban, and the expiry must be in the future", async () => {
    const victim = await createUser(t.app);
    assertProblem(await req(root, "PATCH", `/api/admin/users/${victim.id}`, { ban_reason: "x" }), 422, "validation_failed");
    const past = await req(root, "PATCH", `/api/admin/users/${victim.id}`, { banned: true, ban_expires_at: "2001-01-01T00:00:00Z" });
    assert.equal((assertProblem(past, 422, "validation_failed").errors ?? [])[0]?.field, "ban_expires_at");
    assertProblem(await req(root, "PATCH", `/api/admin/users/${victim.id}`, {}), 422, "validation_failed");
    assertProblem(await req(root, "PATCH", `/api/admin/users/${victim.id}`, { banned: true, password: "x" }), 422, "validation_failed");
  });
});

describe("ban, unban and delete", () => {
  test("ban refuses sign-in with the reason and rejects the existing JWT; unban restores access", async () => {
    const bad = await createUser(t.app);
    const ban = await req(root, "PATCH", `/api/admin/users/${bad.id}`, { banned: true, ban_reason: "abuse" });
    assert.equal(ban.statusCode, 200);
    const detail = ban.json() as { banned: boolean; ban_reason: string };
    assert.equal(detail.banned, true);
    assert.equal(detail.ban_reason, "abuse");
    assertProblem(await t.app.inject({ method: "GET", url: "/api/tasks", headers: bad.auth }), 401, "unauthorized");
    const refused = await signIn(t.app, bad.email, bad.password);
    assert.equal(refused.statusCode, 403);
    assert.match((refused.json() as { message: string }).message, /banned.*abuse/);
    const sessions = await t.app.ctx.db.query(`SELECT 1 FROM session WHERE "userId" = $1`, [bad.id]);
    assert.equal(sessions.length, 0, "sessions ended");

    const unban = await req(root, "PATCH", `/api/admin/users/${bad.id}`, { banned: false });
    assert.equal(unban.statusCode, 200);
    assert.deepEqual(
      (({ banned, ban_reason, ban_expires_at }) => ({ banned, ban_reason, ban_expires_at }))(unban.json() as Record<string, unknown>),
      { banned: false, ban_reason: null, ban_expires_at: null },
    );
    const again = await signIn(t.app, bad.email, bad.password);
    assert.equal(again.statusCode, 200);
    const jwt = await tokenFor(t.app, String(again.headers["set-auth-token"]));
    assert.equal((await t.app.inject({ method: "GET", url: "/api/tasks", headers: { authorization: `Bearer ${jwt}` } })).statusCode, 200);
  });

  test("after an unban, a token minted at once works and keeps working; tokens from before the ban stay refused", async () => {
    const user = await createUser(t.app);
    const me = (jwt: string) => t.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${jwt}` } });
    assert.equal((await req(root, "PATCH", `/api/admin/users/${user.id}`, { banned: true })).statusCode, 200);
    assert.equal((await req(root, "PATCH", `/api/admin/users/${user.id}`, { banned: false })).statusCode, 200);
    const again = await signIn(t.app, user.email, user.password);
    assert.equal(again.statusCode, 200, again.body);
    const fresh = await tokenFor(t.app, String(again.headers["set-auth-token"]));

    const now = await me(fresh);
    assert.equal(now.statusCode, 200, now.body);
    assert.equal((now.json() as { id: string }).id, user.id);
    assertProblem(await me(user.jwt), 401, "unauthorized");
    t.clock.advance(6_000);
    assert.equal((await me(fresh)).statusCode, 200, "still accepted seconds later");
    assertProblem(await me(user.jwt), 401, "unauthorized");
  });

  test("delete removes the user with their tasks and sessions; their token is rejected", async () => {
    const gone = await createUser(t.app);
    await t.app.inject({ method: "POST", url: "/api/tasks", headers: gone.auth, payload: { title: "bye" } });
    const res = await req(root, "DELETE", `/api/admin/users/${gone.id}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, "");
    for (const [table, owner] of [
      ["tasks", "user_id"],
      ["session", '"userId"'],
      ["account", '"userId"'],
    ]) {
      const rows = await t.app.ctx.db.query(`SELECT 1 FROM ${table} WHERE ${owner} = $1`, [gone.id]);
      assert.equal(rows.length, 0, `${table} rows are gone`);
    }
    assertProblem(await t.app.inject({ method: "GET", url: "/api/me", headers: gone.auth }), 401, "unauthorized");
    assertProblem(await req(root, "DELETE", `/api/admin/users/${gone.id}`), 404, "not_found");
    const entry = (await auditEntries({ target: gone.id, action: "user.delete" }))[0];
    assert.equal(entry?.actor_id, root.id);
  });
});

describe("stats and audit", () => {
  test("stats change by exactly what the test did", async () => {
    const before = (await req(root, "GET", "/api/admin/stats")).json() as { users: Record<string, number>; tasks: Record<string, number> };
    const newbie = await createUser(t.app);
    await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      headers: newbie.auth,
      payload: { title: "late", due_at: "2000-01-01T00:00:00Z" },
    });
    await t.app.inject({ method: "POST", url: "/api/tasks", headers: newbie.auth, payload: { title: "done", completed: true } });
    await req(root, "PATCH", `/api/admin/users/${newbie.id}`, { banned: true });
    const afterwards = (await req(root, "GET", "/api/admin/stats")).json() as typeof before;
    assert.deepEqual(
      {
        users: Object.fromEntries(Object.entries(afterwards.users).map(([k, v]) => [k, v - (before.users[k] ?? 0)])),
        tasks: Object.fromEntries(Object.entries(afterwards.tasks).map(([k, v]) => [k, v - (before.tasks[k] ?? 0)])),
      },
      { users: { total: 1, admins: 0, banned: 1, new_last_7_days: 1 }, tasks: { total: 2, completed: 1, overdue: 1 } },
    );
  });

  test("audit log: entries for reads and writes with actor, action, target and request id; newest first; filters", async () => {
    const subject = await createUser(t.app);
    const view = await req(root, "GET", `/api/admin/users/${subject.id}`);
    const update = await req(root, "PATCH", `/api/admin/users/${subject.id}`, { banned: true, ban_reason: "audit me" });
    const res = await req(root, "GET", `/api/admin/audit?target_user_id=${subject.id}`);
    assert.equal(res.statusCode, 200);
    const entries = res.json() as {
      action: string;
      actor_id: string;
      actor_email: string;
      target_user_id: string;
      request_id: string;
      details: Record<string, unknown>;
    }[];
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor_id, e.actor_email, e.target_user_id, e.request_id]),
      [
        ["user.update", root.id, root.email, subject.id, update.headers["x-request-id"]],
        ["user.view", root.id, root.email, subject.id, view.headers["x-request-id"]],
      ],
    );
    assert.deepEqual((entries[0]?.details as { changes: unknown } | undefined)?.changes, { banned: true, ban_reason: "audit me" });
    const byActor = (await req(root, "GET", `/api/admin/audit?actor_id=${root.id}&limit=200`)).json() as { actor_id: string }[];
    assert.ok(byActor.length >= 2 && byActor.every((e) => e.actor_id === root.id));
    const listing = await auditEntries({ actor: root.id, action: "users.list" });
    assert.ok(listing.length >= 1, "listing users is audited too");
  });

  test("no secret-looking field anywhere in any admin response", async () => {
    const responses = [
      await req(root, "GET", "/api/admin/users?limit=200"),
      await req(root, "GET", `/api/admin/users/${member.id}`),
      await req(root, "GET", `/api/admin/users/${member.id}/tasks`),
      await req(root, "GET", "/api/admin/stats"),
      await req(root, "GET", "/api/admin/audit?limit=200"),
      await req(root, "PATCH", `/api/admin/users/${member.id}`, { role: "user" }),
    ];
    for (const res of responses) {
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(secretKeys(res.json()), [], res.body.slice(0, 300));
      assert.doesNotMatch(res.body, /scrypt\$|\$2[aby]\$/, "no password hash anywhere");
    }
  });

  test("Better Auth's own admin endpoints are not exposed", async () => {
    for (const path of [
      "/api/auth/admin/list-users",
      "/api/auth/admin/impersonate-user",
      "/api/auth/admin/set-role",
      "/api/auth/admin/ban-user",
    ]) {
      for (const method of ["GET", "POST"] as const) {
        const res = await t.app.inject({
          method,
          url: path,
          headers: { authorization: `Bearer ${root.sessionToken}`, origin: "http://127.0.0.1:3000" },
          payload: method === "POST" ? { userId: member.id, role: "admin" } : undefined,
        });
        assertProblem(res, 404, "not_found");
      }
    }
    const row = (await t.app.ctx.db.query<{ role: string }>(`SELECT role FROM "user" WHERE id = $1`, [member.id]))[0];
    assert.equal(row?.role, "user");
  });
});
