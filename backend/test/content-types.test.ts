// How JSON bodies are recognised: the media type with any parameters, in any
// letter case and spacing (as .NET's HttpClient, OkHttp and Spring send it),
// and an empty body with a JSON content type (as several HTTP wrappers send on
// DELETE) read as no body at all.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { assertProblem, createUser, promote, startApp, type TestApp, type TestUser } from "./helpers.ts";
import { createTask, storedTask } from "./tasks-helpers.ts";

let t: TestApp;
let admin: TestUser;
let user: TestUser;

before(async () => {
  t = await startApp();
  admin = await promote(t.app, await createUser(t.app));
  user = await createUser(t.app);
});
after(() => t.close());

interface BodyRoute {
  method: string;
  url: string;
}

/** Every operation in the OpenAPI document that takes a JSON body, with its path parameters filled in. */
function bodyRoutes(): BodyRoute[] {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  const routes: BodyRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (!op.requestBody) continue;
      routes.push({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, randomUUID()) });
    }
  }
  return routes;
}

const acceptedTypes = [
  "application/json; charset=utf-8",
  "application/json;charset=UTF-8",
  "Application/JSON ; Charset=UTF-8",
  "APPLICATION/JSON",
  "application/json; charset=utf-8; foo=bar",
  "application/merge-patch+json",
  "application/vnd.doable.task+json; charset=utf-8",
];
const refusedTypes = [
  "text/plain",
  "application/jsonp",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "text/json",
];

describe("JSON media types", () => {
  test("the OpenAPI document lists body routes of the API and of Better Auth", () => {
    const urls = bodyRoutes().map((r) => `${r.method} ${r.url.replace(/[0-9a-f-]{36}/g, "{id}")}`);
    for (const expected of ["POST /api/tasks", "PATCH /api/tasks/{id}", "PATCH /api/tasks/{id}/complete", "POST /api/auth/sign-in/email"]) {
      assert.ok(urls.includes(expected), `${expected} in ${urls.join(", ")}`);
    }
  });

  test("every body route answers a JSON type with parameters exactly as it answers plain application/json", async () => {
    for (const route of bodyRoutes()) {
      const send = (contentType: string) =>
        t.app.inject({
          method: route.method,
          url: route.url,
          headers: { ...admin.auth, origin: "http://127.0.0.1:3000", "content-type": contentType },
          payload: "{}",
        });
      const plain = await send("application/json");
      assert.notEqual(plain.statusCode, 415, `${route.method} ${route.url}`);
      for (const type of acceptedTypes) {
        const res = await send(type);
        assert.equal(res.statusCode, plain.statusCode, `${route.method} ${route.url} with ${type}: ${res.body}`);
      }
    }
  });

  test("every body route refuses other media types with 415", async () => {
    for (const route of bodyRoutes()) {
      for (const type of refusedTypes) {
        const res = await t.app.inject({
          method: route.method,
          url: route.url,
          headers: { ...admin.auth, origin: "http://127.0.0.1:3000", "content-type": type },
          payload: "{}",
        });
        assertProblem(res, 415, "unsupported_media_type");
      }
    }
  });

  test("a task created with `application/json; charset=utf-8` is stored as sent", async () => {
    for (const type of acceptedTypes) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/tasks",
        headers: { ...user.auth, "content-type": type },
        payload: JSON.stringify({ title: `Sent as ${type}`, tags: ["Café"] }),
      });
      assert.equal(res.statusCode, 201, res.body);
      const stored = await storedTask(t.app, res.json().id);
      assert.equal(stored?.title, `Sent as ${type}`);
      assert.deepEqual(stored?.tags, ["café"]);
    }
  });
});

describe("an empty body with a JSON content type", () => {
  const json = { "content-type": "application/json" };

  test("DELETE deletes", async () => {
    const task = await createTask(t.app, user, { title: "Delete me" });
    const res = await t.app.inject({ method: "DELETE", url: `/api/tasks/${task.id}`, headers: { ...user.auth, ...json } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await storedTask(t.app, task.id), undefined);
  });

  test("PATCH …/complete toggles, as with no body at all", async () => {
    const task = await createTask(t.app, user, { title: "Toggle me" });
    for (const payload of [undefined, "", "  \n"]) {
      const before = (await storedTask(t.app, task.id))?.completed;
      const res = await t.app.inject({
        method: "PATCH",
        url: `/api/tasks/${task.id}/complete`,
        headers: { ...user.auth, ...json },
        payload,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().completed, !before);
      assert.equal((await storedTask(t.app, task.id))?.completed, !before);
    }
  });

  test("a route that needs a body answers 422 naming it", async () => {
    const task = await createTask(t.app, user, { title: "Keep me" });
    for (const [method, url] of [
      ["POST", "/api/tasks"],
      ["PATCH", `/api/tasks/${task.id}`],
      ["PUT", `/api/tasks/${task.id}`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { ...user.auth, ...json }, payload: "" });
      const problem = assertProblem(res, 422, "validation_failed");
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        ["body"],
        `${method} ${url}: ${res.body}`,
      );
    }
    assert.equal((await storedTask(t.app, task.id))?.title, "Keep me");
  });
});
