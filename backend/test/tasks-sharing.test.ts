import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Response } from "light-my-request";
import { type App, buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { assertProblem, createUser, startApp, type TestApp, type TestUser, usingPostgres } from "./helpers.ts";
import { as, createTask, inboxId, problemShape, rowSnapshot, storedTask, type TaskJson } from "./tasks-helpers.ts";

/*
 * Tasks in shared lists (SPEC §8, issue 14): what owners, editors, viewers
 * and non-members see and may do on every task route, created_by and
 * assignees, the activity's actor, a move out of a shared list, and the page
 * cache staying exact for every member. Members are made with SQL here (the
 * invitation routes are tested in their own files).
 */

let t: TestApp;

before(async () => {
  t = await startApp();
});
after(() => t.close());

const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => t.app.ctx.db.query<R>(text, params);

async function newList(user: TestUser, name: string, app: App = t.app): Promise<string> {
  const res = await as(app, user)({ method: "POST", url: "/api/lists", payload: { name } });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { id: string }).id;
}

let positions = 0;
/** Makes `user` a member of `listId` as an accepted invitation would (and marks the list shared). */
async function share(listId: string, user: TestUser, role: "editor" | "viewer"): Promise<void> {
  positions++;
  await sql("INSERT INTO list_members (list_id, user_id, role, position) VALUES ($1::uuid, $2, $3, $4)", [
    listId,
    user.id,
    role,
    `z${String(positions).padStart(6, "0")}`,
  ]);
  await sql("UPDATE lists SET shared = true WHERE id = $1::uuid", [listId]);
}

async function titlesOf(user: TestUser, url: string, app: App = t.app): Promise<string[]> {
  const res = await as(app, user)({ method: "GET", url });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as TaskJson[]).map((x) => x.title).sort();
}

interface ActivityRow {
  action: string;
  actor_id: string | null;
  task_id: string | null;
  list_id: string;
}

async function activityOf(listId: string): Promise<ActivityRow[]> {
  return sql<ActivityRow>(
    "SELECT action, actor_id, task_id::text AS task_id, list_id::text AS list_id FROM activity WHERE list_id = $1::uuid ORDER BY id",
    [listId],
  );
}

/** A shared list of a new owner with an editor, a viewer and someone who is not a member. */
async function team() {
  const owner = await createUser(t.app);
  const editor = await createUser(t.app);
  const viewer = await createUser(t.app);
  const stranger = await createUser(t.app);
  const list = await newList(owner, "Shared");
  await share(list, editor, "editor");
  await share(list, viewer, "viewer");
  return { owner, editor, viewer, stranger, list };
}

/** The 404 a request about an id that does not exist gets, to compare a non-member's with. */
function assertSameAsMissing(res: Response, missing: Response): void {
  assertProblem(res, missing.statusCode, (missing.json() as { code: string }).code);
  assert.deepEqual(problemShape(res), problemShape(missing));
}

describe("task routes by role in a shared list", () => {
  test("every member reads the list's tasks; a non-member gets exactly the 404 of a missing one", async () => {
    const { owner, editor, viewer, stranger, list } = await team();
    const task = await createTask(t.app, owner, { title: "shared", list_id: list });
    const sub = await createTask(t.app, owner, { title: "sub", parent_id: task.id });
    const mine = await createTask(t.app, stranger, { title: "stranger's own" });

    const ownersView = await as(t.app, owner)({ method: "GET", url: `/api/tasks/${task.id}` });
    for (const member of [owner, editor, viewer]) {
      const api = as(t.app, member);
      const got = await api({ method: "GET", url: `/api/tasks/${task.id}` });
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual(got.json(), ownersView.json(), "every member sees the same task");
      assert.equal(got.headers.etag, ownersView.headers.etag);
      assert.equal((got.json() as TaskJson).created_by, owner.id);
      assert.equal((await api({ method: "GET", url: `/api/tasks/${sub.id}` })).statusCode, 200);
      assert.deepEqual(await titlesOf(member, `/api/tasks?list_id=${list}`), ["shared", "sub"]);
      assert.deepEqual(await titlesOf(member, `/api/tasks?parent_id=${task.id}`), ["sub"]);
      assert.deepEqual(await titlesOf(member, `/api/tasks?list_id=${list}&parent_id=none`), ["shared"]);
      // Across lists: the shared list's tasks beside the member's own (none here).
      assert.deepEqual(await titlesOf(member, "/api/tasks"), ["shared", "sub"]);
      assert.deepEqual(await titlesOf(member, "/api/tasks?sort=title&limit=1"), ["shared"]);
    }

    const api = as(t.app, stranger);
    const missingTask = await api({ method: "GET", url: `/api/tasks/${randomUUID()}` });
    assertProblem(missingTask, 404, "not_found");
    for (const id of [task.id, sub.id]) assertSameAsMissing(await api({ method: "GET", url: `/api/tasks/${id}` }), missingTask);
    const missingList = await api({ method: "GET", url: `/api/tasks?list_id=${randomUUID()}` });
    assertSameAsMissing(await api({ method: "GET", url: `/api/tasks?list_id=${list}` }), missingList);
    const missingParent = await api({ method: "GET", url: `/api/tasks?parent_id=${randomUUID()}` });
    assertSameAsMissing(await api({ method: "GET", url: `/api/tasks?parent_id=${task.id}` }), missingParent);
    assert.deepEqual(await titlesOf(stranger, "/api/tasks"), ["stranger's own"]);
    for (const view of ["today", "upcoming", "overdue"]) assert.deepEqual(await titlesOf(stranger, `/api/tasks?view=${view}`), []);
    // And the stranger's task is theirs alone.
    for (const member of [owner, editor, viewer]) {
      assert.equal((await as(t.app, member)({ method: "GET", url: `/api/tasks/${mine.id}` })).statusCode, 404);
    }
  });

  test("owner and editor write; a viewer's write is a 403 that changes nothing; a non-member's is the 404 of a missing task", async () => {
    const { owner, editor, viewer, stranger, list } = await team();
    const task = await createTask(t.app, owner, { title: "t", list_id: list });
    const sub = await createTask(t.app, owner, { title: "s", parent_id: task.id });
    const other = await createTask(t.app, owner, { title: "o", list_id: list });
    const writes = (id: string) => [
      { method: "PATCH" as const, url: `/api/tasks/${id}`, payload: { title: "changed" } },
      { method: "PUT" as const, url: `/api/tasks/${id}`, payload: { priority: "high" } },
      { method: "PATCH" as const, url: `/api/tasks/${id}/complete` },
      { method: "PATCH" as const, url: `/api/tasks/${id}/complete`, payload: { completed: true } },
      { method: "POST" as const, url: `/api/tasks/${id}/move`, payload: { before: other.id } },
      { method: "POST" as const, url: `/api/tasks/${id}/move`, payload: { parent_id: other.id } },
      { method: "DELETE" as const, url: `/api/tasks/${id}` },
    ];
    const rowsBefore = [await rowSnapshot(t.app, task.id), await rowSnapshot(t.app, sub.id), await rowSnapshot(t.app, other.id)];
    const activityBefore = await activityOf(list);

    for (const request of writes(task.id)) {
      const res = await as(t.app, viewer)(request);
      const problem = assertProblem(res, 403, "forbidden");
      assert.doesNotMatch(JSON.stringify(problem), /"t"|changed/, "the problem shows nothing of the task");
      // With a wrong If-Match too: the role decides first.
      assertProblem(await as(t.app, viewer)({ ...request, headers: { "if-match": '"99"' } }), 403, "forbidden");
    }
    for (const request of writes(sub.id)) assertProblem(await as(t.app, viewer)(request), 403, "forbidden");

    for (const request of writes(task.id)) {
      const missing = await as(t.app, stranger)({ ...request, url: request.url.replace(task.id, randomUUID()) });
      assertProblem(missing, 404, "not_found");
      assertSameAsMissing(await as(t.app, stranger)(request), missing);
      assertSameAsMissing(await as(t.app, stranger)({ ...request, headers: { "if-match": '"1"' } }), missing);
    }
    assert.deepEqual(
      [await rowSnapshot(t.app, task.id), await rowSnapshot(t.app, sub.id), await rowSnapshot(t.app, other.id)],
      rowsBefore,
      "nothing about the tasks changed",
    );
    assert.deepEqual(await activityOf(list), activityBefore, "and nothing was recorded");

    // Creating: in the list or under its task. A viewer: 403; a non-member: the 422 of a list or task that does not exist.
    for (const payload of [{ list_id: list }, { parent_id: task.id }]) {
      assertProblem(await as(t.app, viewer)({ method: "POST", url: "/api/tasks", payload: { title: "v", ...payload } }), 403, "forbidden");
      const field = Object.keys(payload)[0] as string;
      const missing = await as(t.app, stranger)({ method: "POST", url: "/api/tasks", payload: { title: "n", [field]: randomUUID() } });
      assertProblem(missing, 422, "validation_failed");
      const res = await as(t.app, stranger)({ method: "POST", url: "/api/tasks", payload: { title: "n", ...payload } });
      assertSameAsMissing(res, missing);
    }
    // Moving into the shared list: a viewer 403, a non-member the 422 naming list_id.
    const viewersOwn = await createTask(t.app, viewer, { title: "viewer's own" });
    assertProblem(
      await as(t.app, viewer)({ method: "POST", url: `/api/tasks/${viewersOwn.id}/move`, payload: { list_id: list } }),
      403,
      "forbidden",
    );
    const strangersOwn = await createTask(t.app, stranger, { title: "stranger's own" });
    const into = assertProblem(
      await as(t.app, stranger)({ method: "POST", url: `/api/tasks/${strangersOwn.id}/move`, payload: { list_id: list } }),
      422,
      "validation_failed",
    );
    assert.deepEqual(
      into.errors?.map((e) => e.field),
      ["list_id"],
    );
    const count = await sql<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE list_id = $1::uuid", [list]);
    assert.equal(count[0]?.n, 3, "no task was added");

    // The editor and the owner can do every one of them.
    const created = await createTask(t.app, editor, { title: "by editor", list_id: list });
    const child = await createTask(t.app, editor, { title: "editor's sub", parent_id: task.id });
    for (const writer of [editor, owner]) {
      for (const request of writes(created.id).slice(0, 6)) {
        const res = await as(t.app, writer)(request);
        assert.equal(res.statusCode, 200, `${request.method} ${request.url}: ${res.body}`);
      }
      await as(t.app, writer)({ method: "POST", url: `/api/tasks/${created.id}/move`, payload: { parent_id: null } });
    }
    assert.equal((await as(t.app, editor)({ method: "DELETE", url: `/api/tasks/${child.id}` })).statusCode, 204);
    assert.equal((await as(t.app, editor)({ method: "DELETE", url: `/api/tasks/${task.id}` })).statusCode, 204);
    assert.equal(await storedTask(t.app, sub.id), undefined, "the subtask went with its parent");
    assert.equal((await as(t.app, owner)({ method: "DELETE", url: `/api/tasks/${created.id}` })).statusCode, 204);
  });

  test("a removed member loses access at once; the tasks they made stay in the list", async () => {
    const { owner, editor, list } = await team();
    const made = await createTask(t.app, editor, { title: "editor made this", list_id: list });
    assert.deepEqual(await titlesOf(owner, "/api/tasks"), ["editor made this"]);
    await sql("DELETE FROM list_members WHERE list_id = $1::uuid AND user_id = $2", [list, editor.id]);
    assert.equal((await as(t.app, editor)({ method: "GET", url: `/api/tasks/${made.id}` })).statusCode, 404);
    assert.equal((await as(t.app, editor)({ method: "PATCH", url: `/api/tasks/${made.id}`, payload: { title: "x" } })).statusCode, 404);
    assert.deepEqual(await titlesOf(editor, "/api/tasks"), []);
    assert.deepEqual(await titlesOf(owner, "/api/tasks"), ["editor made this"]);
    assert.deepEqual(await titlesOf(owner, `/api/tasks?list_id=${list}`), ["editor made this"]);
  });
});

describe("created_by, assignees and the activity's actor", () => {
  test("created_by is the creator; every write names its actor in the list's activity, the completion cascade too", async () => {
    const { owner, editor, list } = await team();
    const task = await createTask(t.app, editor, { title: "parent", list_id: list });
    assert.equal(task.created_by, editor.id);
    assert.equal(task.user_id, editor.id);
    assert.equal(task.assignee_id, null);
    const sub = await createTask(t.app, owner, { title: "child", parent_id: task.id });
    assert.equal(sub.created_by, owner.id);
    const deep = await createTask(t.app, owner, { title: "grandchild", parent_id: sub.id });
    // The owner sees the editor's task across lists (someone else's task in a shared list).
    assert.deepEqual(await titlesOf(owner, "/api/tasks"), ["child", "grandchild", "parent"]);
    assert.deepEqual(await titlesOf(editor, "/api/tasks?sort=-updated_at"), ["child", "grandchild", "parent"]);

    assert.equal(
      (await as(t.app, owner)({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { title: "parent 2" } })).statusCode,
      200,
    );
    assert.equal((await as(t.app, editor)({ method: "PATCH", url: `/api/tasks/${task.id}/complete` })).statusCode, 200);
    assert.equal(
      (await as(t.app, owner)({ method: "POST", url: `/api/tasks/${deep.id}/move`, payload: { parent_id: task.id } })).statusCode,
      200,
    );
    assert.equal((await as(t.app, owner)({ method: "DELETE", url: `/api/tasks/${deep.id}` })).statusCode, 204);

    assert.deepEqual(
      (await activityOf(list)).map((a) => [a.action, a.actor_id, a.task_id]),
      [
        ["task.created", editor.id, task.id],
        ["task.created", owner.id, sub.id],
        ["task.created", owner.id, deep.id],
        ["task.updated", owner.id, task.id],
        ["task.completed", editor.id, task.id],
        ["task.completed", editor.id, sub.id],
        ["task.completed", editor.id, deep.id],
        ["task.moved", owner.id, deep.id],
        ["task.deleted", owner.id, deep.id],
      ],
    );
    const stored = await sql<{ created_by: string; user_id: string }>("SELECT created_by, user_id FROM tasks WHERE id = $1::uuid", [
      task.id,
    ]);
    assert.deepEqual(stored[0], { created_by: editor.id, user_id: editor.id });
  });

  test("an assignee must be a member of the task's list (422 naming assignee_id otherwise); PATCH sets and clears it", async () => {
    const { owner, editor, viewer, stranger, list } = await team();
    const assigned = await createTask(t.app, owner, { title: "for the viewer", list_id: list, assignee_id: viewer.id });
    assert.equal(assigned.assignee_id, viewer.id);
    assert.equal((await storedTask(t.app, assigned.id))?.assignee_id, viewer.id);

    for (const assignee of [stranger.id, "nobody-at-all", "x".repeat(200)]) {
      const res = await as(
        t.app,
        owner,
      )({ method: "POST", url: "/api/tasks", payload: { title: "nope", list_id: list, assignee_id: assignee } });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        ["assignee_id"],
      );
      const patched = await as(t.app, owner)({ method: "PATCH", url: `/api/tasks/${assigned.id}`, payload: { assignee_id: assignee } });
      assert.deepEqual(problemShape(patched), problemShape(res));
    }
    // Someone is a member of their Inbox only: assigning them a task of the Inbox of another fails too.
    const inboxTask = await createTask(t.app, owner, { title: "private" });
    const res = await as(t.app, owner)({ method: "PATCH", url: `/api/tasks/${inboxTask.id}`, payload: { assignee_id: editor.id } });
    assertProblem(res, 422, "validation_failed");
    assert.equal((await storedTask(t.app, assigned.id))?.assignee_id, viewer.id, "unchanged");
    const count = await sql<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE title = 'nope'");
    assert.equal(count[0]?.n, 0);

    // A viewer cannot assign (403 before anything else); a non-member gets the 404.
    assertProblem(
      await as(t.app, viewer)({ method: "PATCH", url: `/api/tasks/${assigned.id}`, payload: { assignee_id: stranger.id } }),
      403,
      "forbidden",
    );
    assertProblem(
      await as(t.app, stranger)({ method: "PATCH", url: `/api/tasks/${assigned.id}`, payload: { assignee_id: stranger.id } }),
      404,
      "not_found",
    );

    const toEditor = await as(t.app, editor)({ method: "PATCH", url: `/api/tasks/${assigned.id}`, payload: { assignee_id: editor.id } });
    assert.equal(toEditor.statusCode, 200, toEditor.body);
    assert.equal((toEditor.json() as TaskJson).assignee_id, editor.id);
    const kept = await as(t.app, editor)({ method: "PATCH", url: `/api/tasks/${assigned.id}`, payload: { title: "renamed" } });
    assert.equal((kept.json() as TaskJson).assignee_id, editor.id, "a PATCH without assignee_id keeps it");
    const cleared = await as(t.app, owner)({ method: "PATCH", url: `/api/tasks/${assigned.id}`, payload: { assignee_id: null } });
    assert.equal((cleared.json() as TaskJson).assignee_id, null);
    const self = await createTask(t.app, owner, { title: "mine", assignee_id: owner.id });
    assert.equal(self.assignee_id, owner.id, "the owner of an Inbox is its member");
    assert.deepEqual(
      (await activityOf(list)).filter((a) => a.action === "task.updated").map((a) => a.actor_id),
      [editor.id, editor.id, owner.id],
    );
  });

  test("GET /api/tasks?assignee=me|none|<user id>: across the caller's lists, or in one list", async () => {
    const { owner, editor, viewer, stranger, list } = await team();
    const second = await newList(owner, "Second");
    await share(second, editor, "viewer");
    await createTask(t.app, owner, { title: "editor in shared", list_id: list, assignee_id: editor.id });
    await createTask(t.app, owner, { title: "editor in second", list_id: second, assignee_id: editor.id });
    await createTask(t.app, owner, { title: "viewer's", list_id: list, assignee_id: viewer.id });
    await createTask(t.app, owner, { title: "nobody's", list_id: list });
    await createTask(t.app, owner, { title: "owner's own", assignee_id: owner.id });
    await createTask(t.app, editor, { title: "editor's inbox" });
    const strangers = await createTask(t.app, stranger, { title: "stranger's", assignee_id: stranger.id });

    assert.deepEqual(await titlesOf(editor, "/api/tasks?assignee=me"), ["editor in second", "editor in shared"]);
    assert.deepEqual(await titlesOf(editor, `/api/tasks?assignee=me&list_id=${list}`), ["editor in shared"]);
    assert.deepEqual(await titlesOf(editor, "/api/tasks?assignee=none"), ["editor's inbox", "nobody's"]);
    assert.deepEqual(await titlesOf(owner, "/api/tasks?assignee=none"), ["nobody's"]);
    assert.deepEqual(await titlesOf(owner, `/api/tasks?assignee=${editor.id}`), ["editor in second", "editor in shared"]);
    assert.deepEqual(await titlesOf(owner, `/api/tasks?assignee=${editor.id}&list_id=${second}`), ["editor in second"]);
    assert.deepEqual(await titlesOf(owner, "/api/tasks?assignee=me"), ["owner's own"]);
    assert.deepEqual(await titlesOf(viewer, `/api/tasks?assignee=${viewer.id}&sort=title`), ["viewer's"]);
    assert.deepEqual(await titlesOf(viewer, `/api/tasks?assignee=${editor.id}`), ["editor in shared"], "only the lists the viewer is in");
    assert.deepEqual(await titlesOf(stranger, `/api/tasks?assignee=${editor.id}`), []);
    assert.deepEqual(await titlesOf(owner, `/api/tasks?assignee=${stranger.id}`), [], "another's tasks stay theirs");
    assert.deepEqual(await titlesOf(stranger, "/api/tasks?assignee=me"), ["stranger's"]);
    assert.deepEqual(await titlesOf(owner, "/api/tasks?assignee=nobody-at-all"), []);
    const paged = await as(t.app, editor)({ method: "GET", url: "/api/tasks?assignee=me&limit=1" });
    assert.equal((paged.json() as TaskJson[]).length, 1);
    assert.ok(paged.headers.link, "a next page");
    assert.equal(strangers.assignee_id, stranger.id);
  });
});

describe("a move out of a shared list", () => {
  test("to the mover's private list: the old members no longer see it, its subtasks or its activity", async () => {
    const { owner, editor, viewer, list } = await team();
    const task = await createTask(t.app, owner, { title: "leaving", list_id: list, assignee_id: viewer.id });
    const sub = await createTask(t.app, editor, { title: "leaving too", parent_id: task.id });
    const stays = await createTask(t.app, owner, { title: "stays", list_id: list });
    assert.equal(
      (await as(t.app, owner)({ method: "PATCH", url: `/api/tasks/${sub.id}`, payload: { title: "leaving, too" } })).statusCode,
      200,
    );
    assert.ok((await activityOf(list)).some((a) => a.task_id === sub.id));

    // A viewer cannot take it; the editor can.
    const editorsInbox = await inboxId(t.app, editor.id);
    assertProblem(
      await as(t.app, viewer)({ method: "POST", url: `/api/tasks/${task.id}/move`, payload: { list_id: await inboxId(t.app, viewer.id) } }),
      403,
      "forbidden",
    );
    const moved = await as(t.app, editor)({ method: "POST", url: `/api/tasks/${task.id}/move`, payload: { list_id: editorsInbox } });
    assert.equal(moved.statusCode, 200, moved.body);
    const body = moved.json() as TaskJson;
    assert.equal(body.list_id, editorsInbox);
    assert.equal(body.assignee_id, null, "the viewer is not a member of the editor's Inbox");
    assert.equal(body.created_by, owner.id, "who created it stays");
    assert.equal(body.user_id, owner.id, "user_id stays the creator (SPEC §8)");
    const marked = await sql<{ shared: boolean }>("SELECT shared FROM lists WHERE id = $1::uuid", [editorsInbox]);
    assert.equal(marked[0]?.shared, true, "the Inbox now holds another creator's task, so cross-list reads look there");

    for (const old of [owner, viewer]) {
      for (const id of [task.id, sub.id]) {
        assertProblem(await as(t.app, old)({ method: "GET", url: `/api/tasks/${id}` }), 404, "not_found");
        assertProblem(await as(t.app, old)({ method: "PATCH", url: `/api/tasks/${id}`, payload: { title: "x" } }), 404, "not_found");
      }
      assertProblem(await as(t.app, old)({ method: "GET", url: `/api/tasks?parent_id=${task.id}` }), 404, "not_found");
      assert.deepEqual(await titlesOf(old, `/api/tasks?list_id=${list}`), ["stays"]);
      assert.deepEqual(await titlesOf(old, "/api/tasks"), ["stays"]);
    }
    // The old list's activity keeps nothing about them (the trigger deleted their entries).
    const entries = await activityOf(list);
    assert.deepEqual(
      entries.filter((a) => a.task_id === task.id || a.task_id === sub.id),
      [],
    );
    assert.ok(entries.some((a) => a.task_id === stays.id));
    // The editor has them, subtask included, in their own list and across lists.
    assert.deepEqual(await titlesOf(editor, `/api/tasks?list_id=${editorsInbox}`), ["leaving", "leaving, too"]);
    assert.deepEqual(await titlesOf(editor, "/api/tasks"), ["leaving", "leaving, too", "stays"]);
    const subRow = await storedTask(t.app, sub.id);
    assert.equal(subRow?.list_id, editorsInbox);
    assert.equal(subRow?.user_id, editor.id);
    const moveEntries = (await activityOf(editorsInbox)).map((a) => [a.action, a.actor_id, a.task_id]);
    assert.deepEqual(moveEntries, [
      ["task.moved", editor.id, task.id],
      ["task.moved", editor.id, sub.id],
    ]);
  });
});

describe("the page cache stays exact for every member", () => {
  test("two instances on one database: A's cached pages show B's writes at once", async () => {
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
      const { owner, editor, viewer, list } = await team();
      const a = await createTask(t.app, owner, { title: "a" });
      await createTask(t.app, owner, { title: "in shared", list_id: list });
      const urls = ["/api/tasks", `/api/tasks?list_id=${list}`, "/api/tasks?sort=title", "/api/tasks?assignee=none"];
      const pages = async (user: TestUser) => {
        const out: string[][] = [];
        for (const url of urls) out.push(await titlesOf(user, url, t.app));
        return out;
      };
      // Cached on instance A (twice: the second read is served from the cache).
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(await pages(owner), [["a", "in shared"], ["in shared"], ["a", "in shared"], ["a", "in shared"]]);
        assert.deepEqual(await pages(viewer), [["in shared"], ["in shared"], ["in shared"], ["in shared"]]);
      }

      // Member B writes through instance B.
      const onB = as(second.app, editor);
      const created = await onB({ method: "POST", url: "/api/tasks", payload: { title: "by editor", list_id: list } });
      assert.equal(created.statusCode, 201, created.body);
      const id = (created.json() as TaskJson).id;
      assert.deepEqual(await pages(owner), [
        ["a", "by editor", "in shared"],
        ["by editor", "in shared"],
        ["a", "by editor", "in shared"],
        ["a", "by editor", "in shared"],
      ]);
      assert.deepEqual(await pages(viewer), [
        ["by editor", "in shared"],
        ["by editor", "in shared"],
        ["by editor", "in shared"],
        ["by editor", "in shared"],
      ]);

      assert.equal(
        (await onB({ method: "PATCH", url: `/api/tasks/${id}`, payload: { title: "renamed", assignee_id: viewer.id } })).statusCode,
        200,
      );
      assert.deepEqual((await pages(owner))[1], ["in shared", "renamed"]);
      assert.deepEqual((await pages(viewer))[3], ["in shared"], "assigned now: no longer among the unassigned");
      assert.equal((await onB({ method: "PATCH", url: `/api/tasks/${id}/complete` })).statusCode, 200);
      const listed = await as(t.app, owner)({ method: "GET", url: `/api/tasks?list_id=${list}&status=completed` });
      assert.deepEqual(
        (listed.json() as TaskJson[]).map((x) => x.title),
        ["renamed"],
      );
      assert.equal((await onB({ method: "DELETE", url: `/api/tasks/${id}` })).statusCode, 204);
      assert.deepEqual(await pages(owner), [["a", "in shared"], ["in shared"], ["a", "in shared"], ["a", "in shared"]]);
      assert.deepEqual(await pages(viewer), [["in shared"], ["in shared"], ["in shared"], ["in shared"]]);
      // A write of the owner's private task changes none of the viewer's pages, and the owner's show it.
      assert.equal((await as(second.app, owner)({ method: "PATCH", url: `/api/tasks/${a.id}`, payload: { title: "a2" } })).statusCode, 200);
      assert.deepEqual((await pages(owner))[0], ["a2", "in shared"]);
      assert.deepEqual(await pages(viewer), [["in shared"], ["in shared"], ["in shared"], ["in shared"]]);
    } finally {
      await second.close();
    }
  });
});
