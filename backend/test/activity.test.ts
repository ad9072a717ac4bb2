/**
 * A list's activity (SPEC §8): GET /api/lists/{id}/activity, newest first,
 * keyset pages, for every member of the list; someone who is not a member gets
 * exactly the 404 of a list that does not exist. People are read through the
 * accounts table, so a deleted account reads as null.
 *
 * Task entries are written by the tasks trigger with the actor the writing
 * statement names (doable.actor); until the tasks routes set it, their actor
 * may be null, so these tests assert the action and task of task entries and
 * the actor only of comment.created entries (written by the comments service).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertProblem, createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { nextLink } from "./page-links.ts";
import { createList, share } from "./sharing-helpers.ts";
import { as, createTask } from "./tasks-helpers.ts";

interface ActivityJson {
  id: string;
  list_id: string;
  actor_id: string | null;
  action: string;
  task_id: string | null;
  user_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

let t: TestApp;
before(async () => {
  t = await startApp();
});
after(() => t.close());

const missingList = "0193a000-0000-7000-8000-0000000000dd";
const isoMillisUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function team() {
  const owner = await createUser(t.app);
  const editor = await createUser(t.app);
  const viewer = await createUser(t.app);
  const outsider = await createUser(t.app);
  const list = await createList(t.app, owner, "Shared");
  await share(t.app, owner, list.id, editor, "editor");
  await share(t.app, owner, list.id, viewer, "viewer");
  return { owner, editor, viewer, outsider, list };
}

async function activityOf(user: TestUser, listId: string, query = "limit=200"): Promise<ActivityJson[]> {
  const res = await as(t.app, user)({ method: "GET", url: `/api/lists/${listId}/activity?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  return res.json() as ActivityJson[];
}

async function comment(user: TestUser, taskId: string, body: string): Promise<void> {
  const res = await as(t.app, user)({ method: "POST", url: `/api/tasks/${taskId}/comments`, payload: { body } });
  assert.equal(res.statusCode, 201, res.body);
}

describe("what members see", () => {
  test("every member sees the same entries, newest first: the sharing, task writes and comments, with their tasks and titles", async () => {
    const { owner, editor, viewer, list } = await team();
    const task = await createTask(t.app, owner, { title: "Book flights", list_id: list.id });
    const send = (method: "PATCH" | "DELETE", url: string, payload?: object) => as(t.app, owner)({ method, url, payload });
    assert.equal((await send("PATCH", `/api/tasks/${task.id}`, { title: "Book the flights", priority: "high" })).statusCode, 200);
    assert.equal((await send("PATCH", `/api/tasks/${task.id}`, { completed: true })).statusCode, 200);
    await comment(viewer, task.id, "thanks!");
    assert.equal((await send("PATCH", `/api/tasks/${task.id}`, { completed: false })).statusCode, 200);
    assert.equal((await send("DELETE", `/api/tasks/${task.id}`)).statusCode, 204);

    const entries = await activityOf(viewer, list.id);
    // The invitations and joins that made the team are the oldest four: who joined, in which role, never an address.
    const sharing = entries.slice(-4);
    assert.deepEqual(sharing.map((e) => [e.action, e.actor_id, e.user_id, e.task_id, e.data]).reverse(), [
      ["invitation.created", owner.id, null, null, { role: "editor" }],
      ["member.joined", editor.id, editor.id, null, { role: "editor" }],
      ["invitation.created", owner.id, null, null, { role: "viewer" }],
      ["member.joined", viewer.id, viewer.id, null, { role: "viewer" }],
    ]);
    assert.ok(!JSON.stringify(entries).includes("@"), "no email address in the activity");
    assert.deepEqual(
      entries.slice(0, -4).map((e) => [e.action, e.task_id, e.data]),
      [
        ["task.deleted", task.id, { title: "Book the flights" }],
        ["task.reopened", task.id, { title: "Book the flights" }],
        ["comment.created", task.id, { title: "Book the flights" }],
        ["task.completed", task.id, { title: "Book the flights" }],
        ["task.updated", task.id, { title: "Book the flights", fields: ["title", "priority"] }],
        ["task.created", task.id, { title: "Book flights" }],
      ],
    );
    const ids = entries.map((e) => BigInt(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => (a < b ? 1 : -1)),
    );
    for (const e of entries) {
      assert.equal(e.list_id, list.id);
      if (e.task_id !== null) assert.equal(e.user_id, null);
      assert.match(e.created_at, isoMillisUtc);
      assert.match(e.id, /^[1-9][0-9]*$/);
    }
    assert.equal(entries.find((e) => e.action === "comment.created")?.actor_id, viewer.id);
    assert.deepEqual(await activityOf(owner, list.id), entries);
    assert.deepEqual(await activityOf(editor, list.id), entries);
  });

  test("another list's entries never show; a list with no activity is an empty page", async () => {
    const { owner, list } = await team();
    const quiet = await createList(t.app, owner, "Quiet");
    const other = await createList(t.app, owner, "Other");
    const task = await createTask(t.app, owner, { title: "elsewhere", list_id: other.id });
    await comment(owner, task.id, "here");
    const empty = await as(t.app, owner)({ method: "GET", url: `/api/lists/${quiet.id}/activity` });
    assert.equal(empty.statusCode, 200);
    assert.equal(empty.body, "[]");
    assert.equal(empty.headers.link, undefined);
    assert.ok((await activityOf(owner, list.id)).every((e) => e.task_id === null));
    // A list never shared keeps no task entries (migration 0007: its only actor is its owner); the
    // comment's entry is written by the comment itself.
    assert.deepEqual(
      (await activityOf(owner, other.id)).map((e) => e.action),
      ["comment.created"],
    );
  });

  test("the actor and the subject are read through the accounts: a deleted account reads as null", async () => {
    const { owner, editor, viewer, list } = await team();
    const task = await createTask(t.app, owner, { title: "t", list_id: list.id });
    await comment(editor, task.id, "from the editor");
    const demoted = await as(
      t.app,
      owner,
    )({ method: "PATCH", url: `/api/lists/${list.id}/members/${editor.id}`, payload: { role: "viewer" } });
    assert.equal(demoted.statusCode, 200, demoted.body);
    const [changed, commented] = await activityOf(viewer, list.id);
    assert.deepEqual(
      { action: changed?.action, actor_id: changed?.actor_id, user_id: changed?.user_id, data: changed?.data },
      { action: "member.role_changed", actor_id: owner.id, user_id: editor.id, data: { role: "viewer", previous: "editor" } },
    );
    assert.deepEqual({ action: commented?.action, actor_id: commented?.actor_id }, { action: "comment.created", actor_id: editor.id });

    await t.app.ctx.db.query(`DELETE FROM "user" WHERE id = $1`, [editor.id]);
    const [changedAfter, commentedAfter] = await activityOf(viewer, list.id);
    assert.deepEqual(changedAfter, { ...changed, user_id: null });
    assert.deepEqual(commentedAfter, { ...commented, actor_id: null });
    // The stored entry keeps what happened; only the reading hides the account.
    const stored = await t.app.ctx.db.query<{ actor_id: string }>("SELECT actor_id FROM activity WHERE id = $1", [commented?.id]);
    assert.deepEqual(stored, [{ actor_id: editor.id }]);
  });

  test("a task moved to another list takes its entries along: the old list's members see nothing of it", async () => {
    const { owner, viewer, list } = await team();
    const task = await createTask(t.app, owner, { title: "moving", list_id: list.id });
    const stays = await createTask(t.app, owner, { title: "staying", list_id: list.id });
    await comment(viewer, task.id, "before the move");
    const other = await createList(t.app, owner, "Private");
    const res = await as(t.app, owner)({ method: "POST", url: `/api/tasks/${task.id}/move`, payload: { list_id: other.id } });
    assert.equal(res.statusCode, 200, res.body);
    const old = await activityOf(viewer, list.id);
    assert.deepEqual(
      old.filter((e) => e.task_id !== null).map((e) => [e.action, e.task_id]),
      [["task.created", stays.id]],
    );
    assert.ok(!JSON.stringify(old).includes("moving"));
    // Into a list never shared: no entry there either (its activity starts when it is shared).
    assert.deepEqual(
      (await activityOf(owner, other.id)).map((e) => [e.action, e.task_id]),
      [],
    );
  });
});

describe("pages", () => {
  test("keyset pages through the Link header: every entry once, newest first", async () => {
    const { owner, viewer, list } = await team();
    const task = await createTask(t.app, owner, { title: "many", list_id: list.id });
    for (let i = 0; i < 6; i++) await comment(i % 2 ? owner : viewer, task.id, `c${i}`);
    const all = await activityOf(viewer, list.id);
    assert.equal(all.length, 11); // 2 invitations, 2 joins, the task, 6 comments
    const seen: ActivityJson[] = [];
    const sizes: number[] = [];
    let url: string | null = `/api/lists/${list.id}/activity?limit=3`;
    while (url) {
      const res = await as(t.app, viewer)({ method: "GET", url });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json() as ActivityJson[];
      sizes.push(page.length);
      seen.push(...page);
      url = nextLink(res.headers.link);
    }
    assert.deepEqual(sizes, [3, 3, 3, 2]);
    assert.deepEqual(seen, all);
    // New entries do not shift a page being read: the cursor is the last id seen.
    const first = await as(t.app, viewer)({ method: "GET", url: `/api/lists/${list.id}/activity?limit=3` });
    await comment(owner, task.id, "later");
    const second = (await as(t.app, viewer)({ method: "GET", url: nextLink(first.headers.link) as string })).json() as ActivityJson[];
    assert.deepEqual(second, all.slice(3, 6));
  });

  test("bad limits, tampered and foreign cursors, unknown parameters: 422", async () => {
    const { owner, list } = await team();
    const task = await createTask(t.app, owner, { title: "x", list_id: list.id });
    await comment(owner, task.id, "a");
    await comment(owner, task.id, "b");
    const res = await as(t.app, owner)({ method: "GET", url: `/api/lists/${list.id}/activity?limit=1` });
    const good = new URL(nextLink(res.headers.link) as string, "http://x").searchParams.get("cursor") as string;
    const [, key] = JSON.parse(Buffer.from(good, "base64url").toString()) as [string, string, string];
    const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");
    const bad = [
      "limit=0",
      "limit=201",
      "limit=ten",
      "since=1",
      "cursor=%00",
      "cursor=abc",
      `cursor=${cursor(["activity", key, String(BigInt(key) + 1n)])}`,
      `cursor=${cursor(["activity", "99999999999999999999", "99999999999999999999"])}`,
      `cursor=${cursor(["activity", "-1", "-1"])}`,
      `cursor=${cursor(["comments", "2026-01-01T00:00:00.000Z", task.id])}`,
      `cursor=${cursor(["-created_at", "2026-01-01T00:00:00.000Z", task.id])}`,
    ];
    for (const query of bad) {
      assertProblem(await as(t.app, owner)({ method: "GET", url: `/api/lists/${list.id}/activity?${query}` }), 422, "validation_failed");
    }
    const all = await activityOf(owner, list.id);
    assert.deepEqual(await activityOf(owner, list.id, `cursor=${good}`), all.slice(1));
  });
});

describe("someone who is not a member", () => {
  test("gets exactly the 404 of a list that does not exist (malformed ids too), whatever the query", async () => {
    const { owner, outsider, list } = await team();
    const task = await createTask(t.app, owner, { title: "secret plans", list_id: list.id });
    await comment(owner, task.id, "secret");
    const read = async (id: string, query: string) => as(t.app, outsider)({ method: "GET", url: `/api/lists/${id}/activity${query}` });
    for (const query of ["", "?limit=1", `?cursor=${Buffer.from(JSON.stringify(["activity", "1", "1"])).toString("base64url")}`]) {
      const theirs = await read(list.id, query);
      assertProblem(theirs, 404, "not_found");
      assert.ok(!theirs.body.includes("secret"));
      for (const id of [missingList, "not-a-list", list.id.toUpperCase().replace(/-/g, "")]) {
        const other = await read(id, query);
        assert.deepEqual({ ...(other.json() as object), request_id: 0 }, { ...(theirs.json() as object), request_id: 0 }, `${id}${query}`);
      }
    }
  });

  test("a removed member and a deleted list: 404", async () => {
    const { owner, viewer, list } = await team();
    await createTask(t.app, owner, { title: "x", list_id: list.id });
    const removed = await as(t.app, owner)({ method: "DELETE", url: `/api/lists/${list.id}/members/${viewer.id}` });
    assert.equal(removed.statusCode, 204, removed.body);
    assertProblem(await as(t.app, viewer)({ method: "GET", url: `/api/lists/${list.id}/activity` }), 404, "not_found");
    assert.equal((await as(t.app, owner)({ method: "DELETE", url: `/api/lists/${list.id}` })).statusCode, 204);
    assertProblem(await as(t.app, owner)({ method: "GET", url: `/api/lists/${list.id}/activity` }), 404, "not_found");
    const left = await t.app.ctx.db.query("SELECT 1 FROM activity WHERE list_id = $1", [list.id]);
    assert.equal(left.length, 0);
  });
});
