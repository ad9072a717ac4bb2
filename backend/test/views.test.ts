/**
 * view=today|upcoming|overdue (SPEC §7) at the edges of days, in the
 * caller's time zone: UTC, Pacific/Kiritimati (UTC+14), Pacific/Pago_Pago
 * (UTC−11), and America/New_York across the spring-forward night (a day of
 * 23 hours). "Now" is the app's clock, frozen by the test; tokens are minted
 * again after each move of it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertProblem, createUser, promote, startApp, type TestApp, type TestUser, tokenFor } from "./helpers.ts";
import { as, createTask, type TaskJson } from "./tasks-helpers.ts";

let t: TestApp;
before(async () => {
  t = await startApp({ JWT_EXPIRES_IN: "24h" });
});
after(() => t.close());

/** Freezes the app's clock at `iso` and returns `user` with a token minted at that time. */
async function at(iso: string, user: TestUser): Promise<TestUser> {
  t.clock.freeze(Date.parse(iso));
  const jwt = await tokenFor(t.app, user.sessionToken);
  return { ...user, jwt, auth: { authorization: `Bearer ${jwt}` } };
}

async function userIn(timezone: string, nowIso: string): Promise<TestUser> {
  t.clock.freeze(Date.parse(nowIso));
  const user = await createUser(t.app);
  const res = await as(t.app, user)({ method: "PATCH", url: "/api/me", payload: { timezone } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.json() as { timezone: string }).timezone, timezone);
  return user;
}

async function view(user: TestUser, query: string): Promise<string[]> {
  const res = await as(t.app, user)({ method: "GET", url: `/api/tasks?${query}&limit=200` });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as TaskJson[]).map((x) => x.title).sort();
}

async function make(user: TestUser, tasks: Record<string, Record<string, unknown>>): Promise<void> {
  for (const [title, fields] of Object.entries(tasks)) await createTask(t.app, user, { title, ...fields });
}

describe("UTC", () => {
  test("today: due today of either kind (any status) and open overdue; upcoming: today through the 6th day after; overdue", async () => {
    let u = await userIn("UTC", "2026-03-10T12:00:00.000Z");
    await make(u, {
      "instant earlier today": { due_at: "2026-03-10T00:00:00Z" },
      "instant last ms today": { due_at: "2026-03-10T23:59:59.999Z" },
      "instant tomorrow": { due_at: "2026-03-11T00:00:00Z" },
      "day today": { due_date: "2026-03-10" },
      "day today done": { due_date: "2026-03-10", completed: true },
      "day yesterday": { due_date: "2026-03-09" },
      "day yesterday done": { due_date: "2026-03-09", completed: true },
      "day +6": { due_date: "2026-03-16" },
      "day +7": { due_date: "2026-03-17" },
      "instant +7 start": { due_at: "2026-03-17T00:00:00Z" },
      "instant +6 end": { due_at: "2026-03-16T23:59:59.999Z" },
      "instant last week": { due_at: "2026-03-03T09:00:00Z" },
      "no date": {},
    });
    u = await at("2026-03-10T12:00:00.000Z", u);
    assert.deepEqual(await view(u, "view=today"), [
      "day today",
      "day today done",
      "day yesterday",
      "instant earlier today",
      "instant last ms today",
      "instant last week",
    ]);
    // "Overdue tasks not included": the instant that passed this morning is overdue, so it is Today's.
    assert.deepEqual(await view(u, "view=upcoming"), [
      "day +6",
      "day today",
      "day today done",
      "instant +6 end",
      "instant last ms today",
      "instant tomorrow",
    ]);
    assert.deepEqual(await view(u, "view=overdue"), ["day yesterday", "instant earlier today", "instant last week"]);
    assert.deepEqual(await view(u, "overdue=true"), ["day yesterday", "instant earlier today", "instant last week"]);
    assert.equal((await view(u, "overdue=false")).length, 10);
    // Combinable with the other filters.
    assert.deepEqual(await view(u, "view=today&status=completed"), ["day today done"]);
    assert.deepEqual(await view(u, "view=today&status=pending&q=instant"), [
      "instant earlier today",
      "instant last ms today",
      "instant last week",
    ]);
    // At midnight "today" becomes tomorrow: the floating day of yesterday leaves Today unless open.
    u = await at("2026-03-11T00:00:00.000Z", u);
    assert.deepEqual(await view(u, "view=today"), [
      "day today",
      "day yesterday",
      "instant earlier today",
      "instant last ms today",
      "instant last week",
      "instant tomorrow",
    ]);
    assert.deepEqual(await view(u, "view=overdue"), [
      "day today",
      "day yesterday",
      "instant earlier today",
      "instant last ms today",
      "instant last week",
    ]);
  });

  test("an unknown view is a 422 naming it", async () => {
    const u = await userIn("UTC", "2026-03-10T12:00:00.000Z");
    const p = assertProblem(await as(t.app, u)({ method: "GET", url: "/api/tasks?view=tomorrow" }), 422, "validation_failed");
    assert.equal(p.errors?.[0]?.field, "view");
  });
});

describe("a floating day is that day wherever the reader is", () => {
  test("Pacific/Kiritimati (UTC+14): the day turns at 10:00 UTC", async () => {
    let u = await userIn("Pacific/Kiritimati", "2026-03-10T09:59:59.999Z");
    await make(u, {
      "day 10th": { due_date: "2026-03-10" },
      "day 10th done": { due_date: "2026-03-10", completed: true },
      "day 11th": { due_date: "2026-03-11" },
      // 23:30 on the 10th in Kiritimati.
      "instant 10th late": { due_at: "2026-03-10T09:30:00Z" },
      // 00:00 on the 11th in Kiritimati.
      "instant 11th midnight": { due_at: "2026-03-10T10:00:00Z" },
    });
    u = await at("2026-03-10T09:59:59.999Z", u);
    assert.deepEqual(await view(u, "view=today"), ["day 10th", "day 10th done", "instant 10th late"]);
    assert.deepEqual(await view(u, "view=upcoming"), ["day 10th", "day 10th done", "day 11th", "instant 11th midnight"]);
    assert.deepEqual(await view(u, "view=overdue"), ["instant 10th late"]);
    u = await at("2026-03-10T10:00:00.000Z", u);
    assert.deepEqual(await view(u, "view=today"), ["day 10th", "day 11th", "instant 10th late", "instant 11th midnight"]);
    // Due this very millisecond: due today, not yet overdue.
    assert.deepEqual(await view(u, "view=upcoming"), ["day 11th", "instant 11th midnight"]);
    assert.deepEqual(await view(u, "view=overdue"), ["day 10th", "instant 10th late"]);
  });

  test("Pacific/Pago_Pago (UTC−11): the day turns at 11:00 UTC; changing the time zone moves the days", async () => {
    let u = await userIn("Pacific/Pago_Pago", "2026-03-10T10:59:59.999Z");
    await make(u, {
      "day 9th": { due_date: "2026-03-09" },
      "day 10th": { due_date: "2026-03-10" },
      // 23:30 on the 9th in Pago Pago, 10:30 on the 10th in UTC.
      instant: { due_at: "2026-03-10T10:30:00Z", completed: true },
    });
    u = await at("2026-03-10T10:59:59.999Z", u);
    assert.deepEqual(await view(u, "view=today"), ["day 9th", "instant"]);
    assert.deepEqual(await view(u, "view=upcoming"), ["day 10th", "day 9th", "instant"]);
    u = await at("2026-03-10T11:00:00.000Z", u);
    assert.deepEqual(await view(u, "view=today"), ["day 10th", "day 9th"]);
    assert.deepEqual(await view(u, "view=overdue"), ["day 9th"]);
    // The same moment in UTC is already the 10th's afternoon.
    assert.equal((await as(t.app, u)({ method: "PATCH", url: "/api/me", payload: { timezone: "UTC" } })).statusCode, 200);
    assert.deepEqual(await view(u, "view=today"), ["day 10th", "day 9th", "instant"]);
    assert.deepEqual(await view(u, "view=overdue"), ["day 9th"]);
  });
});

describe("a daylight-saving change", () => {
  test("America/New_York, 8 March 2026: a day of 23 hours, from 05:00 to 04:00 UTC the next day", async () => {
    let u = await userIn("America/New_York", "2026-03-08T12:00:00.000Z");
    await make(u, {
      // 23:59 on the 7th (EST, UTC−5).
      "before the day": { due_at: "2026-03-08T04:59:00Z", completed: true },
      // 00:00 on the 8th (EST).
      "first minute": { due_at: "2026-03-08T05:00:00Z", completed: true },
      // 23:30 on the 8th (EDT, UTC−4).
      "last half hour": { due_at: "2026-03-09T03:30:00Z" },
      // 00:00 on the 9th (EDT).
      "next day": { due_at: "2026-03-09T04:00:00Z" },
      // 00:00 on the 15th (EDT): the 7th day, out of Upcoming.
      "a week on": { due_at: "2026-03-15T04:00:00Z" },
      "6 days on": { due_at: "2026-03-15T03:59:59.999Z" },
    });
    u = await at("2026-03-08T12:00:00.000Z", u);
    assert.deepEqual(await view(u, "view=today"), ["first minute", "last half hour"]);
    assert.deepEqual(await view(u, "view=upcoming"), ["6 days on", "first minute", "last half hour", "next day"]);
    // 04:00 UTC on the 9th is already the 9th in New York, though only 23 hours after the 8th began.
    u = await at("2026-03-09T04:00:00.000Z", u);
    assert.deepEqual(await view(u, "view=today"), ["last half hour", "next day"]);
    assert.deepEqual(await view(u, "view=overdue"), ["last half hour"]);
  });
});

describe("time zones on /api/me", () => {
  test("IANA names only (and UTC): anything else is a 422 naming timezone, and nothing changes", async () => {
    const u = await userIn("Europe/Berlin", "2026-03-10T12:00:00.000Z");
    for (const timezone of ["Mars/Olympus", "utc+2", "GMT+5", "", "Europe/berlin", "x".repeat(65)]) {
      const res = await as(t.app, u)({ method: "PATCH", url: "/api/me", payload: { timezone } });
      const p = assertProblem(res, 422, "validation_failed");
      assert.deepEqual(
        p.errors?.map((e) => e.field),
        ["timezone"],
        timezone,
      );
    }
    assertProblem(await as(t.app, u)({ method: "PATCH", url: "/api/me", payload: { name: "x" } }), 422, "validation_failed");
    const me = (await as(t.app, u)({ method: "GET", url: "/api/me" })).json() as { timezone: string };
    assert.equal(me.timezone, "Europe/Berlin");
  });
});

describe("the admin's view of a user's tasks", () => {
  test("view is computed in the target user's time zone, not the admin's", async () => {
    let target = await userIn("Pacific/Kiritimati", "2026-03-10T10:30:00.000Z");
    await make(target, { "day 10th": { due_date: "2026-03-10" }, "day 11th": { due_date: "2026-03-11" } });
    let admin = await promote(t.app, await userIn("Pacific/Pago_Pago", "2026-03-10T10:30:00.000Z"));
    admin = await at("2026-03-10T10:30:00.000Z", admin);
    target = await at("2026-03-10T10:30:00.000Z", target);
    const res = await as(t.app, admin)({ method: "GET", url: `/api/admin/users/${target.id}/tasks?view=today` });
    assert.equal(res.statusCode, 200, res.body);
    // In Kiritimati it is the 11th (the 10th is overdue); in Pago Pago still the 9th.
    assert.deepEqual((res.json() as TaskJson[]).map((x) => x.title).sort(), ["day 10th", "day 11th"]);
    assert.deepEqual(await view(target, "view=today"), ["day 10th", "day 11th"]);
    const overdue = await as(t.app, admin)({ method: "GET", url: `/api/admin/users/${target.id}/tasks?view=overdue` });
    assert.deepEqual(
      (overdue.json() as TaskJson[]).map((x) => x.title),
      ["day 10th"],
    );
  });
});
