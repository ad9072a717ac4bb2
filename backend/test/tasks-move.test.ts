import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertProblem, createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { as, problemShape } from "./tasks-helpers.ts";
import {
  addTask,
  bulkTasks,
  changedRows,
  createList,
  getList,
  groupOrder,
  ids,
  inboxOf,
  type ListTaskJson,
  move,
  moved,
  rowsById,
} from "./tasks-move-helpers.ts";

/* POST /api/tasks/{id}/move (SPEC §7): order among siblings, subtrees, lists, the rules, access. */

let t: TestApp;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  t = await startApp();
  alice = await createUser(t.app);
  bob = await createUser(t.app);
});
after(() => t.close());

const order = async (user: TestUser, listId: string, parentId: string | null = null) =>
  ids(await groupOrder(t.app, user, listId, parentId));
const titles = async (user: TestUser, listId: string, parentId: string | null = null) =>
  (await groupOrder(t.app, user, listId, parentId)).map((x) => x.title);

async function freshList(user: TestUser, name: string, n: number): Promise<{ id: string; tasks: ListTaskJson[] }> {
  const list = await createList(t.app, user, name);
  const tasks: ListTaskJson[] = [];
  for (let i = 1; i <= n; i++) tasks.push(await addTask(t.app, user, `${name} ${i}`, { list_id: list.id }));
  return { id: list.id, tasks };
}

describe("reordering among siblings", () => {
  test("before, after, both (adjacent) and neither (the end); the answer is the moved task with its new ETag", async () => {
    const { id: list, tasks } = await freshList(alice, "r", 4);
    const [a, b, c, d] = tasks as [ListTaskJson, ListTaskJson, ListTaskJson, ListTaskJson];
    assert.deepEqual(await order(alice, list), [a.id, b.id, c.id, d.id], "new tasks go last");

    let res = await move(t.app, alice, d.id, { before: a.id });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as ListTaskJson;
    assert.equal(body.id, d.id);
    assert.equal(body.list_id, list);
    assert.equal(body.parent_id, null);
    assert.ok(body.position < a.position);
    const got = await as(t.app, alice)({ method: "GET", url: `/api/tasks/${d.id}` });
    assert.deepEqual(got.json(), body, "the answer is what is stored");
    assert.equal(res.headers.etag, got.headers.etag);
    assert.deepEqual(await order(alice, list), [d.id, a.id, b.id, c.id]);

    await moved(t.app, alice, d.id, { after: b.id });
    assert.deepEqual(await order(alice, list), [a.id, b.id, d.id, c.id]);
    await moved(t.app, alice, a.id, {});
    assert.deepEqual(await order(alice, list), [b.id, d.id, c.id, a.id], "no anchor: the end");
    await moved(t.app, alice, a.id, { after: b.id, before: d.id });
    assert.deepEqual(await order(alice, list), [b.id, a.id, d.id, c.id]);
    // A move to where it already is: still a valid order, still one row.
    await moved(t.app, alice, a.id, { after: b.id });
    assert.deepEqual(await order(alice, list), [b.id, a.id, d.id, c.id]);
    res = await move(t.app, alice, c.id, { after: c.id });
    assert.deepEqual(
      assertProblem(res, 422, "validation_failed").errors?.map((e) => e.field),
      ["after"],
    );
  });

  test("before and after that are not adjacent, or not siblings at the destination, are 422s naming them", async () => {
    const { id: list, tasks } = await freshList(alice, "adj", 3);
    const [a, b, c] = tasks as [ListTaskJson, ListTaskJson, ListTaskJson];
    const other = await freshList(alice, "adj-other", 1);
    const sub = await addTask(t.app, alice, "a subtask", { parent_id: a.id });

    const fields = async (id: string, body: Record<string, unknown>) => {
      const res = await move(t.app, alice, id, body);
      return (assertProblem(res, 422, "validation_failed").errors ?? []).map((e) => e.field).sort();
    };
    assert.deepEqual(await fields(c.id, { after: a.id, before: c.id }), ["before"], "the task itself");
    assert.deepEqual(await fields(b.id, { after: c.id, before: a.id }), ["after", "before"], "reversed");
    assert.deepEqual(await fields(c.id, { before: (other.tasks[0] as ListTaskJson).id }), ["before"], "a task of another list");
    assert.deepEqual(await fields(c.id, { after: sub.id }), ["after"], "a task at another level");
    assert.deepEqual(await fields(sub.id, { before: b.id }), ["before"], "a top-level task for a subtask staying under its parent");
    assert.deepEqual(await order(alice, list), [a.id, b.id, c.id], "nothing moved");
  });

  test("a reorder writes the moved row alone, however long the list: one row of 2,000", async () => {
    const list = await createList(t.app, alice, "long");
    const bulk = await bulkTasks(t.app, alice, list.id, 2_000);
    const inbox = await inboxOf(t.app, alice);
    const before = await rowsById(t.app, [list.id, inbox.id]);
    const [first, second] = bulk as [string, string];
    const last = bulk.at(-1) as string;
    await moved(t.app, alice, last, { after: first });
    const after = await rowsById(t.app, [list.id, inbox.id]);
    assert.deepEqual(changedRows(before, after), [last], "only the moved task's row changed");

    // The statement's own row count, from the database's statistics of the move's UPDATE: one tuple.
    const moves = [
      { id: first, body: { before: second } },
      { id: second, body: {} },
      { id: bulk[1000] as string, body: { before: first } },
    ];
    for (const m of moves) {
      const snapshot = await rowsById(t.app, [list.id, inbox.id]);
      await moved(t.app, alice, m.id, m.body);
      assert.deepEqual(changedRows(snapshot, await rowsById(t.app, [list.id, inbox.id])), [m.id]);
    }
    const stored = await t.app.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE list_id = $1", [list.id]);
    assert.equal(stored[0]?.n, 2_000);
  });

  test("keys that would pass 50 characters rebalance the group: every key short again, order kept, then one row per move again", async () => {
    const { id: list, tasks } = await freshList(alice, "tight", 4);
    const [a, b, c, d] = tasks as [ListTaskJson, ListTaskJson, ListTaskJson, ListTaskJson];
    // Two neighbours whose keys leave no room for a key of 50 characters between them.
    const low = `a0${"V".repeat(48)}`;
    const high = `a0${"V".repeat(47)}W`;
    await t.app.ctx.db.query("UPDATE tasks SET position = CASE id WHEN $1::uuid THEN $3 ELSE $4 END WHERE id IN ($1::uuid, $2::uuid)", [
      b.id,
      c.id,
      low,
      high,
    ]);
    assert.deepEqual(await order(alice, list), [a.id, b.id, c.id, d.id]);
    const before = await rowsById(t.app, [list]);
    const res = await moved(t.app, alice, d.id, { after: b.id });
    assert.deepEqual(await order(alice, list), [a.id, b.id, d.id, c.id]);
    const keys = (await groupOrder(t.app, alice, list, null)).map((x) => x.position);
    assert.ok(
      keys.every((k) => k.length <= 4),
      `short keys after the rebalance: ${keys.join(" ")}`,
    );
    assert.equal(res.position, keys[2]);
    assert.equal(changedRows(before, await rowsById(t.app, [list])).length, 4, "the rebalance rewrote the group");
    const snapshot = await rowsById(t.app, [list]);
    await moved(t.app, alice, a.id, {});
    assert.deepEqual(changedRows(snapshot, await rowsById(t.app, [list])), [a.id]);
  });

  test("a group whose keys are not the scheme's (written by hand) is rebalanced instead of failing", async () => {
    const { id: list, tasks } = await freshList(alice, "garbage", 3);
    const [a, b, c] = tasks as [ListTaskJson, ListTaskJson, ListTaskJson];
    await t.app.ctx.db.query(
      "UPDATE tasks SET position = CASE id WHEN $1::uuid THEN '!x' WHEN $2::uuid THEN '!y' ELSE position END WHERE list_id = $3",
      [a.id, b.id, list],
    );
    await moved(t.app, alice, c.id, { before: b.id });
    assert.deepEqual(await order(alice, list), [a.id, c.id, b.id]);
  });
});

describe("subtasks", () => {
  test("a task moves under another parent with its subtree; both parents' counts follow", async () => {
    const { id: list, tasks } = await freshList(alice, "tree", 2);
    const [p, q] = tasks as [ListTaskJson, ListTaskJson];
    const child = await addTask(t.app, alice, "child", { parent_id: p.id });
    const grandchild = await addTask(t.app, alice, "grandchild", { parent_id: child.id });
    const sibling = await addTask(t.app, alice, "q's child", { parent_id: q.id });

    const res = await moved(t.app, alice, child.id, { parent_id: q.id, before: sibling.id });
    assert.equal(res.parent_id, q.id);
    assert.deepEqual(await order(alice, list, q.id), [child.id, sibling.id]);
    assert.deepEqual(await order(alice, list, p.id), []);
    assert.deepEqual(await order(alice, list, child.id), [grandchild.id], "the subtree came along");
    const get = async (id: string) => (await as(t.app, alice)({ method: "GET", url: `/api/tasks/${id}` })).json() as ListTaskJson;
    assert.equal((await get(p.id)).subtask_count, 0);
    assert.equal((await get(q.id)).subtask_count, 2);
    assert.equal((await get(q.id)).open_subtask_count, 2);

    // To the top level (parent_id null), at the end by default.
    await moved(t.app, alice, child.id, { parent_id: null });
    assert.deepEqual(await order(alice, list), [p.id, q.id, child.id]);
    assert.equal((await get(child.id)).parent_id, null);
    assert.equal((await get(q.id)).subtask_count, 1);
  });

  test("a cycle (under itself or one of its subtasks) is a 422 naming parent_id", async () => {
    const { tasks } = await freshList(alice, "cycle", 1);
    const top = tasks[0] as ListTaskJson;
    const child = await addTask(t.app, alice, "child", { parent_id: top.id });
    const grandchild = await addTask(t.app, alice, "grandchild", { parent_id: child.id });
    for (const parent of [top.id, child.id, grandchild.id]) {
      const res = await move(t.app, alice, top.id, { parent_id: parent });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        ["parent_id"],
      );
    }
  });

  test("depth: the parent's level plus the subtree's height may not pass 4 (422 naming parent_id)", async () => {
    const { id: list, tasks } = await freshList(alice, "deep", 2);
    const [l1, other] = tasks as [ListTaskJson, ListTaskJson];
    const l2 = await addTask(t.app, alice, "l2", { parent_id: l1.id });
    const l3 = await addTask(t.app, alice, "l3", { parent_id: l2.id });
    const l4 = await addTask(t.app, alice, "l4", { parent_id: l3.id });
    const pair = await addTask(t.app, alice, "pair", { list_id: list });
    await addTask(t.app, alice, "pair child", { parent_id: pair.id });

    // A lone task may go under level 3 (becoming level 4), not under level 4.
    await moved(t.app, alice, other.id, { parent_id: l3.id });
    let res = await move(t.app, alice, other.id, { parent_id: l4.id });
    assert.equal(assertProblem(res, 422, "validation_failed").errors?.[0]?.field, "parent_id");
    // A two-level subtree may go under level 2, not under level 3.
    await moved(t.app, alice, pair.id, { parent_id: l2.id });
    res = await move(t.app, alice, pair.id, { parent_id: l3.id });
    assert.equal(assertProblem(res, 422, "validation_failed").errors?.[0]?.field, "parent_id");
    // The four-level chain cannot go under anything.
    res = await move(t.app, alice, l1.id, { parent_id: pair.id });
    assert.equal(assertProblem(res, 422, "validation_failed").errors?.[0]?.field, "parent_id");
  });
});

describe("across lists", () => {
  test("a subtree moves to another list: every descendant follows, both lists' counts and versions follow", async () => {
    const from = await freshList(alice, "from", 2);
    const to = await freshList(alice, "to", 1);
    const [root, stay] = from.tasks as [ListTaskJson, ListTaskJson];
    const c1 = await addTask(t.app, alice, "c1", { parent_id: root.id });
    const c2 = await addTask(t.app, alice, "c2", { parent_id: root.id });
    const g1 = await addTask(t.app, alice, "g1", { parent_id: c1.id });
    await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${c2.id}/complete`, payload: { completed: true } });

    const page = async (list: string) =>
      (await as(t.app, alice)({ method: "GET", url: `/api/tasks?list_id=${list}&limit=200` })).json() as ListTaskJson[];
    assert.equal((await page(from.id)).length, 5);
    assert.equal((await page(to.id)).length, 1);
    const fromBefore = await getList(t.app, alice, from.id);
    const toBefore = await getList(t.app, alice, to.id);
    assert.equal(fromBefore.task_count, 5);
    assert.equal(fromBefore.open_task_count, 4);

    const res = await moved(t.app, alice, root.id, { list_id: to.id });
    assert.equal(res.list_id, to.id);
    assert.equal(res.parent_id, null);
    assert.deepEqual(await order(alice, to.id), [(to.tasks[0] as ListTaskJson).id, root.id], "at the end of the top level");
    assert.deepEqual(await order(alice, to.id, root.id), [c1.id, c2.id], "children keep their order");
    assert.deepEqual(await order(alice, to.id, c1.id), [g1.id]);
    assert.deepEqual(await order(alice, from.id), [stay.id]);
    const stored = await t.app.ctx.db.query<{ id: string; list_id: string }>(
      "SELECT id::text AS id, list_id::text AS list_id FROM tasks WHERE id = ANY($1::uuid[])",
      [[root.id, c1.id, c2.id, g1.id]],
    );
    assert.deepEqual(new Set(stored.map((r) => r.list_id)), new Set([to.id]));

    const fromAfter = await getList(t.app, alice, from.id);
    const toAfter = await getList(t.app, alice, to.id);
    assert.equal(fromAfter.task_count, 1);
    assert.equal(fromAfter.open_task_count, 1);
    assert.equal(toAfter.task_count, 5);
    assert.equal(toAfter.open_task_count, 4);
    assert.notEqual(fromAfter.etag, fromBefore.etag);
    assert.notEqual(toAfter.etag, toBefore.etag);

    // The subtree's tasks read with their new list (JSON rebuilt, versions raised).
    const g = (await as(t.app, alice)({ method: "GET", url: `/api/tasks/${g1.id}` })).json() as ListTaskJson;
    assert.equal(g.list_id, to.id);
    // The page caches of both lists (filled before the move) see it at once.
    assert.deepEqual(ids(await page(from.id)), [stay.id]);
    assert.deepEqual(new Set(ids(await page(to.id))), new Set([(to.tasks[0] as ListTaskJson).id, root.id, c1.id, c2.id, g1.id]));
  });

  test("parent_id alone takes the task into the parent's list; a parent of another list than list_id is a 422", async () => {
    const a = await freshList(alice, "pa", 1);
    const b = await freshList(alice, "pb", 1);
    const mover = await addTask(t.app, alice, "mover", { list_id: a.id });
    const target = b.tasks[0] as ListTaskJson;
    const res = await moved(t.app, alice, mover.id, { parent_id: target.id });
    assert.equal(res.list_id, b.id);
    assert.equal(res.parent_id, target.id);
    const bad = await move(t.app, alice, mover.id, { list_id: a.id, parent_id: target.id });
    assert.deepEqual(
      assertProblem(bad, 422, "validation_failed").errors?.map((e) => e.field),
      ["parent_id"],
    );
    // Into a list with an anchor there.
    await moved(t.app, alice, mover.id, { list_id: a.id, before: (a.tasks[0] as ListTaskJson).id });
    assert.deepEqual(await order(alice, a.id), [mover.id, (a.tasks[0] as ListTaskJson).id]);
  });
});

describe("access", () => {
  test("someone else's task is the 404 of a missing one; a malformed id too", async () => {
    const { tasks } = await freshList(alice, "private", 2);
    const [x, y] = tasks as [ListTaskJson, ListTaskJson];
    const theirs = await move(t.app, bob, x.id, { before: y.id });
    const missing = await move(t.app, bob, "0190a4f8-0000-7000-8000-000000000000", { before: y.id });
    const malformed = await move(t.app, bob, "nope", {});
    assertProblem(theirs, 404, "not_found");
    assert.deepEqual(problemShape(theirs), problemShape(missing));
    assert.deepEqual(problemShape(malformed), problemShape(missing));
    assert.deepEqual(await order(alice, (await getList(t.app, alice, x.list_id)).id), [x.id, y.id]);
  });

  test("someone else's list, parent, before or after is exactly the 422 of a missing one", async () => {
    const mine = await addTask(t.app, bob, "bob's");
    const { id: aliceList, tasks } = await freshList(alice, "alice's", 1);
    const aliceTask = tasks[0] as ListTaskJson;
    const missing = "0190a4f8-0000-7000-8000-000000000001";
    const bobInbox = await inboxOf(t.app, bob);
    for (const [field, foreign] of [
      ["list_id", aliceList],
      ["parent_id", aliceTask.id],
      ["before", aliceTask.id],
      ["after", aliceTask.id],
    ] as const) {
      const extra = field === "before" || field === "after" ? { list_id: bobInbox.id } : {};
      const theirs = await move(t.app, bob, mine.id, { ...extra, [field]: foreign });
      const none = await move(t.app, bob, mine.id, { ...extra, [field]: missing });
      const malformed = await move(t.app, bob, mine.id, { ...extra, [field]: "not-an-id" });
      const problem = assertProblem(theirs, 422, "validation_failed");
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        [field],
      );
      assert.deepEqual(problemShape(theirs), problemShape(none), `${field}: someone else's = missing`);
      assert.deepEqual(problemShape(malformed), problemShape(none), `${field}: malformed = missing`);
    }
    const stored = await t.app.ctx.db.query<{ list_id: string }>("SELECT list_id::text AS list_id FROM tasks WHERE id = $1", [mine.id]);
    assert.equal(stored[0]?.list_id, bobInbox.id, "bob's task stayed in his Inbox");
    assert.deepEqual(await order(alice, aliceList), [aliceTask.id], "alice's list is untouched");
  });

  test("a viewer of a list (issue 14's membership, made in SQL) gets 403 moving its tasks or moving into it", async () => {
    const { id: shared, tasks } = await freshList(alice, "shared", 2);
    const [x, y] = tasks as [ListTaskJson, ListTaskJson];
    await t.app.ctx.db.query("INSERT INTO list_members (list_id, user_id, role, position) VALUES ($1, $2, 'viewer', 'zz')", [
      shared,
      bob.id,
    ]);
    try {
      assertProblem(await move(t.app, bob, x.id, { after: y.id }), 403, "forbidden");
      const own = await addTask(t.app, bob, "bob's own");
      assertProblem(await move(t.app, bob, own.id, { list_id: shared }), 403, "forbidden");
      assert.deepEqual(await order(alice, shared), [x.id, y.id]);
    } finally {
      await t.app.ctx.db.query("DELETE FROM list_members WHERE list_id = $1 AND user_id = $2", [shared, bob.id]);
    }
  });
});

describe("If-Match and bodies", () => {
  test("If-Match: a stale ETag is a 412 and nothing moves; the current one moves", async () => {
    const { id: list, tasks } = await freshList(alice, "etag", 2);
    const [a, b] = tasks as [ListTaskJson, ListTaskJson];
    const current = String((await as(t.app, alice)({ method: "GET", url: `/api/tasks/${b.id}` })).headers.etag);
    await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${b.id}`, payload: { title: "changed" } });
    assertProblem(await move(t.app, alice, b.id, { before: a.id }, { "if-match": current }), 412, "precondition_failed");
    assert.deepEqual(await order(alice, list), [a.id, b.id]);
    const fresh = String((await as(t.app, alice)({ method: "GET", url: `/api/tasks/${b.id}` })).headers.etag);
    const res = await move(t.app, alice, b.id, { before: a.id }, { "if-match": fresh });
    assert.equal(res.statusCode, 200, res.body);
    assert.notEqual(res.headers.etag, fresh);
    assert.deepEqual(await order(alice, list), [b.id, a.id]);
    // Someone else's task with their current ETag is still the 404.
    assertProblem(await move(t.app, bob, b.id, {}, { "if-match": String(res.headers.etag) }), 404, "not_found");
  });

  test("unknown fields and wrong types are 422s naming them", async () => {
    const task = await addTask(t.app, alice, "body");
    for (const [body, field] of [
      [{ position: "a0" }, "position"],
      [{ before: 5 }, "before"],
      [{ parent_id: false }, "parent_id"],
    ] as const) {
      const res = await move(t.app, alice, task.id, body);
      const problem = assertProblem(res, 422, "validation_failed");
      assert.ok(
        problem.errors?.some((e) => e.field === field),
        JSON.stringify(problem.errors),
      );
    }
  });
});

describe("completing and deleting cascade", () => {
  async function tree(name: string) {
    const { id: list, tasks } = await freshList(alice, name, 1);
    const root = tasks[0] as ListTaskJson;
    const c1 = await addTask(t.app, alice, "c1", { parent_id: root.id });
    const c2 = await addTask(t.app, alice, "c2", { parent_id: root.id });
    const g1 = await addTask(t.app, alice, "g1", { parent_id: c1.id });
    const g2 = await addTask(t.app, alice, "g2", { parent_id: g1.id });
    return { list, root, c1, c2, g1, g2 };
  }
  const stored = async (idsToRead: string[]) => {
    const rows = await t.app.ctx.db.query<{ id: string; completed: boolean; completed_at: string | null }>(
      "SELECT id::text AS id, completed, completed_at::text AS completed_at FROM tasks WHERE id = ANY($1::uuid[])",
      [idsToRead],
    );
    return new Map(rows.map((r) => [r.id, r]));
  };

  for (const [name, request] of [
    [
      "PATCH …/complete {completed: true}",
      (id: string) => ({ method: "PATCH" as const, url: `/api/tasks/${id}/complete`, payload: { completed: true } }),
    ],
    ["PATCH …/complete (toggle)", (id: string) => ({ method: "PATCH" as const, url: `/api/tasks/${id}/complete` })],
    ["PATCH {completed: true}", (id: string) => ({ method: "PATCH" as const, url: `/api/tasks/${id}`, payload: { completed: true } })],
    ["PUT {completed: true}", (id: string) => ({ method: "PUT" as const, url: `/api/tasks/${id}`, payload: { completed: true } })],
  ] as const) {
    test(`${name} completes the open subtasks at every level; already completed ones keep their completed_at`, async () => {
      const { list, root, c1, c2, g1, g2 } = await tree(`cascade ${name}`);
      await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${c2.id}/complete`, payload: { completed: true } });
      const c2Before = (await stored([c2.id])).get(c2.id)?.completed_at;
      const res = await as(t.app, alice)(request(root.id));
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as ListTaskJson;
      assert.equal(body.completed, true);
      assert.equal(body.open_subtask_count, 0);
      const get = await as(t.app, alice)({ method: "GET", url: `/api/tasks/${root.id}` });
      assert.deepEqual(get.json(), body, "the answer is what is stored");
      assert.equal(res.headers.etag, get.headers.etag);
      const rows = await stored([c1.id, c2.id, g1.id, g2.id]);
      for (const row of rows.values()) assert.equal(row.completed, true, row.id);
      assert.equal(rows.get(c2.id)?.completed_at, c2Before);
      const counts = await getList(t.app, alice, list);
      assert.equal(counts.open_task_count, 0);
      assert.equal(((await as(t.app, alice)({ method: "GET", url: `/api/tasks/${c1.id}` })).json() as ListTaskJson).open_subtask_count, 0);

      // Reopening reopens none of them.
      const reopen = await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${root.id}/complete`, payload: { completed: false } });
      assert.equal(reopen.statusCode, 200, reopen.body);
      assert.equal((reopen.json() as ListTaskJson).completed, false);
      for (const row of (await stored([c1.id, c2.id, g1.id, g2.id])).values()) assert.equal(row.completed, true);
    });
  }

  test("completing a subtask completes its own subtree only", async () => {
    const { root, c1, c2, g1, g2 } = await tree("partial");
    await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${c1.id}/complete`, payload: { completed: true } });
    const rows = await stored([root.id, c1.id, c2.id, g1.id, g2.id]);
    assert.deepEqual(
      [root, c1, c2, g1, g2].map((x) => rows.get(x.id)?.completed),
      [false, true, false, true, true],
    );
    const parent = (await as(t.app, alice)({ method: "GET", url: `/api/tasks/${root.id}` })).json() as ListTaskJson;
    assert.equal(parent.open_subtask_count, 1);
  });

  test("deleting a task deletes its subtasks (the foreign key's cascade), and the list's counts follow", async () => {
    const { list, root, c1, c2, g1, g2 } = await tree("delete");
    const res = await as(t.app, alice)({ method: "DELETE", url: `/api/tasks/${c1.id}` });
    assert.equal(res.statusCode, 204);
    assert.equal((await stored([c1.id, g1.id, g2.id])).size, 0);
    assert.deepEqual(await order(alice, list, root.id), [c2.id]);
    const counts = await getList(t.app, alice, list);
    assert.equal(counts.task_count, 2);
    const parent = (await as(t.app, alice)({ method: "GET", url: `/api/tasks/${root.id}` })).json() as ListTaskJson;
    assert.equal(parent.subtask_count, 1);
  });
});

describe("titles, as a user reads the list", () => {
  test("a list's order reads the same with any page size", async () => {
    const { id: list } = await freshList(alice, "pages", 7);
    const all = await titles(alice, list);
    for (const limit of [1, 2, 5, 200]) assert.deepEqual(ids(await groupOrder(t.app, alice, list, null, limit)).length, all.length);
  });
});
