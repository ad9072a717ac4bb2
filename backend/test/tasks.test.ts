import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { InjectOptions, Response } from "light-my-request";
import { assertProblem, createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import {
  as,
  createTask,
  expectedJson,
  inboxId,
  isoMillisUtc,
  nextLink,
  problemShape,
  rowSnapshot,
  storedTask,
  type TaskJson,
  taskCount,
  uuidV7,
} from "./tasks-helpers.ts";

let t: TestApp;

before(async () => {
  t = await startApp();
});
after(() => t.close());

const full = {
  title: "  Buy milk \t",
  description: "Two litres,\nsemi-skimmed",
  priority: "high",
  due_at: "2030-05-01T12:30:00+02:00",
  tags: ["Home", "home", " Errands ", "HOME"],
};

describe("create", () => {
  test("201 with Location and ETag; title trimmed, tags lower-cased and de-duplicated, due_at in UTC", async () => {
    const alice = await createUser(t.app);
    const res = await as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: full });
    assert.equal(res.statusCode, 201, res.body);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    const body = res.json() as TaskJson;
    const row = await storedTask(t.app, body.id);
    assert.ok(row, "the task is stored");
    assert.deepEqual(body, {
      id: row.id,
      title: "Buy milk",
      description: "Two litres,\nsemi-skimmed",
      completed: false,
      completed_at: null,
      priority: "high",
      due_at: "2030-05-01T10:30:00.000Z",
      due_date: null,
      tags: ["home", "errands"],
      user_id: alice.id,
      list_id: await inboxId(t.app, alice.id),
      parent_id: null,
      position: "a0",
      subtask_count: 0,
      open_subtask_count: 0,
      created_by: alice.id,
      assignee_id: null,
      created_at: row.created_at,
      updated_at: row.created_at,
    });
    assert.match(body.id, uuidV7);
    assert.match(body.created_at, isoMillisUtc);
    assert.deepEqual(row, {
      id: body.id,
      user_id: alice.id,
      title: "Buy milk",
      description: "Two litres,\nsemi-skimmed",
      completed: false,
      completed_at: null,
      priority: 3,
      due_at: "2030-05-01T10:30:00.000Z",
      due_date: null,
      tags: ["home", "errands"],
      list_id: body.list_id,
      parent_id: null,
      position: "a0",
      subtask_count: 0,
      open_subtask_count: 0,
      created_by: alice.id,
      assignee_id: null,
      version: 1,
      created_at: body.created_at,
      updated_at: body.created_at,
    });
    assert.equal(res.headers.location, `/api/tasks/${body.id}`);
    assert.match(String(res.headers.etag), /^"[^"]+"$/, "a strong ETag");
    assert.equal(res.headers["idempotent-replayed"], undefined);

    const fetched = await as(t.app, alice)({ method: "GET", url: String(res.headers.location) });
    assert.equal(fetched.statusCode, 200);
    assert.equal(fetched.headers.etag, res.headers.etag, "the Location serves the same state");
    assert.deepEqual(fetched.json(), body);
  });

  test("only a title: every other field takes its default", async () => {
    const alice = await createUser(t.app);
    const body = await createTask(t.app, alice, { title: "x" });
    const row = await storedTask(t.app, body.id);
    assert.ok(row);
    assert.deepEqual(body, {
      id: row.id,
      title: "x",
      description: null,
      completed: false,
      completed_at: null,
      priority: "none",
      due_at: null,
      due_date: null,
      tags: [],
      user_id: alice.id,
      list_id: await inboxId(t.app, alice.id),
      parent_id: null,
      position: "a0",
      subtask_count: 0,
      open_subtask_count: 0,
      created_by: alice.id,
      assignee_id: null,
      created_at: row.created_at,
      updated_at: row.updated_at,
    });
    assert.deepEqual(expectedJson(row), body);
  });

  test("created completed: completed_at is set", async () => {
    const alice = await createUser(t.app);
    const body = await createTask(t.app, alice, { title: "done already", completed: true });
    const row = await storedTask(t.app, body.id);
    assert.ok(row?.completed_at);
    assert.match(row.completed_at, isoMillisUtc);
    assert.deepEqual(body, expectedJson(row));
    assert.equal(body.completed, true);
  });

  test("255 emoji are 255 characters: accepted and stored whole", async () => {
    const alice = await createUser(t.app);
    const title = "😀".repeat(255);
    const body = await createTask(t.app, alice, { title, tags: ["\u{1F3F7}".repeat(40)] });
    assert.equal(body.title, title);
    assert.deepEqual(body.tags, ["\u{1F3F7}".repeat(40)]);
    const rows = await t.app.ctx.db.query<{ n: number }>("SELECT char_length(title)::int AS n FROM tasks WHERE id = $1", [body.id]);
    assert.deepEqual(rows, [{ n: 255 }]);
  });
});

describe("text that SQL quoting must survive (the embedded database passes prepared-statement arguments as literals)", () => {
  test("quotes, backslashes, braces, commas, NULL-looking and non-ASCII text round-trip through create, PATCH and the stored row", async () => {
    const user = await createUser(t.app);
    const nasty = [
      "it's",
      "back\\slash \\' end",
      'a "quoted" {brace}, comma',
      "NULL",
      "$1 $$ :x ?",
      "日本語 ✓ 🎉",
      "E'\\x41'",
      "';DROP TABLE tasks;--",
    ];
    for (const text of nasty) {
      const tags = [text.toLowerCase().slice(0, 40), "{x,y}", '"q"'];
      const created = await createTask(t.app, user, { title: text, description: text, tags });
      assert.equal(created.title, text);
      assert.equal(created.description, text);
      assert.deepEqual(created.tags, tags);
      const stored = await storedTask(t.app, created.id);
      assert.equal(stored?.title, text);
      assert.deepEqual(stored?.tags, tags);
      const patched = await as(
        t.app,
        user,
      )({ method: "PATCH", url: `/api/tasks/${created.id}`, payload: { description: `${text}!`, tags: [...tags, "z"] } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal((await storedTask(t.app, created.id))?.description, `${text}!`);
      assert.deepEqual((await storedTask(t.app, created.id))?.tags, [...tags, "z"]);
    }
    assert.equal(
      (await t.app.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE user_id = $1", [user.id]))[0]?.n,
      nasty.length,
    );
  });
});

describe("read", () => {
  test("GET /api/tasks/{id}: the task and its ETag", async () => {
    const alice = await createUser(t.app);
    const created = await as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: full });
    const body = created.json() as TaskJson;
    const res = await as(t.app, alice)({ method: "GET", url: `/api/tasks/${body.id}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), body);
    assert.equal(res.headers.etag, created.headers.etag);
    const row = await storedTask(t.app, body.id);
    assert.ok(row);
    assert.deepEqual(res.json(), expectedJson(row));
    const upper = await as(t.app, alice)({ method: "GET", url: `/api/tasks/${body.id.toUpperCase()}` });
    assert.deepEqual(upper.json(), body, "ids are case-insensitive, like UUIDs");
  });

  test("GET /api/tasks: the caller's tasks, newest first, as a plain array without a Link", async () => {
    const alice = await createUser(t.app);
    const made = [
      await createTask(t.app, alice, { title: "one" }),
      await createTask(t.app, alice, { ...full, title: "two" }),
      await createTask(t.app, alice, { title: "three", completed: true, priority: "low" }),
    ];
    const res = await as(t.app, alice)({ method: "GET", url: "/api/tasks" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    assert.equal(res.headers.link, undefined);
    const newestFirst = [...made].sort((a, b) =>
      a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1,
    );
    assert.deepEqual(res.json(), newestFirst);
    const stored = await Promise.all(made.map((m) => storedTask(t.app, m.id)));
    assert.deepEqual(
      stored.map((s) => s && expectedJson(s)),
      made,
    );
  });

  test("exactly `limit` tasks: one page and no rel=next", async () => {
    const alice = await createUser(t.app);
    for (let i = 0; i < 3; i++) await createTask(t.app, alice, { title: `t${i}` });
    const res = await as(t.app, alice)({ method: "GET", url: "/api/tasks?limit=3" });
    assert.equal((res.json() as TaskJson[]).length, 3);
    assert.equal(nextLink(res), null);
  });
});

describe("update (PUT and PATCH change the fields given and keep the others)", () => {
  for (const method of ["PUT", "PATCH"] as const) {
    test(`${method}: a few fields, then clearing nullable ones, then completing`, async () => {
      const alice = await createUser(t.app);
      const createdRes = await as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: full });
      const created = createdRes.json() as TaskJson;
      const url = `/api/tasks/${created.id}`;

      const first = await as(t.app, alice)({ method, url, payload: { title: "  Buy oat milk  ", priority: "low" } });
      assert.equal(first.statusCode, 200, first.body);
      let row = await storedTask(t.app, created.id);
      assert.ok(row);
      assert.deepEqual(first.json(), { ...created, title: "Buy oat milk", priority: "low", updated_at: row.updated_at });
      assert.ok(row.updated_at >= created.updated_at);
      assert.equal(row.created_at, created.created_at);
      assert.equal(row.version, 2);
      assert.notEqual(first.headers.etag, createdRes.headers.etag, "a new state has a new ETag");
      const got = await as(t.app, alice)({ method: "GET", url });
      assert.equal(got.headers.etag, first.headers.etag);

      const second = await as(t.app, alice)({ method, url, payload: { description: null, due_at: null, tags: [] } });
      row = await storedTask(t.app, created.id);
      assert.ok(row);
      assert.deepEqual(second.json(), {
        ...created,
        title: "Buy oat milk",
        priority: "low",
        description: null,
        due_at: null,
        tags: [],
        updated_at: row.updated_at,
      });
      assert.deepEqual(second.json(), expectedJson(row));

      const third = await as(
        t.app,
        alice,
      )({
        method,
        url,
        payload: { due_at: "2031-01-01T00:00:00-05:00", tags: ["Work", "work"], completed: true },
      });
      row = await storedTask(t.app, created.id);
      assert.ok(row?.completed_at);
      assert.deepEqual(third.json(), {
        ...(second.json() as TaskJson),
        due_at: "2031-01-01T05:00:00.000Z",
        tags: ["work"],
        completed: true,
        completed_at: row.completed_at,
        updated_at: row.updated_at,
      });
      assert.equal(row.version, 4);
    });

    test(`${method} with an empty body is a 422 and changes nothing`, async () => {
      const alice = await createUser(t.app);
      const created = await createTask(t.app, alice, full);
      const before = await rowSnapshot(t.app, created.id);
      const res = await as(t.app, alice)({ method, url: `/api/tasks/${created.id}`, payload: {} });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.ok(problem.errors && problem.errors.length > 0, "the problem says what is wrong");
      assert.equal(await rowSnapshot(t.app, created.id), before);
    });
  }
});

describe("delete", () => {
  test("204 with no body; the row is gone and the task is a 404 afterwards", async () => {
    const alice = await createUser(t.app);
    const keep = await createTask(t.app, alice, { title: "keep" });
    const created = await createTask(t.app, alice, full);
    const res = await as(t.app, alice)({ method: "DELETE", url: `/api/tasks/${created.id}` });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, "");
    assert.equal(await storedTask(t.app, created.id), undefined);
    assert.ok(await storedTask(t.app, keep.id), "only that task is deleted");
    assertProblem(await as(t.app, alice)({ method: "GET", url: `/api/tasks/${created.id}` }), 404, "not_found");
    assertProblem(await as(t.app, alice)({ method: "DELETE", url: `/api/tasks/${created.id}` }), 404, "not_found");
    assert.deepEqual((await as(t.app, alice)({ method: "GET", url: "/api/tasks" })).json(), [keep]);
  });
});

describe("PATCH /api/tasks/{id}/complete", () => {
  test("toggles without a body; completed_at is set, then cleared", async () => {
    const alice = await createUser(t.app);
    const created = await createTask(t.app, alice, full);
    const url = `/api/tasks/${created.id}/complete`;

    const done = await as(t.app, alice)({ method: "PATCH", url });
    assert.equal(done.statusCode, 200, done.body);
    let row = await storedTask(t.app, created.id);
    assert.ok(row?.completed_at);
    assert.match(row.completed_at, isoMillisUtc);
    assert.deepEqual(done.json(), { ...created, completed: true, completed_at: row.completed_at, updated_at: row.updated_at });
    assert.equal(row.completed, true);

    const reopened = await as(t.app, alice)({ method: "PATCH", url });
    row = await storedTask(t.app, created.id);
    assert.ok(row);
    assert.deepEqual(reopened.json(), { ...created, completed: false, completed_at: null, updated_at: row.updated_at });
    assert.equal(row.completed, false);
    assert.equal(row.completed_at, null);

    const toggledByEmptyObject = await as(t.app, alice)({ method: "PATCH", url, payload: {} });
    assert.equal((toggledByEmptyObject.json() as TaskJson).completed, true);
    assert.equal(row.version + 1, (await storedTask(t.app, created.id))?.version);
  });

  test('{"completed": bool} sets the state; setting it again keeps the original completed_at', async () => {
    const alice = await createUser(t.app);
    const created = await createTask(t.app, alice, { title: "set me" });
    const url = `/api/tasks/${created.id}/complete`;

    const first = await as(t.app, alice)({ method: "PATCH", url, payload: { completed: true } });
    const firstRow = await storedTask(t.app, created.id);
    assert.ok(firstRow?.completed_at);
    assert.deepEqual(first.json(), { ...created, completed: true, completed_at: firstRow.completed_at, updated_at: firstRow.updated_at });

    const again = await as(t.app, alice)({ method: "PATCH", url, payload: { completed: true } });
    const againRow = await storedTask(t.app, created.id);
    assert.ok(againRow);
    assert.equal(againRow.completed, true, "setting is not toggling");
    assert.equal(againRow.completed_at, firstRow.completed_at, "still completed since the first time");
    assert.deepEqual(again.json(), expectedJson(againRow));

    const open = await as(t.app, alice)({ method: "PATCH", url, payload: { completed: false } });
    const openRow = await storedTask(t.app, created.id);
    assert.ok(openRow);
    assert.deepEqual(open.json(), { ...created, completed: false, completed_at: null, updated_at: openRow.updated_at });
    const openAgain = await as(t.app, alice)({ method: "PATCH", url, payload: { completed: false } });
    assert.equal((openAgain.json() as TaskJson).completed, false);
  });
});

describe("isolation: another user's task is exactly a missing task", () => {
  let alice: TestUser;
  let bob: TestUser;
  let task: TaskJson;
  let etag: string;

  before(async () => {
    alice = await createUser(t.app);
    bob = await createUser(t.app);
    const res = await as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: { ...full, tags: ["secret"] } });
    task = res.json() as TaskJson;
    etag = String(res.headers.etag);
  });

  const routes: { name: string; req: (id: string) => InjectOptions }[] = [
    { name: "GET", req: (id) => ({ method: "GET", url: `/api/tasks/${id}` }) },
    { name: "GET with If-None-Match", req: (id) => ({ method: "GET", url: `/api/tasks/${id}`, headers: { "if-none-match": etag } }) },
    { name: "PUT", req: (id) => ({ method: "PUT", url: `/api/tasks/${id}`, payload: { title: "mine now" } }) },
    { name: "PATCH", req: (id) => ({ method: "PATCH", url: `/api/tasks/${id}`, payload: { completed: true } }) },
    {
      name: "PATCH with the right If-Match",
      req: (id) => ({ method: "PATCH", url: `/api/tasks/${id}`, payload: { title: "x" }, headers: { "if-match": etag } }),
    },
    {
      name: "PUT with a wrong If-Match",
      req: (id) => ({ method: "PUT", url: `/api/tasks/${id}`, payload: { title: "x" }, headers: { "if-match": '"999"' } }),
    },
    { name: "DELETE", req: (id) => ({ method: "DELETE", url: `/api/tasks/${id}` }) },
    { name: "DELETE with If-Match: *", req: (id) => ({ method: "DELETE", url: `/api/tasks/${id}`, headers: { "if-match": "*" } }) },
    { name: "complete (toggle)", req: (id) => ({ method: "PATCH", url: `/api/tasks/${id}/complete` }) },
    { name: "complete (set)", req: (id) => ({ method: "PATCH", url: `/api/tasks/${id}/complete`, payload: { completed: true } }) },
    {
      name: "complete with the right If-Match",
      req: (id) => ({ method: "PATCH", url: `/api/tasks/${id}/complete`, headers: { "if-match": etag } }),
    },
  ];

  for (const route of routes) {
    test(`${route.name} by another user: 404 like a missing task, and the row is untouched`, async () => {
      const before = await rowSnapshot(t.app, task.id);
      const theirs = await as(t.app, bob)(route.req(task.id));
      const missing = await as(t.app, bob)(route.req(randomUUID()));
      assertProblem(theirs, 404, "not_found");
      assertProblem(missing, 404, "not_found");
      assert.deepEqual(problemShape(theirs), problemShape(missing));
      assert.equal(theirs.headers.etag, undefined);
      assert.equal(await rowSnapshot(t.app, task.id), before);
    });
  }

  test("the owner still sees the task unchanged", async () => {
    const res = await as(t.app, alice)({ method: "GET", url: `/api/tasks/${task.id}` });
    assert.deepEqual(res.json(), task);
    assert.equal(res.headers.etag, etag);
  });

  test("another user's list never contains the task, whatever the query", async () => {
    const own = await createTask(t.app, bob, { ...full, tags: ["secret"] });
    for (const query of [
      "",
      "?status=all",
      "?status=pending",
      "?priority=high",
      "?tag=secret",
      `?q=${encodeURIComponent("milk")}`,
      "?sort=title&limit=200",
      "?due_after=2000-01-01T00:00:00Z",
      "?overdue=false",
    ]) {
      const res = await as(t.app, bob)({ method: "GET", url: `/api/tasks${query}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), [own], query);
    }
  });

  test("another user's cursor reaches only the caller's own tasks", async () => {
    const carol = await createUser(t.app);
    for (let i = 0; i < 3; i++) await createTask(t.app, carol, { title: `carol ${i}` });
    const page = await as(t.app, carol)({ method: "GET", url: "/api/tasks?limit=1" });
    const next = nextLink(page);
    assert.ok(next);
    const dave = await createUser(t.app);
    const daves = await createTask(t.app, dave, { title: "dave" });
    // Dave's task is newer than every one of Carol's, so it sorts before her cursor.
    const res = await as(t.app, dave)({ method: "GET", url: next });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), []);
    assert.deepEqual((await as(t.app, dave)({ method: "GET", url: "/api/tasks" })).json(), [daves]);
  });
});

describe("only JWTs are accepted", () => {
  test("a Better Auth session token as Bearer is a 401, and nothing is written", async () => {
    const alice = await createUser(t.app);
    const headers = { authorization: `Bearer ${alice.sessionToken}` };
    const list = await t.app.inject({ method: "GET", url: "/api/tasks", headers });
    assertProblem(list, 401, "unauthorized");
    assert.match(String(list.headers["www-authenticate"]), /^Bearer/);
    const create = await t.app.inject({ method: "POST", url: "/api/tasks", headers, payload: { title: "x" } });
    assertProblem(create, 401, "unauthorized");
    assert.equal(await taskCount(t.app, alice.id), 0);
  });

  test("a JWT whose user was deleted a moment ago: creating a task is a 401, not a 500", async () => {
    const gone = await createUser(t.app);
    await t.app.ctx.db.query('DELETE FROM "user" WHERE id = $1', [gone.id]);
    const plain = await as(t.app, gone)({ method: "POST", url: "/api/tasks", payload: { title: "orphan" } });
    assertProblem(plain, 401, "unauthorized");
    assert.match(String(plain.headers["www-authenticate"]), /^Bearer/);
    const keyed = await as(
      t.app,
      gone,
    )({
      method: "POST",
      url: "/api/tasks",
      payload: { title: "orphan" },
      headers: { "idempotency-key": "after-deletion" },
    });
    assertProblem(keyed, 401, "unauthorized");
    assert.equal(await taskCount(t.app, gone.id), 0);
    const keys = await t.app.ctx.db.query("SELECT 1 FROM idempotency_keys WHERE user_id = $1", [gone.id]);
    assert.deepEqual(keys, []);
  });
});

describe("validation: each bad value is a 422 naming the field, and nothing is written", () => {
  let alice: TestUser;
  let existing: TaskJson;
  before(async () => {
    alice = await createUser(t.app);
    existing = await createTask(t.app, alice, full);
  });

  const iso = "2030-01-01T00:00:00.000Z";
  type Case = { field: string; value: unknown; expect?: string; message?: RegExp };
  const cases: Case[] = [
    { field: "title", value: 42 },
    { field: "title", value: true },
    { field: "title", value: ["a"] },
    { field: "title", value: { text: "a" } },
    { field: "title", value: "" },
    { field: "title", value: "   \t\n ", message: /blank/ },
    { field: "title", value: "\u00a0\u3000\u2003", message: /blank/ },
    { field: "title", value: "x".repeat(256) },
    { field: "title", value: "😀".repeat(256) },
    { field: "title", value: "a\u0000b" },
    { field: "title", value: "lone \ud800 surrogate" },
    { field: "description", value: 42 },
    { field: "description", value: false },
    { field: "description", value: ["x"] },
    { field: "description", value: "x".repeat(10_001) },
    { field: "description", value: "😀".repeat(10_001) },
    { field: "priority", value: "urgent" },
    { field: "priority", value: "HIGH" },
    { field: "priority", value: 3 },
    { field: "priority", value: null },
    { field: "priority", value: "" },
    { field: "due_at", value: "2030-05-01T12:30:00" },
    { field: "due_at", value: "2030-05-01" },
    { field: "due_at", value: "tomorrow" },
    { field: "due_at", value: 1_893_456_000_000 },
    { field: "due_at", value: "2030-02-30T00:00:00Z" },
    { field: "due_at", value: "0000-01-01T00:00:00Z" },
    { field: "due_at", value: "9999-12-31T23:59:59-01:00" },
    { field: "due_at", value: true },
    { field: "tags", value: "home" },
    { field: "tags", value: null },
    { field: "tags", value: { home: true } },
    { field: "tags", value: [1], expect: "tags[0]" },
    { field: "tags", value: ["ok", null], expect: "tags[1]" },
    { field: "tags", value: [""], expect: "tags[0]" },
    { field: "tags", value: ["ok", "   "], expect: "tags[1]", message: /blank/ },
    { field: "tags", value: Array.from({ length: 21 }, (_, i) => `tag${i}`) },
    { field: "tags", value: ["x".repeat(41)], expect: "tags[0]" },
    { field: "tags", value: ["\u{1F3F7}".repeat(41)], expect: "tags[0]" },
    { field: "completed", value: "true" },
    { field: "completed", value: 1 },
    { field: "completed", value: null },
    { field: "colour", value: "red", message: /not a field/ },
    { field: "done", value: true, message: /not a field/ },
    { field: "id", value: randomUUID(), message: /read-only/ },
    { field: "user_id", value: "someone-else", message: /read-only/ },
    { field: "created_at", value: iso, message: /read-only/ },
    { field: "updated_at", value: iso, message: /read-only/ },
    { field: "completed_at", value: iso, message: /read-only/ },
  ];
  const label = (c: Case) => `${c.field} = ${JSON.stringify(c.value).slice(0, 40)}`;

  function assertNames(res: Response, c: Case): void {
    const problem = assertProblem(res, 422, "validation_failed");
    const named = problem.errors?.filter((e) => e.field === (c.expect ?? c.field)) ?? [];
    assert.ok(named.length > 0, `errors name ${c.expect ?? c.field}: ${JSON.stringify(problem.errors)}`);
    if (c.message)
      assert.ok(
        named.some((e) => c.message?.test(e.message)),
        JSON.stringify(named),
      );
  }

  for (const c of cases) {
    test(`POST ${label(c)}`, async () => {
      const count = await taskCount(t.app, alice.id);
      const payload = c.field === "title" ? { [c.field]: c.value } : { title: "valid", [c.field]: c.value };
      assertNames(await as(t.app, alice)({ method: "POST", url: "/api/tasks", payload }), c);
      assert.equal(await taskCount(t.app, alice.id), count);
    });
    for (const method of ["PUT", "PATCH"] as const) {
      test(`${method} ${label(c)}`, async () => {
        const before = await rowSnapshot(t.app, existing.id);
        const payload = { priority: "low", [c.field]: c.value };
        assertNames(await as(t.app, alice)({ method, url: `/api/tasks/${existing.id}`, payload }), c);
        assert.equal(await rowSnapshot(t.app, existing.id), before);
      });
    }
  }

  test("POST without a title names it as required", async () => {
    const count = await taskCount(t.app, alice.id);
    assertNames(await as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: { priority: "low" } }), {
      field: "title",
      value: undefined,
      message: /required/,
    });
    assert.equal(await taskCount(t.app, alice.id), count);
  });

  const completionCases: Case[] = [
    { field: "completed", value: "yes" },
    { field: "completed", value: null },
    { field: "completed", value: 0 },
    { field: "title", value: "x", message: /not a field/ },
    { field: "completed_at", value: iso, message: /read-only/ },
  ];
  for (const c of completionCases) {
    test(`complete ${label(c)}`, async () => {
      const before = await rowSnapshot(t.app, existing.id);
      assertNames(
        await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${existing.id}/complete`, payload: { [c.field]: c.value } }),
        c,
      );
      assert.equal(await rowSnapshot(t.app, existing.id), before);
    });
  }

  const malformedIds = [
    "not-a-uuid",
    "123",
    "0193",
    `${randomUUID()}0`,
    randomUUID().replace(/-/g, ""),
    "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
    encodeURIComponent("'; DROP TABLE tasks; --"),
    "%00",
    "x".repeat(200),
  ];
  const idRoutes = (id: string): InjectOptions[] => [
    { method: "GET", url: `/api/tasks/${id}` },
    { method: "PUT", url: `/api/tasks/${id}`, payload: { title: "x" } },
    { method: "PATCH", url: `/api/tasks/${id}`, payload: { title: "x" } },
    { method: "DELETE", url: `/api/tasks/${id}` },
    { method: "PATCH", url: `/api/tasks/${id}/complete` },
  ];
  for (const id of malformedIds) {
    test(`malformed id ${id.slice(0, 40)}: 404 on every route, like a missing task`, async () => {
      const count = await taskCount(t.app, alice.id);
      const missing = problemShape(await as(t.app, alice)({ method: "GET", url: `/api/tasks/${randomUUID()}` }));
      for (const req of idRoutes(id)) {
        const res = await as(t.app, alice)(req);
        assertProblem(res, 404, "not_found");
        assert.deepEqual(problemShape(res), missing, `${req.method} ${req.url}`);
      }
      assert.equal(await taskCount(t.app, alice.id), count);
    });
  }

  test("an id longer than any route takes is a 404 problem on every route too", async () => {
    for (const req of idRoutes("0".repeat(5000))) assertProblem(await as(t.app, alice)(req), 404, "not_found");
  });

  describe("list query", () => {
    let otherSortCursor: string;
    before(async () => {
      await createTask(t.app, alice, { title: "another" });
      const page = await as(t.app, alice)({ method: "GET", url: "/api/tasks?sort=title&limit=1" });
      const next = nextLink(page);
      assert.ok(next);
      otherSortCursor = new URL(next, "http://x").searchParams.get("cursor") as string;
    });

    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const queryCases: { query: () => string; field: string }[] = [
      { query: () => "sort=colour", field: "sort" },
      { query: () => "sort=-colour", field: "sort" },
      { query: () => "sort=TITLE", field: "sort" },
      { query: () => "sort=--title", field: "sort" },
      { query: () => "sort=", field: "sort" },
      { query: () => "status=done", field: "status" },
      { query: () => "status=", field: "status" },
      { query: () => "priority=urgent", field: "priority" },
      { query: () => "priority=high,", field: "priority" },
      { query: () => "priority=High", field: "priority" },
      { query: () => "limit=0", field: "limit" },
      { query: () => "limit=201", field: "limit" },
      { query: () => "limit=-1", field: "limit" },
      { query: () => "limit=1.5", field: "limit" },
      { query: () => "limit=ten", field: "limit" },
      { query: () => "overdue=maybe", field: "overdue" },
      { query: () => "due_before=yesterday", field: "due_before" },
      { query: () => "due_before=2030-05-01T12:30:00", field: "due_before" },
      { query: () => "due_before=0000-01-01T00:00:00Z", field: "due_before" },
      { query: () => "due_after=2030-05-01", field: "due_after" },
      { query: () => `tag=${"x".repeat(41)}`, field: "tag[0]" },
      { query: () => "tag=ok&tag=%20", field: "tag[1]" },
      { query: () => "colour=red", field: "colour" },
      { query: () => "cursor=not*a*cursor", field: "cursor" },
      { query: () => "cursor=bm90IGpzb24", field: "cursor" },
      { query: () => `cursor=${b64({ sort: "-created_at" })}`, field: "cursor" },
      { query: () => `cursor=${b64(["-created_at", "yesterday", randomUUID()])}`, field: "cursor" },
      { query: () => `cursor=${b64(["-created_at", iso, "not-an-id"])}`, field: "cursor" },
      { query: () => `sort=priority&cursor=${b64(["priority", 7, randomUUID()])}`, field: "cursor" },
      { query: () => `cursor=${otherSortCursor}`, field: "cursor" },
      { query: () => `sort=-title&cursor=${otherSortCursor}`, field: "cursor" },
      { query: () => `sort=created_at&cursor=${otherSortCursor}`, field: "cursor" },
    ];
    for (const c of queryCases) {
      test(`GET /api/tasks?${c.query().slice(0, 60)} is a 422 naming ${c.field}`, async () => {
        const res = await as(t.app, alice)({ method: "GET", url: `/api/tasks?${c.query()}` });
        const problem = assertProblem(res, 422, "validation_failed");
        assert.ok(
          problem.errors?.some((e) => e.field === c.field),
          JSON.stringify(problem.errors),
        );
      });
    }

    test("the same cursor with its own sort is accepted", async () => {
      const res = await as(t.app, alice)({ method: "GET", url: `/api/tasks?sort=title&limit=1&cursor=${otherSortCursor}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as TaskJson[]).length, 1);
    });
  });
});

describe("limits apply after normalization", () => {
  test("a 255-character title with surrounding spaces is stored trimmed; a tag that grows when lower-cased is refused", async () => {
    const t2 = await startApp();
    try {
      const u = await createUser(t2.app);
      const title = "é".repeat(255);
      const ok = await t2.app.inject({
        method: "POST",
        url: "/api/tasks",
        headers: u.auth,
        payload: { title: `  ${title}  `, tags: ["  Work  "] },
      });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal((ok.json() as { title: string }).title, title);
      assert.deepEqual((ok.json() as { tags: string[] }).tags, ["work"]);
      // "İ" lower-cases to two characters: 40 of them become 80.
      const grown = await t2.app.inject({
        method: "POST",
        url: "/api/tasks",
        headers: u.auth,
        payload: { title: "x", tags: ["İ".repeat(40)] },
      });
      assert.equal(assertProblem(grown, 422, "validation_failed").errors?.[0]?.field, "tags[0]");
      const count = await t2.app.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE user_id = $1", [u.id]);
      assert.equal(count[0]?.n, 1);
    } finally {
      await t2.close();
    }
  });
});
