/**
 * Migration 0005 (lists) on an installation filled through migration 0004:
 * every user gets an Inbox, every task lands in its owner's Inbox unchanged
 * (its seed fields, version and timestamps), positions follow created_at
 * (oldest first), and the counters are right. Then today's app serves them.
 * This file owns its database and users.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { DatabaseTarget } from "../src/config.ts";
import { connectDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createTestDatabase, startApp, type TestApp, tokenFor, usingPostgres } from "./helpers.ts";
import type { TaskJson } from "./tasks-helpers.ts";

const SECRET = "lists-upgrade-secret-lists-upgrade-012345";
let t: TestApp;
let dataDir: string | undefined;
let dropDatabase = async () => {};

interface OldTask {
  id: string;
  user_id: string;
  doc: string;
  version: number;
  created_at: string;
  updated_at: string;
}
let before0005: OldTask[] = [];
const users = ["ann", "bob", "cat"] as const;
const ids = Object.fromEntries(users.map((u, i) => [u, `user-${i}-${u}`])) as Record<(typeof users)[number], string>;

before(async () => {
  let target: DatabaseTarget;
  let url: string | undefined;
  if (usingPostgres()) {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    url = database.url;
    target = { kind: "pg", url };
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "doable-lists-upgrade-"));
    target = { kind: "pglite", dir: path.join(dataDir, "pgdata") };
  }
  const db = await connectDatabase(target, { poolMax: 2, timeoutMs: 10_000 });
  try {
    assert.deepEqual((await migrate(db, { through: "0004_better_auth_default_schema" })).at(-1), "0004_better_auth_default_schema");
    for (const [name, id] of Object.entries(ids)) {
      await db.query(`INSERT INTO "user" (id, name, email, "createdAt") VALUES ($1, $2, $3, now() - interval '400 days')`, [
        id,
        name,
        `${name}@example.com`,
      ]);
    }
    // Ann: 30 tasks created out of id order (and two at the same instant); bob: 3; cat: none.
    // Through yesterday's schema: the columns of migrations 0000–0004 only.
    await db.query(
      `INSERT INTO tasks (id, user_id, title, description, completed, completed_at, priority, due_at, tags, version, created_at, updated_at)
       SELECT ('0193a000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, $1, 'ann ' || g,
              CASE WHEN g % 3 = 0 THEN 'about ' || g END, g % 4 = 0, CASE WHEN g % 4 = 0 THEN now() - interval '1 day' END,
              g % 4, CASE WHEN g % 2 = 0 THEN now() + g * interval '1 hour' END, ARRAY['t' || (g % 5)], 1 + g % 3,
              CASE WHEN g IN (29, 30) THEN date_trunc('second', now()) - interval '50 days'
                   ELSE now() - interval '1 day' * ((g * 7) % 31) - interval '1 second' * g END,
              now() - interval '1 hour' * g
         FROM generate_series(1, 30) g`,
      [ids.ann],
    );
    await db.query(
      `INSERT INTO tasks (id, user_id, title, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'bob ' || g, now() - interval '1 minute' * g, now() FROM generate_series(1, 3) g`,
      [ids.bob],
    );
    before0005 = await db.query<OldTask>(
      `SELECT id::text AS id, user_id, doc, version, created_at::text AS created_at, updated_at::text AS updated_at FROM tasks ORDER BY id`,
    );
    assert.equal(before0005.length, 33);
  } finally {
    await db.close();
  }
  t = dataDir
    ? await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir, BETTER_AUTH_SECRET: SECRET })
    : await startApp({ BETTER_AUTH_SECRET: SECRET }, url);
});

after(async () => {
  await t?.close();
  await dropDatabase();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("upgrading an installation to lists (migration 0005)", () => {
  test("every user has exactly one Inbox, with one owner membership, first in their order", async () => {
    const rows = await t.app.ctx.db.query<{ owner_id: string; n: number; members: number; position: string; name: string }>(
      `SELECT l.owner_id, count(*) OVER (PARTITION BY l.owner_id)::int AS n, l.name,
              (SELECT count(*)::int FROM list_members m WHERE m.list_id = l.id AND m.user_id = l.owner_id AND m.role = 'owner') AS members,
              (SELECT position FROM list_members m WHERE m.list_id = l.id) AS position
         FROM lists l ORDER BY l.owner_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.owner_id, r.n, r.name, r.members, r.position]),
      Object.values(ids)
        .sort()
        .map((id) => [id, 1, "Inbox", 1, "a0"]),
    );
  });

  test("every task is kept unchanged, in its owner's Inbox, at the top level", async () => {
    const after0005 = await t.app.ctx.db.query<OldTask & { list_owner: string; is_inbox: boolean; parent_id: string | null }>(
      `SELECT t.id::text AS id, t.user_id, t.doc, t.version, t.created_at::text AS created_at, t.updated_at::text AS updated_at,
              l.owner_id AS list_owner, l.is_inbox, t.parent_id::text AS parent_id
         FROM tasks t JOIN lists l ON l.id = t.list_id ORDER BY t.id`,
    );
    assert.equal(after0005.length, before0005.length);
    after0005.forEach((now, i) => {
      const was = before0005[i] as OldTask;
      assert.equal(now.id, was.id);
      assert.equal(now.list_owner, was.user_id);
      assert.equal(now.is_inbox, true);
      assert.equal(now.parent_id, null);
      assert.deepEqual([now.version, now.created_at, now.updated_at], [was.version, was.created_at, was.updated_at]);
      const seed = JSON.parse(was.doc) as Record<string, unknown>;
      const json = JSON.parse(now.doc) as Record<string, unknown>;
      for (const [field, value] of Object.entries(seed)) assert.deepEqual(json[field], value, `${now.id}.${field}`);
      assert.deepEqual([json.due_date, json.subtask_count, json.open_subtask_count, json.parent_id], [null, 0, 0, null]);
    });
  });

  test("positions follow created_at, oldest first (ties by id), and are distinct", async () => {
    for (const owner of [ids.ann, ids.bob]) {
      const byPosition = await t.app.ctx.db.query<{ id: string }>(`SELECT id::text AS id FROM tasks WHERE user_id = $1 ORDER BY position`, [
        owner,
      ]);
      const byCreation = await t.app.ctx.db.query<{ id: string }>(
        `SELECT id::text AS id FROM tasks WHERE user_id = $1 ORDER BY created_at, id`,
        [owner],
      );
      assert.deepEqual(byPosition, byCreation);
      const distinct = await t.app.ctx.db.query<{ n: number }>("SELECT count(DISTINCT position)::int AS n FROM tasks WHERE user_id = $1", [
        owner,
      ]);
      assert.equal(distinct[0]?.n, byPosition.length);
    }
  });

  test("the Inbox counts its tasks and open tasks", async () => {
    const rows = await t.app.ctx.db.query<{ owner_id: string; task_count: number; open_task_count: number; real: number; open: number }>(
      `SELECT l.owner_id, l.task_count, l.open_task_count,
              (SELECT count(*)::int FROM tasks t WHERE t.list_id = l.id) AS real,
              (SELECT count(*)::int FROM tasks t WHERE t.list_id = l.id AND NOT t.completed) AS open
         FROM lists l ORDER BY l.owner_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.owner_id, r.task_count, r.open_task_count]),
      rows.map((r) => [r.owner_id, r.real, r.open]),
    );
    assert.deepEqual(
      rows.map((r) => r.task_count),
      [30, 3, 0],
    );
  });

  test("today's app serves them: no-parameter GET is the seed's answer, and new tasks go after the old ones", async () => {
    const auth = await t.app.ctx.auth.$context;
    const session = await auth.internalAdapter.createSession(ids.ann);
    const headers = { authorization: `Bearer ${await tokenFor(t.app, session.token)}` };
    const res = await t.app.inject({ method: "GET", url: "/api/tasks?limit=200", headers });
    assert.equal(res.statusCode, 200, res.body);
    const tasks = res.json() as TaskJson[];
    const expected = [...before0005]
      .filter((x) => x.user_id === ids.ann)
      .map((x) => JSON.parse(x.doc) as TaskJson)
      .sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1));
    assert.deepEqual(
      tasks.map((x) => x.id),
      expected.map((x) => x.id),
    );
    const created = await t.app.inject({ method: "POST", url: "/api/tasks", headers, payload: { title: "after the upgrade" } });
    assert.equal(created.statusCode, 201, created.body);
    const newest = created.json() as TaskJson;
    assert.ok(
      tasks.every((x) => x.position < newest.position),
      "appended after every migrated task",
    );
    const page = await t.app.inject({ method: "GET", url: `/api/tasks?list_id=${newest.list_id}&sort=-position&limit=1`, headers });
    assert.deepEqual(
      (page.json() as TaskJson[]).map((x) => x.id),
      [newest.id],
    );
  });
});
