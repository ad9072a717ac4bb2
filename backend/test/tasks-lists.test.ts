/**
 * Tasks in lists (SPEC §7): the new fields, create with list_id / parent_id
 * (same list, depth, limits), due_date beside due_at, the fields PATCH/PUT
 * refuse, the list_id / parent_id filters, sort=position with keyset paging,
 * the per-list page cache, and seed compatibility.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type App, buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { keyAfter, keyBetween } from "../src/domain/positions.ts";
import { registry } from "../src/ops/metrics.ts";
import { assertProblem, createUser, startApp, type TestApp, type TestUser, usingPostgres } from "./helpers.ts";
import { as, createTask, inboxId, nextLink, storedTask, type TaskJson } from "./tasks-helpers.ts";

let t: TestApp;
before(async () => {
  t = await startApp();
});
after(() => t.close());

async function newList(user: TestUser, name: string): Promise<string> {
  const res = await as(t.app, user)({ method: "POST", url: "/api/lists", payload: { name } });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { id: string }).id;
}

async function get(user: TestUser, url: string): Promise<TaskJson[]> {
  const res = await as(t.app, user)({ method: "GET", url });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as TaskJson[];
}

const titles = (tasks: TaskJson[]) => tasks.map((x) => x.title);
const missingId = "0193a000-0000-7000-8000-0000000000bb";

describe("create", () => {
  test("list_id puts the task in that list, last; without it the Inbox; positions grow in creation order", async () => {
    const ann = await createUser(t.app);
    const work = await newList(ann, "Work");
    const a = await createTask(t.app, ann, { title: "a", list_id: work });
    const b = await createTask(t.app, ann, { title: "b", list_id: work.toUpperCase() });
    const c = await createTask(t.app, ann, { title: "c" });
    assert.equal(a.list_id, work);
    assert.equal(b.list_id, work);
    assert.equal(c.list_id, await inboxId(t.app, ann.id));
    assert.ok(a.position < b.position, `${a.position} < ${b.position}`);
    assert.equal(c.position, a.position, "another list's order starts on its own");
    for (const task of [a, b, c]) {
      assert.equal(task.parent_id, null);
      assert.equal(task.subtask_count, 0);
      assert.equal(task.due_date, null);
    }
  });

  test("parent_id alone: the parent's list; the parent's counts and ETag follow its children", async () => {
    const ann = await createUser(t.app);
    const work = await newList(ann, "Work");
    const parent = await createTask(t.app, ann, { title: "parent", list_id: work });
    const etag0 = (await as(t.app, ann)({ method: "GET", url: `/api/tasks/${parent.id}` })).headers.etag;
    const one = await createTask(t.app, ann, { title: "one", parent_id: parent.id });
    const two = await createTask(t.app, ann, { title: "two", parent_id: parent.id, list_id: work, completed: true });
    assert.equal(one.list_id, work);
    assert.equal(one.parent_id, parent.id);
    assert.ok(one.position < two.position);
    const got = await as(t.app, ann)({ method: "GET", url: `/api/tasks/${parent.id}` });
    const p = got.json() as TaskJson;
    assert.equal(p.subtask_count, 2);
    assert.equal(p.open_subtask_count, 1);
    assert.notEqual(got.headers.etag, etag0, "the parent's JSON changed, so did its ETag");
    assert.equal(p.updated_at, parent.updated_at, "nothing the user set on the parent changed");
    assert.equal((await as(t.app, ann)({ method: "PATCH", url: `/api/tasks/${one.id}/complete` })).statusCode, 200);
    assert.equal(((await as(t.app, ann)({ method: "GET", url: `/api/tasks/${parent.id}` })).json() as TaskJson).open_subtask_count, 0);
    // Deleting the parent deletes its subtasks, and the list's counts follow.
    assert.equal((await as(t.app, ann)({ method: "DELETE", url: `/api/tasks/${parent.id}` })).statusCode, 204);
    assert.equal(await storedTask(t.app, one.id), undefined);
    assert.equal(await storedTask(t.app, two.id), undefined);
    const list = (await as(t.app, ann)({ method: "GET", url: `/api/lists/${work}` })).json() as { task_count: number };
    assert.equal(list.task_count, 0);
  });

  test("subtasks nest down to level 4; a 5th level is a 422 naming parent_id", async () => {
    const ann = await createUser(t.app);
    let parent = await createTask(t.app, ann, { title: "level 1" });
    for (const level of [2, 3, 4]) parent = await createTask(t.app, ann, { title: `level ${level}`, parent_id: parent.id });
    const res = await as(t.app, ann)({ method: "POST", url: "/api/tasks", payload: { title: "level 5", parent_id: parent.id } });
    const p = assertProblem(res, 422, "validation_failed");
    assert.deepEqual(
      p.errors?.map((e) => e.field),
      ["parent_id"],
    );
    assert.equal((await get(ann, "/api/tasks")).length, 4);
  });

  test("a parent of another list, someone else's, or none at all: 422 naming the field, the same for missing and theirs", async () => {
    const ann = await createUser(t.app);
    const bob = await createUser(t.app);
    const work = await newList(ann, "Work");
    const inInbox = await createTask(t.app, ann, { title: "inbox task" });
    const bobs = await createTask(t.app, bob, { title: "bob's" });
    const post = (payload: Record<string, unknown>) => as(t.app, ann)({ method: "POST", url: "/api/tasks", payload });
    const other = assertProblem(await post({ title: "x", list_id: work, parent_id: inInbox.id }), 422, "validation_failed");
    assert.deepEqual(other.errors, [{ field: "parent_id", message: "is not a task of that list" }]);
    const theirs = assertProblem(await post({ title: "x", parent_id: bobs.id }), 422, "validation_failed");
    const nobody = assertProblem(await post({ title: "x", parent_id: missingId }), 422, "validation_failed");
    const malformed = assertProblem(await post({ title: "x", parent_id: "nope" }), 422, "validation_failed");
    assert.deepEqual(theirs.errors, nobody.errors);
    assert.deepEqual(malformed.errors, nobody.errors);
    assert.deepEqual(
      theirs.errors?.map((e) => e.field),
      ["parent_id"],
    );
    const bobsList = await newList(bob, "Bob's");
    const intoTheirs = assertProblem(await post({ title: "x", list_id: bobsList }), 422, "validation_failed");
    assert.deepEqual(intoTheirs.errors, assertProblem(await post({ title: "x", list_id: missingId }), 422, "validation_failed").errors);
    assert.deepEqual(titles(await get(ann, "/api/tasks")), ["inbox task"]);
    assert.equal(((await as(t.app, bob)({ method: "GET", url: `/api/tasks/${bobs.id}` })).json() as TaskJson).subtask_count, 0);
  });

  test("limits: tasks per list and subtasks per task are 422 limit_exceeded and create nothing", async () => {
    const small = await startApp({ LIMIT_TASKS_PER_LIST: "3", LIMIT_SUBTASKS_PER_TASK: "1" });
    try {
      const ann = await createUser(small.app);
      const post = (payload: Record<string, unknown>) => as(small.app, ann)({ method: "POST", url: "/api/tasks", payload });
      const parent = (await post({ title: "p" })).json() as TaskJson;
      assert.equal((await post({ title: "c1", parent_id: parent.id })).statusCode, 201);
      const sub = assertProblem(await post({ title: "c2", parent_id: parent.id }), 422, "limit_exceeded");
      assert.match(sub.detail, /at most 1 subtasks/);
      assert.equal((await post({ title: "t3" })).statusCode, 201);
      const full = assertProblem(await post({ title: "t4" }), 422, "limit_exceeded");
      assert.match(full.detail, /at most 3 tasks/);
      const res = await as(small.app, ann)({ method: "GET", url: "/api/tasks" });
      assert.equal((res.json() as TaskJson[]).length, 3);
    } finally {
      await small.close();
    }
  });
});

describe("due_date beside due_at", () => {
  test("a calendar day, returned as YYYY-MM-DD; never both kinds (422 naming both); switching sets the other to null", async () => {
    const ann = await createUser(t.app);
    const post = (payload: Record<string, unknown>) => as(t.app, ann)({ method: "POST", url: "/api/tasks", payload });
    const day = await createTask(t.app, ann, { title: "day", due_date: "2026-02-28" });
    assert.equal(day.due_date, "2026-02-28");
    assert.equal(day.due_at, null);
    const both = assertProblem(
      await post({ title: "both", due_date: "2026-02-28", due_at: "2026-02-28T10:00:00Z" }),
      422,
      "validation_failed",
    );
    assert.deepEqual(both.errors?.map((e) => e.field).sort(), ["due_at", "due_date"]);
    for (const bad of ["2026-02-30", "2026-2-1", "28.02.2026", "0000-01-01", "2026-02-28T00:00:00Z"]) {
      const p = assertProblem(await post({ title: "bad", due_date: bad }), 422, "validation_failed");
      assert.deepEqual([...new Set(p.errors?.map((e) => e.field))], ["due_date"], bad);
    }
    const patch = (id: string, payload: Record<string, unknown>) => as(t.app, ann)({ method: "PATCH", url: `/api/tasks/${id}`, payload });
    const sneaky = assertProblem(await patch(day.id, { due_at: "2026-03-01T09:00:00Z" }), 422, "validation_failed");
    assert.deepEqual(sneaky.errors?.map((e) => e.field).sort(), ["due_at", "due_date"]);
    const switched = await patch(day.id, { due_at: "2026-03-01T09:00:00+01:00", due_date: null });
    assert.equal(switched.statusCode, 200, switched.body);
    assert.deepEqual([(switched.json() as TaskJson).due_at, (switched.json() as TaskJson).due_date], ["2026-03-01T08:00:00.000Z", null]);
    const back = await patch(day.id, { due_date: "2026-03-02", due_at: null });
    assert.deepEqual([(back.json() as TaskJson).due_at, (back.json() as TaskJson).due_date], [null, "2026-03-02"]);
  });

  test("sort=due_at and due_before/due_after treat a floating day as its end in UTC", async () => {
    const ann = await createUser(t.app);
    await createTask(t.app, ann, { title: "day 2nd", due_date: "2026-03-02" });
    await createTask(t.app, ann, { title: "2nd 23:00Z", due_at: "2026-03-02T23:00:00Z" });
    await createTask(t.app, ann, { title: "3rd 00:00Z", due_at: "2026-03-03T00:00:00Z" });
    await createTask(t.app, ann, { title: "undated" });
    assert.deepEqual(titles(await get(ann, "/api/tasks?sort=due_at")), ["2nd 23:00Z", "day 2nd", "3rd 00:00Z", "undated"]);
    assert.deepEqual(titles(await get(ann, "/api/tasks?sort=-due_at")), ["undated", "3rd 00:00Z", "day 2nd", "2nd 23:00Z"]);
    assert.deepEqual(titles(await get(ann, "/api/tasks?sort=due_at&due_before=2026-03-03T00:00:00Z")), ["2nd 23:00Z", "day 2nd"]);
    assert.deepEqual(titles(await get(ann, "/api/tasks?sort=due_at&due_after=2026-03-02T23:30:00Z")), ["day 2nd", "3rd 00:00Z"]);
  });
});

describe("a task's place changes only through its move route", () => {
  test("list_id, parent_id and position in PUT or PATCH are 422 naming the field, and nothing changes", async () => {
    const ann = await createUser(t.app);
    const work = await newList(ann, "Work");
    const task = await createTask(t.app, ann, { title: "stay" });
    for (const method of ["PUT", "PATCH"] as const) {
      for (const [field, value] of [
        ["list_id", work],
        ["parent_id", null],
        ["position", "a5"],
      ] as const) {
        const res = await as(t.app, ann)({ method, url: `/api/tasks/${task.id}`, payload: { title: "moved?", [field]: value } });
        const p = assertProblem(res, 422, "validation_failed");
        assert.deepEqual(p.errors, [{ field, message: "cannot be changed here: use POST /api/tasks/{id}/move" }], `${method} ${field}`);
      }
    }
    const stored = await storedTask(t.app, task.id);
    assert.equal(stored?.title, "stay");
    assert.equal(stored?.version, 1);
  });
});

describe("filters and sort=position", () => {
  test("list_id, parent_id=none and parent_id=<id> select, and combine with the other filters", async () => {
    const ann = await createUser(t.app);
    const work = await newList(ann, "Work");
    const p = await createTask(t.app, ann, { title: "work parent", list_id: work, priority: "high" });
    await createTask(t.app, ann, { title: "work child", parent_id: p.id });
    await createTask(t.app, ann, { title: "work other", list_id: work });
    await createTask(t.app, ann, { title: "inbox" });
    const sorted = (tasks: TaskJson[]) => titles(tasks).sort();
    assert.deepEqual(sorted(await get(ann, `/api/tasks?list_id=${work}`)), ["work child", "work other", "work parent"]);
    assert.deepEqual(sorted(await get(ann, `/api/tasks?list_id=${work}&parent_id=none`)), ["work other", "work parent"]);
    assert.deepEqual(sorted(await get(ann, `/api/tasks?parent_id=${p.id}`)), ["work child"]);
    assert.deepEqual(sorted(await get(ann, "/api/tasks?parent_id=none")), ["inbox", "work other", "work parent"]);
    assert.deepEqual(sorted(await get(ann, `/api/tasks?list_id=${work}&priority=high`)), ["work parent"]);
    // Seed compatibility: no parameters, every task of every list, newest first.
    assert.deepEqual(titles(await get(ann, "/api/tasks")), ["inbox", "work other", "work child", "work parent"]);
  });

  test("a parent or list you cannot see is the 404 of a missing one; malformed ids too", async () => {
    const ann = await createUser(t.app);
    const bob = await createUser(t.app);
    const bobs = await createTask(t.app, bob, { title: "secret parent" });
    await createTask(t.app, bob, { title: "secret child", parent_id: bobs.id });
    const req = as(t.app, ann);
    const shape = (res: Awaited<ReturnType<typeof req>>) => ({ ...(res.json() as object), request_id: 0 });
    const theirs = await req({ method: "GET", url: `/api/tasks?parent_id=${bobs.id}` });
    const nobody = await req({ method: "GET", url: `/api/tasks?parent_id=${missingId}` });
    const malformed = await req({ method: "GET", url: "/api/tasks?parent_id=nope" });
    for (const res of [theirs, nobody, malformed]) assertProblem(res, 404, "not_found");
    assert.deepEqual(shape(theirs), shape(nobody));
    assert.deepEqual(shape(malformed), shape(nobody));
    assertProblem(await req({ method: "GET", url: "/api/tasks?list_id=nope" }), 404, "not_found");
    // A cached page of someone else's scope cannot exist: the access check is in the version read.
    assertProblem(await req({ method: "GET", url: `/api/tasks?parent_id=${bobs.id}` }), 404, "not_found");
  });

  test("sort=position: the manual order, keyset-paged with a total order, both directions; it needs a list or a parent", async () => {
    const ann = await createUser(t.app);
    const list = await newList(ann, "Ordered");
    const made: TaskJson[] = [];
    for (let i = 0; i < 7; i++) made.push(await createTask(t.app, ann, { title: `t${i}`, list_id: list }));
    const parent = made[0] as TaskJson;
    for (let i = 0; i < 3; i++) await createTask(t.app, ann, { title: `sub${i}`, parent_id: parent.id });
    const walk = async (first: string) => {
      const seen: string[] = [];
      let url: string | null = first;
      let pages = 0;
      while (url) {
        const res = await as(t.app, ann)({ method: "GET", url });
        assert.equal(res.statusCode, 200, res.body);
        seen.push(...titles(res.json() as TaskJson[]));
        url = nextLink(res);
        pages++;
      }
      return { seen, pages };
    };
    const up = await walk(`/api/tasks?list_id=${list}&parent_id=none&sort=position&limit=3`);
    assert.deepEqual(up.seen, ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    assert.equal(up.pages, 3);
    const down = await walk(`/api/tasks?list_id=${list}&parent_id=none&sort=-position&limit=2`);
    assert.deepEqual(down.seen, ["t6", "t5", "t4", "t3", "t2", "t1", "t0"]);
    assert.deepEqual((await walk(`/api/tasks?parent_id=${parent.id}&sort=position&limit=2`)).seen, ["sub0", "sub1", "sub2"]);
    // The whole list: every level, ordered by key then id (children start their own sequence).
    const all = (await walk(`/api/tasks?list_id=${list}&sort=position&limit=4`)).seen;
    assert.equal(all.length, 10);
    for (const url of ["/api/tasks?sort=position", "/api/tasks?parent_id=none&sort=-position"]) {
      const p = assertProblem(await as(t.app, ann)({ method: "GET", url }), 422, "validation_failed");
      assert.equal(p.errors?.[0]?.field, "sort");
    }
    // A cursor of another sort is refused.
    const first = await as(t.app, ann)({ method: "GET", url: `/api/tasks?list_id=${list}&sort=position&limit=1` });
    const cursor = new URL(String(nextLink(first)), "http://x").searchParams.get("cursor");
    assertProblem(
      await as(t.app, ann)({ method: "GET", url: `/api/tasks?list_id=${list}&sort=title&cursor=${cursor}` }),
      422,
      "validation_failed",
    );
  });
});

describe("the page cache, per list", () => {
  const lookups = async () => {
    const text = await registry.getSingleMetricAsString("task_list_cache_lookups_total");
    const count = (result: string) => Number(new RegExp(`result="${result}"} (\\d+)`).exec(text)?.[1] ?? 0);
    return { hit: count("hit"), stale: count("stale"), miss: count("miss") };
  };

  test("a write in list A leaves a cached page of list B current; pages across lists and of A are refreshed", async () => {
    const ann = await createUser(t.app);
    const a = await newList(ann, "A");
    const b = await newList(ann, "B");
    await createTask(t.app, ann, { title: "in a", list_id: a });
    await createTask(t.app, ann, { title: "in b", list_id: b });
    for (const url of [`/api/tasks?list_id=${a}`, `/api/tasks?list_id=${b}`, "/api/tasks"]) await get(ann, url);

    await createTask(t.app, ann, { title: "a again", list_id: a });
    const before = await lookups();
    assert.deepEqual(titles(await get(ann, `/api/tasks?list_id=${b}`)), ["in b"]);
    const afterB = await lookups();
    assert.equal(afterB.hit - before.hit, 1, "list B's page is still current: served from the cache");
    assert.deepEqual(titles(await get(ann, `/api/tasks?list_id=${a}`)), ["a again", "in a"]);
    assert.deepEqual(titles(await get(ann, "/api/tasks")), ["a again", "in b", "in a"]);
    const afterA = await lookups();
    assert.equal(afterA.stale - afterB.stale, 2, "list A's page and the cross-list page were refreshed");
    assert.equal(afterA.hit, afterB.hit);
  });

  test("two app instances on one database: each one's cached pages see the other's writes, per list", async () => {
    // A second instance with its own cache: on PostgreSQL its own pool; on the embedded database
    // the same database object (one process can hold one PGlite), which is what instances share.
    const second: { app: App; close: () => Promise<void> } = usingPostgres()
      ? await startApp({}, t.databaseUrl)
      : await (async () => {
          const app = await buildApp(
            loadConfig({
              NODE_ENV: "test",
              DATABASE_URL: "memory://",
              RATE_LIMIT: "off",
              STATIC_DIR: "off",
              LOG_LEVEL: "silent",
              BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
            }),
            { db: t.app.ctx.db, clock: t.clock.now },
          );
          return { app, close: () => app.close() };
        })();
    try {
      const ann = await createUser(t.app);
      const a = await newList(ann, "A");
      const b = await newList(ann, "B");
      await createTask(t.app, ann, { title: "a1", list_id: a });
      await createTask(t.app, ann, { title: "b1", list_id: b });
      const on = (app: App, url: string) => as(app, ann)({ method: "GET", url });
      const page = async (app: App, url: string) => titles((await on(app, url)).json() as TaskJson[]);
      for (const url of [`/api/tasks?list_id=${a}`, `/api/tasks?list_id=${b}`, "/api/tasks"]) await on(t.app, url);

      // Written through the other instance.
      assert.equal(
        (await as(second.app, ann)({ method: "POST", url: "/api/tasks", payload: { title: "a2", list_id: a } })).statusCode,
        201,
      );
      const before = await lookups();
      assert.deepEqual(await page(t.app, `/api/tasks?list_id=${b}`), ["b1"]);
      assert.equal((await lookups()).hit - before.hit, 1, "B's page is still current");
      assert.deepEqual(await page(t.app, `/api/tasks?list_id=${a}`), ["a2", "a1"]);
      assert.deepEqual(await page(t.app, "/api/tasks"), ["a2", "b1", "a1"]);
      // And back: the second instance's pages follow the first's writes.
      assert.deepEqual(await page(second.app, `/api/tasks?list_id=${a}`), ["a2", "a1"]);
      const [a2] = (await on(second.app, `/api/tasks?list_id=${a}`)).json() as TaskJson[];
      assert.equal((await as(t.app, ann)({ method: "DELETE", url: `/api/tasks/${a2?.id}` })).statusCode, 204);
      assert.deepEqual(await page(second.app, `/api/tasks?list_id=${a}`), ["a1"]);
      assert.deepEqual(await page(second.app, "/api/tasks"), ["b1", "a1"]);
    } finally {
      await second.close();
    }
  });

  test("subtask pages follow their list: a new subtask refreshes the parent's page", async () => {
    const ann = await createUser(t.app);
    const parent = await createTask(t.app, ann, { title: "p" });
    assert.deepEqual(titles(await get(ann, `/api/tasks?parent_id=${parent.id}`)), []);
    await createTask(t.app, ann, { title: "c", parent_id: parent.id });
    assert.deepEqual(titles(await get(ann, `/api/tasks?parent_id=${parent.id}`)), ["c"]);
  });
});

describe("fi_key_after in the database is fractional-indexing's generateKeyBetween(key, null)", () => {
  test("for keys made by random sequences of inserts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }), async (choices) => {
        const keys: string[] = [];
        for (const c of choices) {
          const i = c % (keys.length + 1);
          keys.splice(i, 0, keyBetween(keys[i - 1] ?? null, keys[i] ?? null));
        }
        const rows = await t.app.ctx.db.query<{ k: string; next: string }>("SELECT k, fi_key_after(k) AS next FROM unnest($1::text[]) k", [
          keys,
        ]);
        for (const r of rows) assert.equal(r.next, keyAfter(r.k), r.k);
      }),
      { numRuns: 40 },
    );
    const edges = ["a0", "az", "Zz", "b0z", "azzz", "dzzzz", "Yzz", "a0V", "a1Vz"];
    const rows = await t.app.ctx.db.query<{ k: string; next: string }>("SELECT k, fi_key_after(k) AS next FROM unnest($1::text[]) k", [
      edges,
    ]);
    for (const r of rows) assert.equal(r.next, keyAfter(r.k), r.k);
  });
});
