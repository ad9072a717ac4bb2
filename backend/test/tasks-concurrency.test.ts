import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Response } from "light-my-request";
import { assertProblem, createUser, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { as, createTask, expectedJson, rowSnapshot, storedTask, type TaskJson, taskCount } from "./tasks-helpers.ts";

/* Writes that race, retry or are conditional: what each caller gets back, and what ends up stored. */

let t: TestApp;
let alice: TestUser;

before(async () => {
  t = await startApp();
  alice = await createUser(t.app);
});
after(() => t.close());

async function createWithEtag(user: TestUser, payload: Record<string, unknown>): Promise<{ task: TaskJson; etag: string }> {
  const res = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload });
  assert.equal(res.statusCode, 201, res.body);
  return { task: res.json() as TaskJson, etag: String(res.headers.etag) };
}

describe("concurrent toggles", () => {
  test("50 at once on one task: each sees the next state, and the end matches the parity", async () => {
    const { task } = await createWithEtag(alice, { title: "flip" });
    const url = `/api/tasks/${task.id}/complete`;
    const results = await Promise.all(Array.from({ length: 50 }, () => as(t.app, alice)({ method: "PATCH", url })));
    for (const res of results) assert.equal(res.statusCode, 200, res.body);
    const bodies = results.map((r) => r.json() as TaskJson);

    // The toggles applied one after another: half of them completed the task, half reopened it.
    assert.equal(bodies.filter((b) => b.completed).length, 25);
    for (const b of bodies) assert.equal(b.completed_at !== null, b.completed, "completed_at follows completed in every response");
    assert.equal(new Set(results.map((r) => r.headers.etag)).size, 50, "every toggle produced a state of its own");

    const row = await storedTask(t.app, task.id);
    assert.ok(row);
    assert.equal(row.completed, results.length % 2 === 1);
    assert.equal(row.completed_at, null, "reopened by the last toggle, so no completed_at");
    assert.equal(row.version, 1 + results.length);
    const final = await as(t.app, alice)({ method: "GET", url: `/api/tasks/${task.id}` });
    assert.deepEqual(final.json(), expectedJson(row));
    const last = results.find((r) => r.headers.etag === final.headers.etag);
    assert.ok(last, "the final state is the one the last toggle returned");
    assert.deepEqual(last.json(), final.json());
  });

  test("an odd number of toggles leaves it completed, with completed_at set", async () => {
    const { task } = await createWithEtag(alice, { title: "flip odd" });
    const results = await Promise.all(
      Array.from({ length: 13 }, () => as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${task.id}/complete` })),
    );
    for (const res of results) assert.equal(res.statusCode, 200, res.body);
    const row = await storedTask(t.app, task.id);
    assert.ok(row);
    assert.equal(row.completed, true);
    assert.ok(row.completed_at !== null);
    assert.equal(row.version, 14);
  });
});

describe("If-Match", () => {
  const writes: {
    name: string;
    send: (id: string, etag: string, n: number) => Promise<Response>;
    changed: (row: TaskJson, n: number) => boolean;
  }[] = [
    {
      name: "PATCH",
      send: (id, etag, n) =>
        as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${id}`, payload: { title: `writer ${n}` }, headers: { "if-match": etag } }),
      changed: (row, n) => row.title === `writer ${n}`,
    },
    {
      name: "PUT",
      send: (id, etag, n) =>
        as(t.app, alice)({ method: "PUT", url: `/api/tasks/${id}`, payload: { title: `writer ${n}` }, headers: { "if-match": etag } }),
      changed: (row, n) => row.title === `writer ${n}`,
    },
    {
      name: "complete",
      send: (id, etag, n) =>
        as(
          t.app,
          alice,
        )({ method: "PATCH", url: `/api/tasks/${id}/complete`, payload: { completed: n === 0 }, headers: { "if-match": etag } }),
      changed: (row, n) => row.completed === (n === 0),
    },
  ];

  for (const write of writes) {
    test(`${write.name}: two concurrent writes with the same ETag — exactly one 200 and one 412`, async () => {
      for (let round = 0; round < 5; round++) {
        const { task, etag } = await createWithEtag(alice, { title: "contended", completed: true });
        const results = await Promise.all([write.send(task.id, etag, 0), write.send(task.id, etag, 1)]);
        assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 412], results.map((r) => r.body).join("\n"));
        const winner = results.findIndex((r) => r.statusCode === 200);
        const loser = results[1 - winner] as Response;
        assertProblem(loser, 412, "precondition_failed");
        const row = await storedTask(t.app, task.id);
        assert.ok(row);
        assert.equal(row.version, 2, "one write, not two");
        assert.ok(write.changed(expectedJson(row), winner), "the stored task is the winner's");
        assert.deepEqual((results[winner] as Response).json(), expectedJson(row));
        assert.equal((results[winner] as Response).headers.etag === etag, false);
      }
    });
  }

  test("stale, weak and current validators on PATCH", async () => {
    const { task, etag } = await createWithEtag(alice, { title: "v1" });
    const url = `/api/tasks/${task.id}`;
    const v2 = await as(t.app, alice)({ method: "PATCH", url, payload: { title: "v2" }, headers: { "if-match": etag } });
    assert.equal(v2.statusCode, 200);
    const current = String(v2.headers.etag);

    for (const stale of [etag, `W/${current}`, '"nonsense"', "garbage"]) {
      const before = await rowSnapshot(t.app, task.id);
      const res = await as(t.app, alice)({ method: "PATCH", url, payload: { title: "lost" }, headers: { "if-match": stale } });
      assertProblem(res, 412, "precondition_failed");
      assert.equal(await rowSnapshot(t.app, task.id), before, `If-Match ${stale} changes nothing`);
    }
    const fresh = await as(t.app, alice)({ method: "PATCH", url, payload: { title: "v3" }, headers: { "if-match": current } });
    assert.equal(fresh.statusCode, 200, fresh.body);
    const got = await as(t.app, alice)({ method: "GET", url });
    assert.equal(got.headers.etag, fresh.headers.etag);
    assert.deepEqual(got.json(), fresh.json());
    assert.equal((await storedTask(t.app, task.id))?.title, "v3");
    const any = await as(t.app, alice)({ method: "PATCH", url, payload: { title: "any" }, headers: { "if-match": "*" } });
    assert.equal(any.statusCode, 200);
    assert.equal((any.json() as TaskJson).title, "any");
  });

  test("a list of validators matches when any one of them is current", async () => {
    const { task, etag } = await createWithEtag(alice, { title: "listed" });
    const res = await as(
      t.app,
      alice,
    )({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { title: "matched" },
      headers: { "if-match": `"0", ${etag}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await storedTask(t.app, task.id))?.title, "matched");
  });

  test("DELETE with a stale ETag is a 412 and the task stays; with the current one it goes", async () => {
    const { task, etag } = await createWithEtag(alice, { title: "keep me" });
    const changed = await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${task.id}/complete` });
    const before = await rowSnapshot(t.app, task.id);
    const stale = await as(t.app, alice)({ method: "DELETE", url: `/api/tasks/${task.id}`, headers: { "if-match": etag } });
    assertProblem(stale, 412, "precondition_failed");
    assert.equal(await rowSnapshot(t.app, task.id), before, "the row is still there, unchanged");
    assert.deepEqual((await as(t.app, alice)({ method: "GET", url: `/api/tasks/${task.id}` })).json(), changed.json());

    const current = await as(
      t.app,
      alice,
    )({ method: "DELETE", url: `/api/tasks/${task.id}`, headers: { "if-match": String(changed.headers.etag) } });
    assert.equal(current.statusCode, 204);
    assert.equal(await storedTask(t.app, task.id), undefined);
  });

  test("complete with a stale ETag is a 412 and changes nothing", async () => {
    const { task, etag } = await createWithEtag(alice, { title: "stale toggle" });
    await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { priority: "high" } });
    const before = await rowSnapshot(t.app, task.id);
    const res = await as(t.app, alice)({ method: "PATCH", url: `/api/tasks/${task.id}/complete`, headers: { "if-match": etag } });
    assertProblem(res, 412, "precondition_failed");
    assert.equal(await rowSnapshot(t.app, task.id), before);
  });
});

describe("If-None-Match on GET", () => {
  test("304 without a body while the ETag matches; 200 with the new state once it changed", async () => {
    const { task, etag } = await createWithEtag(alice, { title: "cached" });
    const url = `/api/tasks/${task.id}`;
    for (const validator of [etag, `W/${etag}`, `"0", ${etag}`, "*"]) {
      const res = await as(t.app, alice)({ method: "GET", url, headers: { "if-none-match": validator } });
      assert.equal(res.statusCode, 304, `If-None-Match: ${validator}`);
      assert.equal(res.body, "");
      assert.equal(res.headers.etag, etag);
    }
    const miss = await as(t.app, alice)({ method: "GET", url, headers: { "if-none-match": '"0"' } });
    assert.equal(miss.statusCode, 200);
    assert.deepEqual(miss.json(), task);

    const updated = await as(t.app, alice)({ method: "PATCH", url, payload: { title: "changed" } });
    const after = await as(t.app, alice)({ method: "GET", url, headers: { "if-none-match": etag } });
    assert.equal(after.statusCode, 200);
    assert.deepEqual(after.json(), updated.json());
    assert.equal(after.headers.etag, updated.headers.etag);
    assert.notEqual(after.headers.etag, etag);
  });
});

describe("Idempotency-Key on POST /api/tasks", () => {
  const keyRows = (userId: string) =>
    t.app.ctx.db.query<{ key: string; task_id: string }>("SELECT key, task_id::text AS task_id FROM idempotency_keys WHERE user_id = $1", [
      userId,
    ]);

  test("10 concurrent creates with one key make one task, and every response carries it", async () => {
    const user = await createUser(t.app);
    const payload = { title: "only once", tags: ["Retry"] };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        as(t.app, user)({ method: "POST", url: "/api/tasks", payload, headers: { "idempotency-key": "race-1" } }),
      ),
    );
    for (const res of results) assert.equal(res.statusCode, 201, res.body);
    const bodies = results.map((r) => r.json() as TaskJson);
    const id = (bodies[0] as TaskJson).id;
    for (const res of results) {
      assert.equal(res.body, (results[0] as Response).body, "the same body, byte for byte");
      assert.equal(res.headers.location, `/api/tasks/${id}`);
    }
    assert.deepEqual(
      results.map((r) => r.headers["idempotent-replayed"] ?? "original").sort(),
      [...Array(9).fill("true"), "original"].sort(),
    );
    assert.equal(await taskCount(t.app, user.id), 1);
    const row = await storedTask(t.app, id);
    assert.ok(row);
    assert.deepEqual(bodies[0], expectedJson(row));
    assert.deepEqual(await keyRows(user.id), [{ key: "race-1", task_id: id }]);
  });

  test("a replay returns the original response, even after the task changed, and creates nothing", async () => {
    const user = await createUser(t.app);
    const payload = { title: "  pay rent ", priority: "high", due_at: "2030-01-01T09:00:00+01:00" };
    const first = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload, headers: { "idempotency-key": "rent-2030-01" } });
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers["idempotent-replayed"], undefined);
    const original = first.json() as TaskJson;

    const replay = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload, headers: { "idempotency-key": "rent-2030-01" } });
    assert.equal(replay.statusCode, 201);
    assert.equal(replay.headers["idempotent-replayed"], "true");
    assert.equal(replay.body, first.body);
    assert.equal(replay.headers.location, first.headers.location);
    assert.equal(replay.headers.etag, first.headers.etag);

    // The same body with its keys in another order is the same request.
    const reordered = { due_at: payload.due_at, priority: payload.priority, title: payload.title };
    const again = await as(
      t.app,
      user,
    )({ method: "POST", url: "/api/tasks", payload: reordered, headers: { "idempotency-key": "rent-2030-01" } });
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.deepEqual(again.json(), original);

    await as(t.app, user)({ method: "PATCH", url: `/api/tasks/${original.id}`, payload: { title: "renamed" } });
    const afterChange = await as(
      t.app,
      user,
    )({ method: "POST", url: "/api/tasks", payload, headers: { "idempotency-key": "rent-2030-01" } });
    assert.equal(afterChange.body, first.body, "the original response, not the current task");
    assert.equal(await taskCount(t.app, user.id), 1);
  });

  test("the same key with a different body is a 422 naming the key, and creates nothing", async () => {
    const user = await createUser(t.app);
    await createTask(t.app, user, { title: "unrelated" });
    const first = await as(
      t.app,
      user,
    )({ method: "POST", url: "/api/tasks", payload: { title: "a" }, headers: { "idempotency-key": "k-1" } });
    assert.equal(first.statusCode, 201);
    for (const payload of [{ title: "b" }, { title: "a", priority: "low" }, { title: " a" }]) {
      const res = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload, headers: { "idempotency-key": "k-1" } });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        ["Idempotency-Key"],
      );
    }
    assert.equal(await taskCount(t.app, user.id), 2);
  });

  test("keys belong to their user: another user's identical key and body create their own task", async () => {
    const a = await createUser(t.app);
    const b = await createUser(t.app);
    const headers = { "idempotency-key": "shared-key" };
    const fromA = await as(t.app, a)({ method: "POST", url: "/api/tasks", payload: { title: "same" }, headers });
    const fromB = await as(t.app, b)({ method: "POST", url: "/api/tasks", payload: { title: "same" }, headers });
    assert.equal(fromB.statusCode, 201);
    assert.equal(fromB.headers["idempotent-replayed"], undefined);
    assert.notEqual((fromA.json() as TaskJson).id, (fromB.json() as TaskJson).id);
    assert.equal((fromB.json() as TaskJson).user_id, b.id);
    assert.equal(await taskCount(t.app, a.id), 1);
    assert.equal(await taskCount(t.app, b.id), 1);
  });

  test("a key is honoured for 24 hours, then reusable", async () => {
    const user = await createUser(t.app);
    const headers = { "idempotency-key": "daily-standup" };
    const first = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload: { title: "standup" }, headers });
    const age = (interval: string) =>
      t.app.ctx.db.query(`UPDATE idempotency_keys SET created_at = now() - $2::interval WHERE user_id = $1`, [user.id, interval]);

    await age("23 hours 59 minutes");
    const within = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload: { title: "standup" }, headers });
    assert.equal(within.headers["idempotent-replayed"], "true");
    assert.equal(within.body, first.body);
    assert.equal(await taskCount(t.app, user.id), 1);

    await age("24 hours 1 minute");
    const reused = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload: { title: "standup" }, headers });
    assert.equal(reused.statusCode, 201);
    assert.equal(reused.headers["idempotent-replayed"], undefined);
    const fresh = reused.json() as TaskJson;
    assert.notEqual(fresh.id, (first.json() as TaskJson).id);
    assert.equal(await taskCount(t.app, user.id), 2);
    assert.deepEqual(await keyRows(user.id), [{ key: "daily-standup", task_id: fresh.id }]);

    await age("25 hours");
    const otherBody = await as(t.app, user)({ method: "POST", url: "/api/tasks", payload: { title: "retro" }, headers });
    assert.equal(otherBody.statusCode, 201, "an expired key may even come with a new body");
    assert.equal((otherBody.json() as TaskJson).title, "retro");
    assert.equal(await taskCount(t.app, user.id), 3);
  });

  test("a malformed key is a 422 naming it, and creates nothing", async () => {
    const user = await createUser(t.app);
    for (const key of ["has space", "x".repeat(256), "tab\there"]) {
      const res = await as(
        t.app,
        user,
      )({ method: "POST", url: "/api/tasks", payload: { title: "x" }, headers: { "idempotency-key": key } });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.ok(
        problem.errors?.some((e) => e.field === "Idempotency-Key"),
        JSON.stringify(problem.errors),
      );
    }
    assert.equal(await taskCount(t.app, user.id), 0);
  });
});
