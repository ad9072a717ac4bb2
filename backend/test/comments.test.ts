/**
 * Comments on tasks (SPEC §8): every member of the task's list reads and
 * writes them (viewers too), only the author changes or deletes one (another
 * member: 403), and someone who is not a member gets exactly the 404 of a task
 * or comment that does not exist. Keyset pages, conditional writes, limits,
 * the activity entry of a new comment, and comments following their task.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertProblem, createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { nextLink } from "./page-links.ts";
import { createList, share } from "./sharing-helpers.ts";
import { as, createTask, type TaskJson } from "./tasks-helpers.ts";

interface CommentJson {
  id: string;
  task_id: string;
  author_id: string | null;
  body: string;
  created_at: string;
  updated_at: string;
}

let t: TestApp;
before(async () => {
  t = await startApp();
});
after(() => t.close());

const missingId = "0193a000-0000-7000-8000-0000000000cc";
const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const isoMillisUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A shared list of an owner's with an editor, a viewer and an outsider, and one task in it. */
async function team() {
  const owner = await createUser(t.app);
  const editor = await createUser(t.app);
  const viewer = await createUser(t.app);
  const outsider = await createUser(t.app);
  const list = await createList(t.app, owner, "Shared");
  await share(t.app, owner, list.id, editor, "editor");
  await share(t.app, owner, list.id, viewer, "viewer");
  const task = await createTask(t.app, owner, { title: "Plan the trip", list_id: list.id });
  return { owner, editor, viewer, outsider, list, task };
}

async function comment(user: TestUser, taskId: string, body: string): Promise<CommentJson> {
  const res = await as(t.app, user)({ method: "POST", url: `/api/tasks/${taskId}/comments`, payload: { body } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as CommentJson;
}

async function commentsOf(user: TestUser, taskId: string): Promise<CommentJson[]> {
  const res = await as(t.app, user)({ method: "GET", url: `/api/tasks/${taskId}/comments?limit=200` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as CommentJson[];
}

async function storedComments(taskId: string) {
  return t.app.ctx.db.query<{ id: string; author_id: string | null; body: string; version: number }>(
    "SELECT id::text, author_id, body, version FROM comments WHERE task_id = $1 ORDER BY created_at, id",
    [taskId],
  );
}

describe("writing and reading", () => {
  test("any member comments, viewers included: 201 with the comment, Location and ETag, stored as given", async () => {
    const { owner, editor, viewer, task } = await team();
    const res = await as(
      t.app,
      viewer,
    )({ method: "POST", url: `/api/tasks/${task.id}/comments`, payload: { body: "  Can we go in May?\n" } });
    assert.equal(res.statusCode, 201, res.body);
    const c = res.json() as CommentJson;
    assert.match(c.id, uuidV7);
    assert.deepEqual(
      { ...c, id: "", created_at: "", updated_at: "" },
      { id: "", task_id: task.id, author_id: viewer.id, body: "  Can we go in May?\n", created_at: "", updated_at: "" },
    );
    assert.match(c.created_at, isoMillisUtc);
    assert.equal(c.updated_at, c.created_at);
    assert.equal(res.headers.location, `/api/comments/${c.id}`);
    assert.equal(res.headers.etag, '"1"');
    assert.match(String(res.headers["content-type"]), /^application\/json/);

    const byEditor = await comment(editor, task.id, "May works");
    const byOwner = await comment(owner, task.id, "Booked");
    for (const member of [owner, editor, viewer]) {
      assert.deepEqual(await commentsOf(member, task.id), [c, byEditor, byOwner]);
    }
    assert.deepEqual(await storedComments(task.id), [
      { id: c.id, author_id: viewer.id, body: "  Can we go in May?\n", version: 1 },
      { id: byEditor.id, author_id: editor.id, body: "May works", version: 1 },
      { id: byOwner.id, author_id: owner.id, body: "Booked", version: 1 },
    ]);
  });

  test("a new comment writes comment.created (the author, the task, its title) to the list's activity", async () => {
    const { list, viewer, task } = await team();
    const c = await comment(viewer, task.id, "hello");
    const rows = await t.app.ctx.db.query<{ actor_id: string; task_id: string; data: unknown; subject_user_id: string | null }>(
      "SELECT actor_id, task_id::text, data, subject_user_id FROM activity WHERE list_id = $1 AND action = 'comment.created'",
      [list.id],
    );
    assert.deepEqual(rows, [{ actor_id: viewer.id, task_id: task.id, data: { title: "Plan the trip" }, subject_user_id: null }]);
    const feed = await as(t.app, viewer)({ method: "GET", url: `/api/lists/${list.id}/activity` });
    assert.equal(feed.statusCode, 200, feed.body);
    const [latest] = feed.json() as { action: string; actor_id: string; task_id: string }[];
    assert.deepEqual(
      { action: latest?.action, actor_id: latest?.actor_id, task_id: latest?.task_id },
      { action: "comment.created", actor_id: viewer.id, task_id: c.task_id },
    );
  });

  test("a task without comments has an empty page and no Link", async () => {
    const { viewer, task } = await team();
    const res = await as(t.app, viewer)({ method: "GET", url: `/api/tasks/${task.id}/comments` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, "[]");
    assert.equal(res.headers.link, undefined);
  });
});

describe("pages", () => {
  test("oldest first, keyset pages through the Link header: every comment once, in order", async () => {
    const { owner, viewer, task } = await team();
    const made: CommentJson[] = [];
    for (let i = 0; i < 7; i++) made.push(await comment(i % 2 ? viewer : owner, task.id, `c${i}`));
    const seen: CommentJson[] = [];
    let url: string | null = `/api/tasks/${task.id}/comments?limit=3`;
    const sizes: number[] = [];
    while (url) {
      const res = await as(t.app, viewer)({ method: "GET", url });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json() as CommentJson[];
      sizes.push(page.length);
      seen.push(...page);
      url = nextLink(res.headers.link);
      if (url) assert.match(url, /limit=3/);
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.deepEqual(seen, made);
  });

  test("a full last page has no Link; limits outside 1..200 and bad or foreign cursors are 422s", async () => {
    const { owner, task } = await team();
    await comment(owner, task.id, "a");
    await comment(owner, task.id, "b");
    const res = await as(t.app, owner)({ method: "GET", url: `/api/tasks/${task.id}/comments?limit=2` });
    assert.equal((res.json() as unknown[]).length, 2);
    assert.equal(res.headers.link, undefined);
    for (const query of ["limit=0", "limit=201", "limit=x", "cursor=%25%25", "cursor=abc", "extra=1"]) {
      assertProblem(await as(t.app, owner)({ method: "GET", url: `/api/tasks/${task.id}/comments?${query}` }), 422, "validation_failed");
    }
    // A cursor of the task listing is not one of this listing.
    const taskCursor = Buffer.from(JSON.stringify(["-created_at", "2026-01-01T00:00:00.000Z", task.id])).toString("base64url");
    assertProblem(
      await as(t.app, owner)({ method: "GET", url: `/api/tasks/${task.id}/comments?cursor=${taskCursor}` }),
      422,
      "validation_failed",
    );
  });
});

describe("only the author changes or deletes a comment", () => {
  test("PATCH by the author: 200, new body, updated_at moves, ETag rises; If-Match is honoured (412)", async () => {
    const { viewer, owner, task } = await team();
    const c = await comment(viewer, task.id, "first");
    const stale = await as(
      t.app,
      viewer,
    )({ method: "PATCH", url: `/api/comments/${c.id}`, headers: { "if-match": '"7"' }, payload: { body: "x" } });
    assertProblem(stale, 412, "precondition_failed");
    const res = await as(
      t.app,
      viewer,
    )({ method: "PATCH", url: `/api/comments/${c.id}`, headers: { "if-match": '"1"' }, payload: { body: "second" } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers.etag, '"2"');
    const changed = res.json() as CommentJson;
    assert.deepEqual({ ...changed, updated_at: "" }, { ...c, body: "second", updated_at: "" });
    assert.ok(changed.updated_at >= c.updated_at);
    const again = await as(t.app, viewer)({ method: "PATCH", url: `/api/comments/${c.id}`, payload: { body: "third" } });
    assert.equal(again.headers.etag, '"3"');
    assert.deepEqual(await commentsOf(owner, task.id), [again.json()]);
  });

  test("another member, whatever their role, gets 403 on PATCH and DELETE, and nothing changes", async () => {
    const { owner, editor, viewer, task } = await team();
    const c = await comment(editor, task.id, "mine");
    for (const other of [owner, viewer]) {
      for (const headers of [{}, { "if-match": '"1"' }, { "if-match": '"9"' }, { "if-match": "*" }]) {
        const patch = await as(t.app, other)({ method: "PATCH", url: `/api/comments/${c.id}`, headers, payload: { body: "taken over" } });
        assert.match(assertProblem(patch, 403, "forbidden").detail, /author/);
        assertProblem(await as(t.app, other)({ method: "DELETE", url: `/api/comments/${c.id}`, headers }), 403, "forbidden");
      }
    }
    assert.deepEqual(await storedComments(task.id), [{ id: c.id, author_id: editor.id, body: "mine", version: 1 }]);
  });

  test("DELETE by the author: 412 on a stale If-Match, then 204 and gone; a second DELETE is a 404", async () => {
    const { viewer, owner, task } = await team();
    const keep = await comment(owner, task.id, "keep");
    const c = await comment(viewer, task.id, "oops");
    assertProblem(
      await as(t.app, viewer)({ method: "DELETE", url: `/api/comments/${c.id}`, headers: { "if-match": '"2"' } }),
      412,
      "precondition_failed",
    );
    const res = await as(t.app, viewer)({ method: "DELETE", url: `/api/comments/${c.id}`, headers: { "if-match": '"1"' } });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, "");
    assert.deepEqual(await commentsOf(viewer, task.id), [keep]);
    assertProblem(await as(t.app, viewer)({ method: "DELETE", url: `/api/comments/${c.id}` }), 404, "not_found");
    assertProblem(await as(t.app, viewer)({ method: "PATCH", url: `/api/comments/${c.id}`, payload: { body: "x" } }), 404, "not_found");
  });
});

describe("someone who is not a member", () => {
  test("gets exactly the 404 of a missing task or comment on every comment route, and changes nothing", async () => {
    const { owner, outsider, task } = await team();
    const c = await comment(owner, task.id, "private");
    const before = await storedComments(task.id);
    const routes = t.app.routeTable.filter(
      (r) => !r.hidden && r.method !== "HEAD" && (r.url === "/api/tasks/:id/comments" || r.url === "/api/comments/:id"),
    );
    assert.equal(routes.length, 4, JSON.stringify(routes.map((r) => `${r.method} ${r.url}`)));
    for (const route of routes) {
      const real = route.url.startsWith("/api/tasks") ? task.id : c.id;
      for (const headers of [{}, { "if-match": "*" }, { "if-match": '"1"' }, { "if-match": '"5"' }]) {
        const send = (id: string) =>
          as(
            t.app,
            outsider,
          )({
            method: route.method as "GET",
            url: route.url.replace(":id", id),
            headers,
            ...(route.method === "POST" || route.method === "PATCH" ? { payload: { body: "let me in" } } : {}),
          });
        const theirs = await send(real);
        const nobody = await send(missingId);
        const malformed = await send("not-a-uuid");
        const where = `${route.method} ${route.url} ${JSON.stringify(headers)}`;
        assertProblem(theirs, 404, "not_found");
        for (const other of [nobody, malformed]) {
          assert.deepEqual({ ...(theirs.json() as object), request_id: 0 }, { ...(other.json() as object), request_id: 0 }, where);
        }
        assert.ok(!theirs.body.includes("private"), where);
      }
    }
    assert.deepEqual(await storedComments(task.id), before);
    const activity = await t.app.ctx.db.query("SELECT 1 FROM activity WHERE actor_id = $1", [outsider.id]);
    assert.equal(activity.length, 0);
  });

  test("a removed member loses the comments at once, their own included (404)", async () => {
    const { list, viewer, owner, task } = await team();
    const c = await comment(viewer, task.id, "before I left");
    const removed = await as(t.app, owner)({ method: "DELETE", url: `/api/lists/${list.id}/members/${viewer.id}` });
    assert.equal(removed.statusCode, 204, removed.body);
    assertProblem(await as(t.app, viewer)({ method: "GET", url: `/api/tasks/${task.id}/comments` }), 404, "not_found");
    assertProblem(await as(t.app, viewer)({ method: "PATCH", url: `/api/comments/${c.id}`, payload: { body: "x" } }), 404, "not_found");
    assertProblem(await as(t.app, viewer)({ method: "DELETE", url: `/api/comments/${c.id}` }), 404, "not_found");
    assert.deepEqual(await commentsOf(owner, task.id), [c]);
  });
});

describe("bodies", () => {
  test("1–10,000 characters, not blank, no NUL, no unpaired surrogate, no other fields: else 422 (malformed JSON 400)", async () => {
    const { owner, task } = await team();
    const c = await comment(owner, task.id, "ok");
    const longest = "é".repeat(10_000);
    assert.equal((await comment(owner, task.id, longest)).body, longest);
    const emoji = "😀".repeat(10_000);
    assert.equal((await comment(owner, task.id, emoji)).body, emoji);
    const cases: [unknown, string][] = [
      [{ body: "" }, "body"],
      [{ body: " \n\t " }, "body"],
      [{ body: "x".repeat(10_001) }, "body"],
      [{ body: "a\u0000b" }, "body"],
      [{ body: "a\ud800b" }, "body"],
      [{ body: 5 }, "body"],
      [{ body: null }, "body"],
      [{}, "body"],
      [{ body: "x", author_id: "me" }, "author_id"],
      [{ body: "x", task_id: task.id }, "task_id"],
    ];
    for (const [payload, field] of cases) {
      for (const [method, url] of [
        ["POST", `/api/tasks/${task.id}/comments`],
        ["PATCH", `/api/comments/${c.id}`],
      ] as const) {
        const p = assertProblem(await as(t.app, owner)({ method, url, payload: payload as object }), 422, "validation_failed");
        assert.ok(
          p.errors?.some((e) => e.field === field),
          `${method} ${JSON.stringify(payload).slice(0, 40)}: ${JSON.stringify(p.errors)}`,
        );
      }
    }
    const raw = { "content-type": "application/json" };
    assertProblem(
      await as(t.app, owner)({ method: "POST", url: `/api/tasks/${task.id}/comments`, headers: raw, payload: "{body" }),
      400,
      "bad_request",
    );
    assertProblem(
      await as(t.app, owner)({ method: "PATCH", url: `/api/comments/${c.id}`, headers: raw, payload: "[" }),
      400,
      "bad_request",
    );
    assert.deepEqual(
      (await storedComments(task.id)).map((r) => [r.body.length, r.version]),
      [
        [2, 1],
        [10_000, 1],
        [20_000, 1],
      ],
    );
  });
});

describe("comments follow their task", () => {
  test("a task moved to another list takes its comments: the old list's members lose them, the new one's see them", async () => {
    const { owner, viewer, task } = await team();
    const mine = await comment(viewer, task.id, "on the way");
    const ownerNote = await comment(owner, task.id, "noted");
    const other = await createList(t.app, owner, "Private");
    const moved = await as(t.app, owner)({ method: "POST", url: `/api/tasks/${task.id}/move`, payload: { list_id: other.id } });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal((moved.json() as TaskJson).list_id, other.id);
    assert.deepEqual(await commentsOf(owner, task.id), [mine, ownerNote]);
    assertProblem(await as(t.app, viewer)({ method: "GET", url: `/api/tasks/${task.id}/comments` }), 404, "not_found");
    assertProblem(await as(t.app, viewer)({ method: "PATCH", url: `/api/comments/${mine.id}`, payload: { body: "x" } }), 404, "not_found");
    assert.equal((await storedComments(task.id)).length, 2);
  });

  test("a deleted task's comments are gone with it (and its subtasks')", async () => {
    const { owner, viewer, task, list } = await team();
    const child = await createTask(t.app, owner, { title: "child", list_id: list.id, parent_id: task.id });
    const c = await comment(viewer, task.id, "bye");
    await comment(viewer, child.id, "bye too");
    const res = await as(t.app, owner)({ method: "DELETE", url: `/api/tasks/${task.id}` });
    assert.equal(res.statusCode, 204);
    assert.equal((await storedComments(task.id)).length, 0);
    assert.equal((await storedComments(child.id)).length, 0);
    assertProblem(await as(t.app, viewer)({ method: "GET", url: `/api/tasks/${task.id}/comments` }), 404, "not_found");
    assertProblem(await as(t.app, viewer)({ method: "DELETE", url: `/api/comments/${c.id}` }), 404, "not_found");
  });

  test("a deleted author's comments stay, with author_id null, and nobody can change them any more", async () => {
    const { owner, editor, task } = await team();
    const c = await comment(editor, task.id, "I was here");
    await t.app.ctx.db.query(`DELETE FROM "user" WHERE id = $1`, [editor.id]);
    assert.deepEqual(await commentsOf(owner, task.id), [{ ...c, author_id: null }]);
    assertProblem(await as(t.app, owner)({ method: "PATCH", url: `/api/comments/${c.id}`, payload: { body: "x" } }), 403, "forbidden");
    assertProblem(await as(t.app, owner)({ method: "DELETE", url: `/api/comments/${c.id}` }), 403, "forbidden");
  });
});
