import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Response } from "light-my-request";
import { createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { as, nextLink } from "./tasks-helpers.ts";
import { addTask, createList, groupOrder, ids, type ListTaskJson, move } from "./tasks-move-helpers.ts";

/*
 * Moves that race (in parallel requests: on PostgreSQL each on a connection
 * of its own), and keyset paging under sort=position while tasks move.
 */

let t: TestApp;
let alice: TestUser;

before(async () => {
  t = await startApp();
  alice = await createUser(t.app);
});
after(() => t.close());

/** mulberry32: a fixed sequence, so a failure replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function listWith(name: string, n: number): Promise<{ id: string; tasks: ListTaskJson[] }> {
  const list = await createList(t.app, alice, name);
  const tasks: ListTaskJson[] = [];
  for (let i = 1; i <= n; i++) tasks.push(await addTask(t.app, alice, `${name} ${i}`, { list_id: list.id }));
  return { id: list.id, tasks };
}

async function storedGroup(listId: string): Promise<{ id: string; position: string }[]> {
  return t.app.ctx.db.query("SELECT id::text AS id, position FROM tasks WHERE list_id = $1 AND parent_id IS NULL ORDER BY position", [
    listId,
  ]);
}

describe("concurrent moves in one list", () => {
  test("80 moves and 10 creates at once: every one succeeds, no two tasks share a position, no task is lost", async () => {
    const { id: list, tasks } = await listWith("race", 30);
    const random = prng(13);
    const pool = ids(tasks);
    const requests: Promise<Response>[] = [];
    for (let i = 0; i < 80; i++) {
      const mover = pool[Math.floor(random() * pool.length)] as string;
      let anchor = pool[Math.floor(random() * pool.length)] as string;
      if (anchor === mover) anchor = pool[(pool.indexOf(mover) + 1) % pool.length] as string;
      const r = random();
      const body = r < 0.4 ? { before: anchor } : r < 0.8 ? { after: anchor } : {};
      requests.push(move(t.app, alice, mover, body));
      if (i % 8 === 0)
        requests.push(as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: { title: `late ${i}`, list_id: list } }));
    }
    const results = await Promise.all(requests);
    for (const res of results) assert.ok(res.statusCode === 200 || res.statusCode === 201, `${res.statusCode} ${res.body}`);

    const stored = await storedGroup(list);
    assert.equal(stored.length, 40, "30 tasks and 10 new ones");
    assert.equal(new Set(stored.map((r) => r.position)).size, stored.length, "no two siblings share a position");
    assert.deepEqual(
      new Set(stored.map((r) => r.id)),
      new Set([...pool, ...results.filter((r) => r.statusCode === 201).map((r) => (r.json() as ListTaskJson).id)]),
    );
    assert.deepEqual(
      ids(await groupOrder(t.app, alice, list, null, 7)),
      stored.map((r) => r.id),
      "the API reads the stored order",
    );
  });

  test("two tasks moved under each other at once: one wins, the other is a 422; never a cycle", async () => {
    for (let round = 0; round < 6; round++) {
      const { id: list, tasks } = await listWith(`pair ${round}`, 2);
      const [a, b] = tasks as [ListTaskJson, ListTaskJson];
      const [ra, rb] = await Promise.all([move(t.app, alice, a.id, { parent_id: b.id }), move(t.app, alice, b.id, { parent_id: a.id })]);
      assert.deepEqual([ra.statusCode, rb.statusCode].sort(), [200, 422], `${ra.body} ${rb.body}`);
      const rows = await t.app.ctx.db.query<{ id: string; parent_id: string | null }>(
        "SELECT id::text AS id, parent_id::text AS parent_id FROM tasks WHERE list_id = $1",
        [list],
      );
      assert.equal(rows.filter((r) => r.parent_id === null).length, 1, "one of them is still at the top level");
    }
  });

  test("subtrees moved across two lists in both directions at once keep every descendant in its root's list", async () => {
    const one = await listWith("east", 4);
    const two = await listWith("west", 4);
    for (const task of [...one.tasks, ...two.tasks]) await addTask(t.app, alice, `${task.title} child`, { parent_id: task.id });
    const requests = [
      ...one.tasks.map((x) => move(t.app, alice, x.id, { list_id: two.id })),
      ...two.tasks.map((x) => move(t.app, alice, x.id, { list_id: one.id })),
    ];
    for (const res of await Promise.all(requests)) assert.equal(res.statusCode, 200, res.body);
    const strays = await t.app.ctx.db.query(
      "SELECT c.id FROM tasks c JOIN tasks p ON p.id = c.parent_id WHERE c.list_id <> p.list_id AND c.list_id IN ($1, $2)",
      [one.id, two.id],
    );
    assert.deepEqual(strays, [], "a subtask is always in its parent's list");
    const counts = await t.app.ctx.db.query<{ id: string; task_count: number; n: number }>(
      "SELECT l.id::text AS id, l.task_count, (SELECT count(*)::int FROM tasks WHERE list_id = l.id) AS n FROM lists l WHERE l.id IN ($1, $2)",
      [one.id, two.id],
    );
    for (const c of counts) assert.equal(c.task_count, c.n, "the trigger-kept counts match the rows");
  });
});

describe("subtasks created while their parent moves", () => {
  test("a subtask added while its parent moves to another list lands in the parent's new list, never the old one", async () => {
    const from = await listWith("from", 12);
    const to = await createList(t.app, alice, "to");
    const requests = from.tasks.flatMap((parent) => [
      move(t.app, alice, parent.id, { list_id: to.id }),
      as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: { title: `${parent.title} child`, parent_id: parent.id } }),
    ]);
    for (const res of await Promise.all(requests)) assert.ok([200, 201].includes(res.statusCode), res.body);
    const strays = await t.app.ctx.db.query(
      "SELECT c.id FROM tasks c JOIN tasks p ON p.id = c.parent_id WHERE c.list_id <> p.list_id AND p.list_id IN ($1, $2)",
      [from.id, to.id],
    );
    assert.deepEqual(strays, [], "every subtask is in its parent's list");
    const children = await t.app.ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM tasks WHERE list_id = $1 AND parent_id IS NOT NULL",
      [to.id],
    );
    assert.equal(children[0]?.n, from.tasks.length, "each child followed its parent");
  });

  test("a subtask added while its parent is moved three levels deep is refused (422), never a fifth level", async () => {
    const list = await listWith("deep", 0);
    const outcomes: number[] = [];
    for (let round = 0; round < 6; round++) {
      // a > b > c: moving p under c makes p level 4, where it can take no children.
      const a = await addTask(t.app, alice, `a${round}`, { list_id: list.id });
      const b = await addTask(t.app, alice, `b${round}`, { parent_id: a.id });
      const c = await addTask(t.app, alice, `c${round}`, { parent_id: b.id });
      const p = await addTask(t.app, alice, `p${round}`, { list_id: list.id });
      const [moveRes, createRes] = await Promise.all([
        move(t.app, alice, p.id, { parent_id: c.id }),
        as(t.app, alice)({ method: "POST", url: "/api/tasks", payload: { title: `child${round}`, parent_id: p.id } }),
      ]);
      outcomes.push(moveRes.statusCode, createRes.statusCode);
    }
    const tooDeep = await t.app.ctx.db.query(
      `WITH RECURSIVE up (id, root, depth) AS (
         SELECT id, id, 1 FROM tasks WHERE list_id = $1
         UNION ALL
         SELECT t.parent_id, up.root, up.depth + 1 FROM tasks t JOIN up ON t.id = up.id WHERE t.parent_id IS NOT NULL)
       SELECT root FROM up GROUP BY root HAVING max(depth) > 4`,
      [list.id],
    );
    assert.deepEqual(tooDeep, [], "no task below level 4");
    for (const status of outcomes) assert.ok([200, 201, 422].includes(status), `status ${status}`);
  });
});

describe("keyset paging under sort=position while tasks move", () => {
  test("no task that stays put is skipped or repeated, and they keep their order", async () => {
    const { id: list, tasks } = await listWith("paging", 40);
    const random = prng(7);
    const movers = ids(tasks.filter((_, i) => i % 4 === 1));
    const still = ids(tasks).filter((id) => !movers.includes(id));
    for (let walk = 0; walk < 4; walk++) {
      let url: string | null = `/api/tasks?list_id=${list}&parent_id=none&sort=${walk % 2 === 0 ? "position" : "-position"}&limit=5`;
      const seen: string[] = [];
      while (url !== null) {
        const res: Response = await as(t.app, alice)({ method: "GET", url });
        assert.equal(res.statusCode, 200, res.body);
        seen.push(...ids(res.json() as ListTaskJson[]));
        url = nextLink(res);
        // Between pages, some tasks move anywhere: before or after anyone, or to the end.
        for (let k = 0; k < 3; k++) {
          const mover = movers[Math.floor(random() * movers.length)] as string;
          const all = ids(tasks).filter((id) => id !== mover);
          const anchor = all[Math.floor(random() * all.length)] as string;
          const r = random();
          const res2 = await move(t.app, alice, mover, r < 0.45 ? { before: anchor } : r < 0.9 ? { after: anchor } : {});
          assert.equal(res2.statusCode, 200, res2.body);
        }
      }
      const seenStill = seen.filter((id) => still.includes(id));
      assert.equal(new Set(seenStill).size, seenStill.length, "no task that stayed put was repeated");
      const expected = ids(await groupOrder(t.app, alice, list, null, 200)).filter((id) => still.includes(id));
      assert.deepEqual(seenStill, walk % 2 === 0 ? expected : [...expected].reverse(), "none skipped, in order");
    }
  });
});
