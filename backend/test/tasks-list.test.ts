import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { Response } from "light-my-request";
import { createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { as, createTask, expectedJson, nextLink, priorityRank, type StoredTask, storedTasksOf, type TaskJson } from "./tasks-helpers.ts";

/*
 * GET /api/tasks: keyset paging and filters, each checked against an order
 * and a selection computed here in plain JS from the stored rows.
 */

let t: TestApp;

before(async () => {
  t = await startApp();
});
after(() => t.close());

const priorities = ["none", "low", "medium", "high"] as const;
const sortKeys = ["created_at", "updated_at", "due_at", "priority", "title"] as const;
const sorts = sortKeys.flatMap((k) => [k, `-${k}`]);

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The contract's order: ties on id; undated last ascending, first descending; titles ignore case; none < low < medium < high. */
function orderOf(sort: string): (a: TaskJson, b: TaskJson) => number {
  const descending = sort.startsWith("-");
  const key = descending ? sort.slice(1) : sort;
  return (a, b) => {
    let c = 0;
    if (key === "created_at" || key === "updated_at") c = compareText(a[key], b[key]);
    else if (key === "priority") c = priorityRank[a.priority] - priorityRank[b.priority];
    else if (key === "title") c = compareText(a.title.toLowerCase(), b.title.toLowerCase());
    else if (key === "due_at")
      c = a.due_at === b.due_at ? 0 : a.due_at === null ? 1 : b.due_at === null ? -1 : compareText(a.due_at, b.due_at);
    if (c === 0) c = compareText(a.id, b.id);
    return descending ? -c : c;
  };
}

/** Follows rel="next" from `first` to the end, returning every page's tasks. */
async function allPages(user: TestUser, first: string): Promise<TaskJson[][]> {
  const pages: TaskJson[][] = [];
  let url: string | null = first;
  while (url) {
    const res = await as(t.app, user)({ method: "GET", url });
    assert.equal(res.statusCode, 200, res.body);
    pages.push(res.json() as TaskJson[]);
    url = nextLink(res);
    assert.ok(pages.length < 1000, "paging ends");
  }
  return pages;
}

describe("keyset paging under every sort, while tasks come and go", () => {
  let pager: TestUser;
  // Letters only, so the expected title order is the same under any collation.
  const words = ["apple", "Apple", "APPLE", "banana", "Banana", "cherry", "CHERRY", "date", "Date", "fig", "Fig", "grape", "kiwi"];
  const dueInstants = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2031, 0, 1 + i * 3, 9, 0, 0)).toISOString());
  const taskInput = fc.record({
    title: fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 2 }).map((ws) => ws.join("")),
    priority: fc.constantFrom(...priorities),
    due_at: fc.option(fc.constantFrom(...dueInstants), { nil: null, freq: 3 }),
    completed: fc.boolean(),
  });
  const inputs = fc.sample(taskInput, { seed: 4_2024, numRuns: 400 });
  let nextInput = 0;
  const newInput = () => inputs[nextInput++ % inputs.length] as Record<string, unknown>;

  before(async () => {
    pager = await createUser(t.app);
    for (let i = 0; i < 250; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => createTask(t.app, pager, newInput())));
    }
    // Few distinct timestamps, so that many tasks tie on created_at and updated_at and the id decides.
    const stored = await storedTasksOf(t.app, pager.id);
    const at = (i: number) => new Date(Date.UTC(2024, 0, 1, i)).toISOString();
    await t.app.ctx.db.query(
      `UPDATE tasks SET created_at = v.c, updated_at = v.u
         FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS v(id, c, u) WHERE tasks.id = v.id`,
      [stored.map((s) => s.id), stored.map((_, i) => at((i * 7) % 23)), stored.map((_, i) => at(24 + ((i * 11) % 19)))],
    );
  });

  for (const sort of sorts) {
    test(`sort=${sort}, limit=50: every surviving task exactly once, in order`, async () => {
      const snapshot = (await storedTasksOf(t.app, pager.id)).map(expectedJson);
      assert.ok(snapshot.length >= 250);
      const order = orderOf(sort);
      const known = new Set(snapshot.map((s) => s.id));
      const survivors = new Set(known);
      const goneBeforeFetch = new Set<string>();
      const created: string[] = [];
      const seen: TaskJson[] = [];
      let random = fc.sample(fc.nat(), { seed: sort.length * 31 + (sort.startsWith("-") ? 1 : 0), numRuns: 100 });

      // Between (and during) page fetches: two new tasks, and two deletions — the row the
      // cursor points at, and a random task from anywhere in the list.
      const churn = async (lastOfPage: TaskJson | undefined) => {
        const victims = new Set<string>();
        if (lastOfPage) victims.add(lastOfPage.id);
        const pool = [...survivors];
        const pick = random[0] ?? 0;
        random = random.slice(1);
        if (pool.length > 0) victims.add(pool[pick % pool.length] as string);
        for (const id of victims) survivors.delete(id);
        const made = await Promise.all([
          createTask(t.app, pager, newInput()),
          createTask(t.app, pager, newInput()),
          ...[...victims].map((id) => as(t.app, pager)({ method: "DELETE", url: `/api/tasks/${id}` })),
        ]);
        for (const m of made.slice(0, 2) as TaskJson[]) created.push(m.id);
        return victims;
      };

      let url: string | null = `/api/tasks?sort=${sort}&limit=50`;
      let pages = 0;
      while (url) {
        const [res, victims]: [Response, Set<string>] = await Promise.all([
          as(t.app, pager)({ method: "GET", url }),
          churn(seen[seen.length - 1]),
        ]);
        pages++;
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as TaskJson[];
        const next = nextLink(res);
        if (next) {
          assert.equal(page.length, 50, "a page before the last is full");
          const params = new URL(next, "http://x").searchParams;
          assert.equal(params.get("sort"), sort);
          assert.equal(params.get("limit"), "50");
        }
        for (const task of page) assert.ok(!goneBeforeFetch.has(task.id), `${task.id} was deleted before this page was fetched`);
        seen.push(...page);
        for (const id of victims) goneBeforeFetch.add(id);
        url = next;
      }
      assert.ok(pages >= 5);

      const ids = seen.map((s) => s.id);
      assert.equal(new Set(ids).size, ids.length, "no task appears twice");
      for (let i = 1; i < seen.length; i++) {
        assert.ok(order(seen[i - 1] as TaskJson, seen[i] as TaskJson) < 0, `out of order at ${i}: ${ids[i - 1]} then ${ids[i]}`);
      }
      const createdNow = new Set(created);
      for (const id of ids) assert.ok(known.has(id) || createdNow.has(id), `${id} came from nowhere`);

      const expected = snapshot.filter((s) => survivors.has(s.id)).sort(order);
      const listedSurvivors = seen.filter((s) => survivors.has(s.id));
      assert.deepEqual(
        listedSurvivors.map((s) => s.id),
        expected.map((s) => s.id),
      );
      assert.deepEqual(listedSurvivors, expected, "whole bodies, as stored");
    });
  }

  test("long non-ASCII titles still page by title (the cursor carries the title)", async () => {
    const owner = await createUser(t.app);
    const titles = ["Ж".repeat(255), "ж".repeat(255), "😀".repeat(255), "\u0001".repeat(255)];
    const made: TaskJson[] = [];
    for (const title of titles) made.push(await createTask(t.app, owner, { title }));
    for (const sort of ["title", "-title"]) {
      const pages = await allPages(owner, `/api/tasks?sort=${sort}&limit=1`);
      assert.equal(pages.length, titles.length);
      assert.deepEqual(
        pages.flat().map((p) => p.id),
        [...made].sort(orderOf(sort)).map((m) => m.id),
      );
    }
  });
});

describe("filters against an in-memory computation on the same random data", () => {
  let owner: TestUser;
  let tasks: TaskJson[];
  const day = 24 * 3600_000;
  // Due dates are at least a day from now, so `overdue` cannot change while the test runs.
  const base = Math.floor(Date.now() / 60_000) * 60_000;
  const instants = [-20, -7, -2, -1, 1, 2, 7, 20].map((d) => new Date(base + d * day).toISOString());
  const words = [
    "Milk",
    "milk",
    "MILK",
    "50%",
    "100_000",
    "a\\b",
    "C:\\path",
    "report",
    "Report_final",
    "%%",
    "_",
    "plain",
    "k",
    "m",
    "x%y",
  ];
  const tagPool = ["home", "Home", "WORK", "urgent", "a_b", "50%", "x"];
  const text = (sep: string, min: number) =>
    fc.array(fc.constantFrom(...words), { minLength: min, maxLength: 3 }).map((ws) => ws.join(sep));

  const taskInput = fc.record({
    title: fc.oneof(text(" ", 1), text("\n", 2)),
    description: fc.option(fc.oneof(text(" ", 0), text("\n", 2)), { nil: null }),
    priority: fc.constantFrom(...priorities),
    completed: fc.boolean(),
    due_at: fc.option(fc.constantFrom(...instants), { nil: null, freq: 3 }),
    tags: fc.subarray(tagPool),
  });

  interface Query {
    status?: "all" | "pending" | "completed";
    priority?: string[];
    tag?: string[];
    q?: string;
    due_before?: string;
    due_after?: string;
    overdue?: boolean;
  }

  const pick = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const boundary = fc.oneof(
    fc.constantFrom(...instants),
    fc.tuple(fc.constantFrom(...instants), fc.constantFrom(-1, 1)).map(([i, d]) => new Date(Date.parse(i) + d).toISOString()),
    fc.constantFrom(...instants).map((i) => i.replace(".000Z", "+02:00")),
  );
  const qValues = [
    "milk",
    "MILK",
    "%",
    "_",
    "\\",
    "50%",
    "0_0",
    "a\\b",
    "c:\\PATH",
    "%%",
    "report_",
    "\n",
    "k m",
    "x%y",
    "nothing-like-this",
  ];
  const queryArb: fc.Arbitrary<Query> = fc.record({
    status: pick(fc.constantFrom("all" as const, "pending" as const, "completed" as const)),
    priority: pick(fc.subarray([...priorities], { minLength: 1 })),
    tag: pick(fc.subarray(["home", "WORK", "urgent", "a_b", "50%", "nope"], { minLength: 1, maxLength: 2 })),
    q: pick(fc.constantFrom(...qValues)),
    due_before: pick(boundary),
    due_after: pick(boundary),
    overdue: pick(fc.boolean()),
  });

  function matches(task: TaskJson, q: Query, now: number): boolean {
    if (q.status === "pending" && task.completed) return false;
    if (q.status === "completed" && !task.completed) return false;
    if (q.priority && !q.priority.includes(task.priority)) return false;
    if (q.tag && !q.tag.every((tag) => task.tags.includes(tag.toLowerCase()))) return false;
    if (q.q !== undefined) {
      const needle = q.q.toLowerCase();
      if (!task.title.toLowerCase().includes(needle) && !(task.description ?? "").toLowerCase().includes(needle)) return false;
    }
    const due = task.due_at === null ? null : Date.parse(task.due_at);
    if (q.due_before !== undefined && !(due !== null && due < Date.parse(q.due_before))) return false;
    if (q.due_after !== undefined && !(due !== null && due >= Date.parse(q.due_after))) return false;
    const overdue = !task.completed && due !== null && due < now;
    if (q.overdue !== undefined && overdue !== q.overdue) return false;
    return true;
  }

  function search(q: Query, sort: string, limit: number): string {
    const params = new URLSearchParams();
    if (q.status) params.set("status", q.status);
    if (q.priority) params.set("priority", q.priority.join(","));
    for (const tag of q.tag ?? []) params.append("tag", tag);
    if (q.q !== undefined) params.set("q", q.q);
    if (q.due_before) params.set("due_before", q.due_before);
    if (q.due_after) params.set("due_after", q.due_after);
    if (q.overdue !== undefined) params.set("overdue", String(q.overdue));
    params.set("sort", sort);
    params.set("limit", String(limit));
    return `/api/tasks?${params}`;
  }

  async function check(q: Query, sort: string, limit: number): Promise<void> {
    const expected = tasks.filter((task) => matches(task, q, Date.now())).sort(orderOf(sort));
    const pages = await allPages(owner, search(q, sort, limit));
    assert.deepEqual(pages.flat(), expected, `${search(q, sort, limit)}: ${expected.length} expected`);
    assert.equal(pages.length, Math.max(1, Math.ceil(expected.length / limit)), "rel=next only while more results exist");
  }

  before(async () => {
    owner = await createUser(t.app);
    const created: TaskJson[] = [];
    for (const input of fc.sample(taskInput, { seed: 20_260_526, numRuns: 90 })) created.push(await createTask(t.app, owner, input));
    const stored = new Map((await storedTasksOf(t.app, owner.id)).map((s: StoredTask) => [s.id, expectedJson(s)]));
    tasks = created.map((c) => stored.get(c.id) as TaskJson);
    assert.deepEqual(created, tasks, "the API returned what it stored");
    // Someone else's tasks match every filter too; they must never show up.
    const stranger = await createUser(t.app);
    for (const input of fc.sample(taskInput, { seed: 7, numRuns: 15 })) await createTask(t.app, stranger, input);
  });

  const singles: [string, Query][] = [
    ...(["all", "pending", "completed"] as const).map((status): [string, Query] => [`status=${status}`, { status }]),
    ...priorities.map((p): [string, Query] => [`priority=${p}`, { priority: [p] }]),
    ["priority=high,low", { priority: ["high", "low"] }],
    ...tagPool.map((tag): [string, Query] => [`tag=${tag}`, { tag: [tag] }]),
    ["tag=home&tag=work", { tag: ["home", "work"] }],
    ...qValues.map((q): [string, Query] => [`q=${JSON.stringify(q)}`, { q }]),
    ...instants.map((i): [string, Query] => [`due_before=${i}`, { due_before: i }]),
    ...instants.map((i): [string, Query] => [`due_after=${i}`, { due_after: i }]),
    ["overdue=true", { overdue: true }],
    ["overdue=false", { overdue: false }],
  ];
  test("each filter on its own", async () => {
    for (const [name, q] of singles) {
      const expected = tasks.filter((task) => matches(task, q, Date.now()));
      const empty = name.includes("nothing") || name === `due_before=${instants[0]}`;
      assert.equal(expected.length > 0, !empty, `${name} selects ${expected.length} tasks in this data`);
      await check(q, "-created_at", 200);
    }
  });

  test("the data exercises the edges: literal pattern characters, undated, overdue and completed tasks", () => {
    assert.ok(tasks.some((task) => task.due_at === null));
    assert.ok(tasks.some((task) => task.completed && task.due_at !== null && Date.parse(task.due_at) < Date.now()));
    assert.ok(tasks.some((task) => !task.completed && task.due_at !== null && Date.parse(task.due_at) < Date.now()));
    // Read as LIKE patterns these would match (nearly) everything; read literally, only some tasks.
    for (const q of ["%", "_", "\\", "\n"]) {
      const hits = tasks.filter((task) => matches(task, { q }, 0)).length;
      assert.ok(hits > 0 && hits < tasks.length, `q=${JSON.stringify(q)} selects ${hits} of ${tasks.length}`);
    }
  });

  test("combinations, with paging, under every sort but title (property, fixed seed)", async () => {
    // Titles here hold punctuation, whose order depends on the database's collation; sort=title is covered above.
    const sortArb = fc.constantFrom(...sorts.filter((s) => !s.endsWith("title")));
    await fc.assert(
      fc.asyncProperty(queryArb, sortArb, fc.constantFrom(7, 200), async (q, sort, limit) => {
        await check(q, sort, limit);
      }),
      { seed: 1_234_567, numRuns: 300 },
    );
  });
});
