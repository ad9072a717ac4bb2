import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ListPageCache } from "../src/tasks/list-cache.ts";
import { createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { as, createTask, type TaskJson } from "./tasks-helpers.ts";

/*
 * The task-list page cache (src/tasks/list-cache.ts): pages are reused only
 * while the owner's list version (raised by triggers on every write to their
 * tasks) is unchanged, whoever wrote and however.
 */

let t: TestApp;

before(async () => {
  t = await startApp();
});
after(() => t.close());

async function list(user: TestUser, query = "?limit=100"): Promise<TaskJson[]> {
  const res = await as(t.app, user)({ method: "GET", url: `/api/tasks${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as TaskJson[];
}

const titles = (tasks: TaskJson[]) => tasks.map((task) => task.title).sort();
const versionOf = async (userId: string) =>
  (await t.app.ctx.db.query<{ v: string }>("SELECT version::text AS v FROM task_list_versions WHERE user_id = $1", [userId]))[0]?.v;

describe("list page cache", () => {
  test("a repeated list is answered from the stored page after one version check", async () => {
    const alice = await createUser(t.app);
    const task = await createTask(t.app, alice, { title: "cached" });
    assert.deepEqual(titles(await list(alice)), ["cached"]);

    // Changed behind the triggers' back: only a stored page can still say "cached".
    await t.app.ctx.db.query("ALTER TABLE tasks DISABLE TRIGGER tasks_list_version_update");
    try {
      await t.app.ctx.db.query("UPDATE tasks SET title = 'changed quietly' WHERE id = $1", [task.id]);
      const before = t.app.ctx.db.queryCount;
      assert.deepEqual(titles(await list(alice)), ["cached"]);
      assert.equal(t.app.ctx.db.queryCount - before, 1, "one statement: the version check");
    } finally {
      await t.app.ctx.db.query("ALTER TABLE tasks ENABLE TRIGGER tasks_list_version_update");
    }
    // A write that raises the version (any writer, here plain SQL) makes the next list fresh.
    await t.app.ctx.db.query("UPDATE tasks SET title = 'changed openly' WHERE id = $1", [task.id]);
    assert.deepEqual(titles(await list(alice)), ["changed openly"]);
  });

  test("every write through the API shows on the next list of a warmed cache", async () => {
    const bob = await createUser(t.app);
    const api = as(t.app, bob);
    assert.deepEqual(await list(bob), []);
    const a = await createTask(t.app, bob, { title: "a" });
    assert.deepEqual(titles(await list(bob)), ["a"]);
    const b = await createTask(t.app, bob, { title: "b" });
    assert.deepEqual(titles(await list(bob)), ["a", "b"]);

    assert.equal((await api({ method: "PATCH", url: `/api/tasks/${a.id}`, payload: { title: "a2" } })).statusCode, 200);
    assert.deepEqual(titles(await list(bob)), ["a2", "b"]);

    assert.equal((await api({ method: "PATCH", url: `/api/tasks/${b.id}/complete` })).statusCode, 200);
    const afterToggle = await list(bob);
    assert.equal(afterToggle.find((x) => x.id === b.id)?.completed, true);
    assert.deepEqual(titles(await list(bob, "?status=completed")), ["b"]);

    assert.equal((await api({ method: "PUT", url: `/api/tasks/${a.id}`, payload: { title: "a3", priority: "high" } })).statusCode, 200);
    assert.deepEqual((await list(bob)).map((x) => [x.title, x.priority]).sort(), [
      ["a3", "high"],
      ["b", "none"],
    ]);

    assert.equal((await api({ method: "DELETE", url: `/api/tasks/${a.id}` })).statusCode, 204);
    assert.deepEqual(titles(await list(bob)), ["b"]);
    assert.deepEqual(titles(await list(bob, "?status=completed")), ["b"]);
  });

  test("a write that changes nothing (If-Match mismatch) leaves the version alone", async () => {
    const carol = await createUser(t.app);
    const task = await createTask(t.app, carol, { title: "c" });
    const version = await versionOf(carol.id);
    const res = await as(
      t.app,
      carol,
    )({ method: "PATCH", url: `/api/tasks/${task.id}`, headers: { "if-match": '"99"' }, payload: { title: "x" } });
    assert.equal(res.statusCode, 412);
    assert.equal(await versionOf(carol.id), version);
  });

  test("owners never share pages: the same query by two users gives each their own tasks", async () => {
    const dave = await createUser(t.app);
    const erin = await createUser(t.app);
    await createTask(t.app, dave, { title: "dave's" });
    await createTask(t.app, erin, { title: "erin's" });
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(titles(await list(dave, "?limit=100&sort=title")), ["dave's"]);
      assert.deepEqual(titles(await list(erin, "?limit=100&sort=title")), ["erin's"]);
    }
    // Erin's writes do not count as Dave's: his version is his own.
    const daveVersion = await versionOf(dave.id);
    await createTask(t.app, erin, { title: "erin's second" });
    assert.equal(await versionOf(dave.id), daveVersion);
  });

  test("pages that depend on the clock (overdue) are never stored", async () => {
    const frank = await createUser(t.app);
    await createTask(t.app, frank, { title: "late", due_at: "2001-01-01T00:00:00Z" });
    const size = t.app.ctx.listCache.size;
    assert.deepEqual(titles(await list(frank, "?overdue=true")), ["late"]);
    assert.deepEqual(titles(await list(frank, "?overdue=true")), ["late"]);
    assert.equal(t.app.ctx.listCache.size, size);
    await list(frank, "?overdue=false");
    assert.equal(t.app.ctx.listCache.size, size);
  });

  test("deleting a user deletes their version row, and the cascade to their tasks leaves none", async () => {
    const gina = await createUser(t.app);
    await createTask(t.app, gina, { title: "g" });
    assert.equal(await versionOf(gina.id), "1");
    await t.app.ctx.db.query('DELETE FROM "user" WHERE id = $1', [gina.id]);
    assert.equal(await versionOf(gina.id), undefined);
    assert.equal((await t.app.ctx.db.query("SELECT 1 FROM tasks WHERE user_id = $1", [gina.id])).length, 0);
  });

  test("a bulk statement raises each owner's version once", async () => {
    const hana = await createUser(t.app);
    await t.app.ctx.db.query(
      `INSERT INTO tasks (id, user_id, list_id, position, title)
       SELECT gen_random_uuid(), $1, (SELECT id FROM lists WHERE owner_id = $1 AND is_inbox), fi_integer_key(i), 'bulk ' || i
         FROM generate_series(1, 50) i`,
      [hana.id],
    );
    assert.equal(await versionOf(hana.id), "1");
    assert.equal((await list(hana)).length, 50);
  });
});

describe("list page cache turned off (LIST_CACHE_MB=0)", () => {
  let off: TestApp;
  before(async () => {
    off = await startApp({ LIST_CACHE_MB: "0" });
  });
  after(() => off.close());

  test("every list reads the database", async () => {
    const ivan = await createUser(off.app);
    const task = await createTask(off.app, ivan, { title: "before" });
    const get = async () => (await as(off.app, ivan)({ method: "GET", url: "/api/tasks" })).json() as TaskJson[];
    assert.deepEqual(titles(await get()), ["before"]);
    await off.app.ctx.db.query("ALTER TABLE tasks DISABLE TRIGGER tasks_list_version_update");
    try {
      await off.app.ctx.db.query("UPDATE tasks SET title = 'after' WHERE id = $1", [task.id]);
      assert.deepEqual(titles(await get()), ["after"]);
    } finally {
      await off.app.ctx.db.query("ALTER TABLE tasks ENABLE TRIGGER tasks_list_version_update");
    }
    assert.equal(off.app.ctx.listCache.enabled, false);
    assert.equal(off.app.ctx.listCache.size, 0);
  });
});

describe("ListPageCache", () => {
  test("holds at most its byte budget, dropping the least recently used pages", () => {
    const cache = new ListPageCache(64 * 1024);
    const page = (n: number) => ({ body: Buffer.from(`[${"x".repeat(10_000)}${n}]`), count: 1, next: null });
    for (let i = 0; i < 10; i++) cache.store(`owner-${i}`, "1", page(i));
    assert.ok(cache.size <= 64 * 1024, `size ${cache.size}`);
    assert.equal(cache.peek("owner-0"), undefined, "the oldest page was dropped");
    assert.equal(cache.peek("owner-9")?.page.body.toString().endsWith("9]"), true);
  });

  test("a zero budget stores nothing", () => {
    const cache = new ListPageCache(0);
    cache.store("k", "1", { body: Buffer.from("[]"), count: 0, next: null });
    assert.equal(cache.peek("k"), undefined);
    assert.equal(cache.enabled, false);
  });
});
