/**
 * Lists (SPEC §7): CRUD, the caller's order and moves, archiving, the Inbox's
 * rules, limits, conditional requests, and isolation (another user's list is
 * exactly the 404 of a list that does not exist, on every route).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { App } from "../src/app.ts";
import { assertProblem, createUser, promote, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { as, createTask, inboxId, type TaskJson } from "./tasks-helpers.ts";

interface ListJson {
  id: string;
  name: string;
  color: string | null;
  position: string;
  is_inbox: boolean;
  archived: boolean;
  owner_id: string;
  role: string;
  member_count: number;
  task_count: number;
  open_task_count: number;
  created_at: string;
  updated_at: string;
}

let t: TestApp;
before(async () => {
  t = await startApp();
});
after(() => t.close());

async function createList(app: App, user: TestUser, payload: Record<string, unknown>): Promise<ListJson> {
  const res = await as(app, user)({ method: "POST", url: "/api/lists", payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as ListJson;
}

async function listsOf(app: App, user: TestUser, query = ""): Promise<ListJson[]> {
  const res = await as(app, user)({ method: "GET", url: `/api/lists${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as ListJson[];
}

const names = (lists: ListJson[]) => lists.map((l) => l.name);
const missingId = "0193a000-0000-7000-8000-0000000000aa";

describe("the Inbox", () => {
  test("every account has exactly one, made with it, first in its order", async () => {
    const ann = await createUser(t.app);
    const lists = await listsOf(t.app, ann);
    assert.equal(lists.length, 1);
    const [inbox] = lists as [ListJson];
    assert.deepEqual(
      { ...inbox, id: "", position: "", created_at: "", updated_at: "" },
      {
        id: "",
        name: "Inbox",
        color: null,
        position: "",
        is_inbox: true,
        archived: false,
        owner_id: ann.id,
        role: "owner",
        member_count: 1,
        task_count: 0,
        open_task_count: 0,
        created_at: "",
        updated_at: "",
      },
    );
    assert.equal(inbox.id, await inboxId(t.app, ann.id));
  });

  test("a task created without list_id goes to the Inbox, whose counts follow", async () => {
    const ann = await createUser(t.app);
    const inbox = await inboxId(t.app, ann.id);
    const a = await createTask(t.app, ann, { title: "a" });
    await createTask(t.app, ann, { title: "b", completed: true });
    assert.equal(a.list_id, inbox);
    const got = (await as(t.app, ann)({ method: "GET", url: `/api/lists/${inbox}` })).json() as ListJson;
    assert.equal(got.task_count, 2);
    assert.equal(got.open_task_count, 1);
  });

  test("it can be renamed, but not archived or deleted (409), and stays as it was", async () => {
    const ann = await createUser(t.app);
    const inbox = await inboxId(t.app, ann.id);
    const req = as(t.app, ann);
    const renamed = await req({ method: "PATCH", url: `/api/lists/${inbox}`, payload: { name: "  Eingang " } });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal((renamed.json() as ListJson).name, "Eingang");
    assertProblem(await req({ method: "PATCH", url: `/api/lists/${inbox}`, payload: { archived: true } }), 409, "conflict");
    assertProblem(await req({ method: "DELETE", url: `/api/lists/${inbox}` }), 409, "conflict");
    const [still] = await listsOf(t.app, ann);
    assert.equal(still?.name, "Eingang");
    assert.equal(still?.archived, false);
    assert.equal(still?.is_inbox, true);
  });
});

describe("CRUD", () => {
  test("create: 201 with Location and ETag, name trimmed, colour lower-cased, at the end of the order", async () => {
    const ann = await createUser(t.app);
    const res = await as(t.app, ann)({ method: "POST", url: "/api/lists", payload: { name: "  Groceries ", color: "#A0B1C2" } });
    assert.equal(res.statusCode, 201, res.body);
    const list = res.json() as ListJson;
    assert.equal(res.headers.location, `/api/lists/${list.id}`);
    assert.match(String(res.headers.etag), /^"\d+"$/);
    assert.equal(list.name, "Groceries");
    assert.equal(list.color, "#a0b1c2");
    assert.equal(list.is_inbox, false);
    assert.equal(list.role, "owner");
    assert.equal(list.member_count, 1);
    assert.equal(list.task_count, 0);
    const fetched = await as(t.app, ann)({ method: "GET", url: String(res.headers.location) });
    assert.deepEqual(fetched.json(), list);
    assert.equal(fetched.headers.etag, res.headers.etag);
    await createList(t.app, ann, { name: "Work" });
    // 100 characters once trimmed: accepted.
    const long = await createList(t.app, ann, { name: `  ${"n".repeat(100)}  ` });
    assert.equal(long.name, "n".repeat(100));
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox", "Groceries", "Work", "n".repeat(100)]);
  });

  test("bodies are strict: blank or long names, bad colours, unknown or read-only fields are 422 naming the field", async () => {
    const ann = await createUser(t.app);
    const req = as(t.app, ann);
    const cases: [Record<string, unknown>, string][] = [
      [{}, "name"],
      [{ name: "   " }, "name"],
      [{ name: "x".repeat(101) }, "name"],
      [{ name: "x", color: "red" }, "color"],
      [{ name: "x", color: "#12345" }, "color"],
      [{ name: "x", is_inbox: true }, "is_inbox"],
      [{ name: "x", owner_id: "someone" }, "owner_id"],
    ];
    for (const [payload, field] of cases) {
      const p = assertProblem(await req({ method: "POST", url: "/api/lists", payload }), 422, "validation_failed");
      assert.ok(
        p.errors?.some((e) => e.field === field),
        `${JSON.stringify(payload)} → ${JSON.stringify(p.errors)}`,
      );
    }
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox"]);
    const list = await createList(t.app, ann, { name: "x" });
    assertProblem(await req({ method: "PATCH", url: `/api/lists/${list.id}`, payload: {} }), 422, "validation_failed");
  });

  test("update: the fields given change, the others stay; the ETag moves", async () => {
    const ann = await createUser(t.app);
    const list = await createList(t.app, ann, { name: "Home", color: "#112233" });
    const req = as(t.app, ann);
    const res = await req({ method: "PATCH", url: `/api/lists/${list.id}`, payload: { color: null } });
    assert.equal(res.statusCode, 200, res.body);
    const updated = res.json() as ListJson;
    assert.deepEqual(updated, { ...list, color: null, updated_at: updated.updated_at });
    assert.ok(updated.updated_at >= list.updated_at);
    assert.notEqual(res.headers.etag, `"1"`);
  });

  test("delete: the list and its tasks are gone (204), the others stay", async () => {
    const ann = await createUser(t.app);
    const doomed = await createList(t.app, ann, { name: "Doomed" });
    const kept = await createList(t.app, ann, { name: "Kept" });
    const inDoomed = await createTask(t.app, ann, { title: "goes", list_id: doomed.id });
    const child = await createTask(t.app, ann, { title: "goes too", parent_id: inDoomed.id });
    const inKept = await createTask(t.app, ann, { title: "stays", list_id: kept.id });
    const req = as(t.app, ann);
    const res = await req({ method: "DELETE", url: `/api/lists/${doomed.id}` });
    assert.equal(res.statusCode, 204);
    assertProblem(await req({ method: "GET", url: `/api/lists/${doomed.id}` }), 404, "not_found");
    for (const id of [inDoomed.id, child.id]) assertProblem(await req({ method: "GET", url: `/api/tasks/${id}` }), 404, "not_found");
    assert.equal((await req({ method: "GET", url: `/api/tasks/${inKept.id}` })).statusCode, 200);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox", "Kept"]);
    const all = (await req({ method: "GET", url: "/api/tasks" })).json() as TaskJson[];
    assert.deepEqual(
      all.map((x) => x.title),
      ["stays"],
    );
  });
});

describe("conditional requests", () => {
  test("If-None-Match on GET gives 304; If-Match on PATCH and DELETE gives 412 when the list changed", async () => {
    const ann = await createUser(t.app);
    const list = await createList(t.app, ann, { name: "Cond" });
    const req = as(t.app, ann);
    const got = await req({ method: "GET", url: `/api/lists/${list.id}` });
    const etag = String(got.headers.etag);
    const notModified = await req({ method: "GET", url: `/api/lists/${list.id}`, headers: { "if-none-match": etag } });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, "");
    const renamed = await req({
      method: "PATCH",
      url: `/api/lists/${list.id}`,
      headers: { "if-match": etag },
      payload: { name: "Cond 2" },
    });
    assert.equal(renamed.statusCode, 200);
    assertProblem(
      await req({ method: "PATCH", url: `/api/lists/${list.id}`, headers: { "if-match": etag }, payload: { name: "lost update" } }),
      412,
      "precondition_failed",
    );
    assertProblem(await req({ method: "DELETE", url: `/api/lists/${list.id}`, headers: { "if-match": etag } }), 412, "precondition_failed");
    assert.equal(((await req({ method: "GET", url: `/api/lists/${list.id}` })).json() as ListJson).name, "Cond 2");
    // A new task changes the list's counts, so its representation (and ETag) too.
    const before = String((await req({ method: "GET", url: `/api/lists/${list.id}` })).headers.etag);
    await createTask(t.app, ann, { title: "x", list_id: list.id });
    const afterTask = await req({ method: "GET", url: `/api/lists/${list.id}`, headers: { "if-none-match": before } });
    assert.equal(afterTask.statusCode, 200);
    assert.equal((afterTask.json() as ListJson).task_count, 1);
    const deleted = await req({ method: "DELETE", url: `/api/lists/${list.id}`, headers: { "if-match": String(afterTask.headers.etag) } });
    assert.equal(deleted.statusCode, 204);
  });
});

describe("archiving", () => {
  test("archived lists leave the default listing; archived=true and all show them; restoring brings them back", async () => {
    const ann = await createUser(t.app);
    const a = await createList(t.app, ann, { name: "A" });
    await createList(t.app, ann, { name: "B" });
    const req = as(t.app, ann);
    const res = await req({ method: "PATCH", url: `/api/lists/${a.id}`, payload: { archived: true } });
    assert.equal((res.json() as ListJson).archived, true);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox", "B"]);
    assert.deepEqual(names(await listsOf(t.app, ann, "?archived=false")), ["Inbox", "B"]);
    assert.deepEqual(names(await listsOf(t.app, ann, "?archived=true")), ["A"]);
    assert.deepEqual(names(await listsOf(t.app, ann, "?archived=all")), ["Inbox", "A", "B"]);
    assertProblem(await req({ method: "GET", url: "/api/lists?archived=maybe" }), 422, "validation_failed");
    await req({ method: "PATCH", url: `/api/lists/${a.id}`, payload: { archived: false } });
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox", "A", "B"]);
  });
});

describe("order and move", () => {
  test("before and after place a list next to another; only the moved list's position changes", async () => {
    const ann = await createUser(t.app);
    const a = await createList(t.app, ann, { name: "A" });
    const b = await createList(t.app, ann, { name: "B" });
    const c = await createList(t.app, ann, { name: "C" });
    const inbox = await inboxId(t.app, ann.id);
    const req = as(t.app, ann);
    const move = (id: string, payload: Record<string, unknown>) => req({ method: "POST", url: `/api/lists/${id}/move`, payload });

    const moved = await move(c.id, { before: a.id });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox", "C", "A", "B"]);
    const positions = new Map((await listsOf(t.app, ann)).map((l) => [l.name, l.position]));
    assert.equal((moved.json() as ListJson).position, positions.get("C"));
    assert.equal(positions.get("A"), a.position, "the neighbours keep their keys");
    assert.equal(positions.get("B"), b.position);

    assert.equal((await move(inbox, { after: b.id })).statusCode, 200);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["C", "A", "B", "Inbox"]);
    assert.equal((await move(b.id, { before: c.id })).statusCode, 200);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["B", "C", "A", "Inbox"]);
    assert.equal((await move(b.id, { after: c.id })).statusCode, 200);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["C", "B", "A", "Inbox"]);
    // A new list still goes to the end.
    await createList(t.app, ann, { name: "D" });
    assert.deepEqual(names(await listsOf(t.app, ann)), ["C", "B", "A", "Inbox", "D"]);
  });

  test("exactly one of before and after, naming another list of yours (422 naming the field)", async () => {
    const ann = await createUser(t.app);
    const bob = await createUser(t.app);
    const a = await createList(t.app, ann, { name: "A" });
    const b = await createList(t.app, ann, { name: "B" });
    const bobs = await createList(t.app, bob, { name: "Bob's" });
    const req = as(t.app, ann);
    const move = (payload: Record<string, unknown>) => req({ method: "POST", url: `/api/lists/${a.id}/move`, payload });
    const field = (res: Awaited<ReturnType<typeof move>>) => assertProblem(res, 422, "validation_failed").errors?.[0]?.field;
    assert.equal(field(await move({})), "before");
    assert.equal(field(await move({ before: b.id, after: b.id })), "after");
    assert.equal(field(await move({ before: a.id })), "before");
    const theirs = assertProblem(await move({ after: bobs.id }), 422, "validation_failed");
    const nobody = assertProblem(await move({ after: missingId }), 422, "validation_failed");
    assert.deepEqual(theirs.errors, nobody.errors, "someone else's list is answered like a missing one");
    assert.equal(field(await move({ after: "not-an-id" })), "after");
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox", "A", "B"]);
  });
});

describe("limits", () => {
  test("LIMIT_LISTS_PER_USER: the next create is 422 limit_exceeded and creates nothing", async () => {
    const small = await startApp({ LIMIT_LISTS_PER_USER: "3" });
    try {
      const ann = await createUser(small.app);
      await createList(small.app, ann, { name: "two" });
      await createList(small.app, ann, { name: "three" });
      const res = await as(small.app, ann)({ method: "POST", url: "/api/lists", payload: { name: "four" } });
      assertProblem(res, 422, "limit_exceeded");
      assert.deepEqual(names(await listsOf(small.app, ann)), ["Inbox", "two", "three"]);
      // Someone else's lists do not count.
      const bob = await createUser(small.app);
      await createList(small.app, bob, { name: "bob two" });
    } finally {
      await small.close();
    }
  });
});

describe("isolation: another user's list is exactly the 404 of a missing one", () => {
  test("every /api/lists/{id} route, with and without conditions, and nothing of theirs changes", async () => {
    const ann = await createUser(t.app);
    const bob = await createUser(t.app);
    const bobs = await createList(t.app, bob, { name: "Bob's secret", color: "#010203" });
    await createTask(t.app, bob, { title: "bob's task", list_id: bobs.id });
    const bobInbox = await inboxId(t.app, bob.id);
    const snapshot = async () => JSON.stringify([await listsOf(t.app, bob, "?archived=all")]);
    const before = await snapshot();
    // The list's own routes (issue 13); those of sharing, members and activity are in test/access-matrix.test.ts.
    const routes = t.app.routeTable.filter((r) => !r.hidden && /^\/api\/lists\/:id(\/move)?$/.test(r.url) && r.method !== "HEAD");
    assert.ok(routes.length >= 4, JSON.stringify(routes));
    const payloadFor = (method: string, url: string) =>
      url.endsWith("/move") ? { after: bobInbox } : method === "PATCH" ? { name: "hijacked", archived: true } : undefined;
    for (const route of routes) {
      for (const conditional of [{}, { "if-match": "*" }, { "if-match": '"1"' }, { "if-none-match": "*" }]) {
        for (const target of [bobs.id, bobInbox]) {
          const call = (id: string) =>
            as(
              t.app,
              ann,
            )({
              method: route.method as "GET",
              url: route.url.replace(":id", id),
              headers: conditional,
              ...(payloadFor(route.method, route.url) ? { payload: payloadFor(route.method, route.url) } : {}),
            });
          const theirs = await call(target);
          const nobody = await call(missingId);
          const malformed = await call("not-a-list");
          const where = `${route.method} ${route.url} ${JSON.stringify(conditional)}`;
          for (const res of [theirs, nobody, malformed]) assertProblem(res, 404, "not_found");
          const shape = (res: typeof theirs) => ({ ...(res.json() as object), request_id: 0 });
          assert.deepEqual(shape(theirs), shape(nobody), where);
          assert.deepEqual(shape(malformed), shape(nobody), where);
          assert.ok(!theirs.body.includes("secret"), where);
        }
      }
    }
    assert.equal(await snapshot(), before);
    assert.deepEqual(names(await listsOf(t.app, ann)), ["Inbox"], "ann's own order is untouched");
  });

  test("GET /api/lists shows only the caller's lists; tasks filtered by another's list are the 404 of a missing list", async () => {
    const ann = await createUser(t.app);
    const bob = await createUser(t.app);
    const bobs = await createList(t.app, bob, { name: "Bob's" });
    await createTask(t.app, bob, { title: "hidden", list_id: bobs.id });
    assert.deepEqual(names(await listsOf(t.app, ann, "?archived=all")), ["Inbox"]);
    const req = as(t.app, ann);
    const theirs = await req({ method: "GET", url: `/api/tasks?list_id=${bobs.id}` });
    const nobody = await req({ method: "GET", url: `/api/tasks?list_id=${missingId}` });
    assertProblem(theirs, 404, "not_found");
    assertProblem(nobody, 404, "not_found");
    assert.deepEqual({ ...(theirs.json() as object), request_id: 0 }, { ...(nobody.json() as object), request_id: 0 });
    // Creating into it is refused like a missing list (422 naming list_id), and creates nothing.
    const into = assertProblem(
      await req({ method: "POST", url: "/api/tasks", payload: { title: "x", list_id: bobs.id } }),
      422,
      "validation_failed",
    );
    const intoNobody = assertProblem(
      await req({ method: "POST", url: "/api/tasks", payload: { title: "x", list_id: missingId } }),
      422,
      "validation_failed",
    );
    assert.deepEqual(into.errors, intoNobody.errors);
    assert.deepEqual(
      into.errors?.map((e) => e.field),
      ["list_id"],
    );
    const bobsList = (await as(t.app, bob)({ method: "GET", url: `/api/lists/${bobs.id}` })).json() as ListJson;
    assert.equal(bobsList.task_count, 1);
  });
});

describe("admin", () => {
  test("GET /api/admin/users/{id}/lists: the user's lists with counts, archived included, audited; 404 for an unknown user", async () => {
    const admin = await promote(t.app, await createUser(t.app));
    const ann = await createUser(t.app);
    const list = await createList(t.app, ann, { name: "Errands", color: "#aabbcc" });
    await createTask(t.app, ann, { title: "x", list_id: list.id });
    await createTask(t.app, ann, { title: "y", list_id: list.id, completed: true });
    const old = await createList(t.app, ann, { name: "Old" });
    await as(t.app, ann)({ method: "PATCH", url: `/api/lists/${old.id}`, payload: { archived: true } });

    const res = await as(
      t.app,
      admin,
    )({ method: "GET", url: `/api/admin/users/${ann.id}/lists`, headers: { "x-request-id": "admin-lists-1" } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers["cache-control"], "no-store");
    const lists = res.json() as ListJson[];
    assert.deepEqual(
      lists.map((l) => [l.name, l.task_count, l.open_task_count, l.archived, l.role, l.owner_id]),
      [
        ["Inbox", 0, 0, false, "owner", ann.id],
        ["Errands", 2, 1, false, "owner", ann.id],
        ["Old", 0, 0, true, "owner", ann.id],
      ],
    );
    const audit = await t.app.ctx.db.query<{ actor_id: string; action: string; target_user_id: string }>(
      "SELECT actor_id, action, target_user_id FROM audit_log WHERE request_id = 'admin-lists-1'",
    );
    assert.deepEqual(audit, [{ actor_id: admin.id, action: "user.lists.read", target_user_id: ann.id }]);
    assertProblem(await as(t.app, admin)({ method: "GET", url: "/api/admin/users/nobody-at-all/lists" }), 404, "not_found");
    assertProblem(await as(t.app, ann)({ method: "GET", url: `/api/admin/users/${ann.id}/lists` }), 403, "forbidden");
  });

  test("stats count lists (Inboxes included)", async () => {
    const admin = await promote(t.app, await createUser(t.app));
    const stats = async () =>
      ((await as(t.app, admin)({ method: "GET", url: "/api/admin/stats" })).json() as { lists: { total: number } }).lists.total;
    const before = await stats();
    const ann = await createUser(t.app);
    await createList(t.app, ann, { name: "one more" });
    assert.equal(await stats(), before + 2);
    const [{ n }] = (await t.app.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM lists")) as [{ n: number }];
    assert.equal(await stats(), n);
  });
});
