/**
 * The access matrix of sharing (issue 14, SPEC §8; docs: /work/wt/contract-14.md
 * "Access rules"), generated from the app's own route table.
 *
 * Routes: every method + URL template the app registers (app.routeTable, filled
 * by an onRoute hook in http/core.ts) under /api/lists, /api/tasks, /api/comments
 * and /api/invitations. `matrix` below has one entry per (method, template); the
 * first test fails when a route has no entry (a new route cannot ship without
 * deciding who may use it) or an entry names a route that is gone. Cells are
 * generated from the route table, not from the matrix, so a route without an
 * entry also gets a failing cell. A HEAD route that Fastify made for a GET route
 * takes the GET's entry (and is checked as its own cell); any other HEAD needs
 * its own entry.
 *
 * Personas, each a real user made with the test helpers: the owner of a shared
 * list, an editor, a viewer, an invited-but-not-accepted user, one who declined,
 * a removed member (was an editor, then removed by the owner), a stranger, and an
 * admin (role admin, on the ordinary user API). An entry may have several cases
 * (e.g. removing another member and removing oneself), each with its own path
 * parameters, query, body and one expected status per persona.
 *
 * Fixtures: a fixture is one shared list of the owner built through the API —
 * the editor, the viewer, a bystander viewer (the target of member changes) and
 * the removed persona join by accepting invitations, the declined persona
 * declines, the invited persona's invitation stays pending, the owner removes
 * the removed persona; a task, a subtask and a comment by the editor. Each
 * persona acts on a fixture of its own. A cell whose success would destroy
 * what later cells use (case `destructive`: DELETE list, transfer, removals,
 * revocation, accept, decline, deleting the task or the comment) runs on a FRESH
 * fixture when it is expected to succeed; when it is expected to be refused it
 * runs on the persona's fixture, and every refused cell (403, 404, 409, 422)
 * proves that it changed nothing stored about the list (its row, members, tasks,
 * comments, invitations, activity). Destructive entries run after all others;
 * should a refused write change something anyway (a bug), the cell fails and
 * the persona's fixture is built again, so one bug shows up in one cell.
 *
 * Each cell asserts the exact status. A 404 (and any other refusal of a
 * non-member, e.g. the 422 of POST /api/tasks naming a list_id it cannot see) is
 * compared, byte for byte, body and headers but Date, with the same request as
 * the same persona where the fixture's ids are random missing ones (the same
 * X-Request-Id is sent, so request_id matches too), and so is the same write
 * with a stale If-Match (no 412 oracle). A 404 or 403 carries nothing
 * of the resource: no name, title, comment body, member email, or id of the
 * fixture in its body or headers, and no ETag, Location or Link; a 403 is the
 * bare problem (type, title, status, detail, code, request_id).
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Response } from "light-my-request";
import { createUser, promote, startApp, type TestUser, uniqueEmail } from "./helpers.ts";
import { as, inboxId } from "./tasks-helpers.ts";

const personas = ["owner", "editor", "viewer", "invited", "declined", "removed", "stranger", "admin"] as const;
type Persona = (typeof personas)[number];
type Expect = Record<Persona, number>;

/** The ids a cell's URL and body are made of: the fixture's, and the acting persona's own. */
interface Scope {
  list: string;
  task: string;
  subtask: string;
  comment: string;
  /** The invited persona's pending invitation. */
  invitation: string;
  /** The acting persona's own invitation to the list (accepted, declined or pending); the pending one for those without. */
  ownInvitation: string;
  commentBody: string;
  /** The bystander member (a viewer), whom member changes target. */
  member: string;
  owner: string;
  editor: string;
  /** A user who is no member (the stranger). */
  outsider: string;
  self: string;
  inbox: string;
}

/** The fixture's ids in a Scope: replaced with random missing ones for the comparison of a 404. */
const fixtureIds = ["list", "task", "subtask", "comment", "invitation", "ownInvitation"] as const;
type Replaceable = (typeof fixtureIds)[number] | "member" | "outsider";

interface Case {
  name?: string;
  params?: (s: Scope) => Record<string, string>;
  query?: (s: Scope) => string;
  body?: (s: Scope) => Record<string, unknown>;
  expect: Expect;
  /** A success destroys or takes over what other cells use: it gets a fresh fixture. */
  destructive?: boolean;
  /** What the 404s are compared with: these ids made random (default: every id of the fixture). */
  missing?: Replaceable[];
  /** More to see in a 2xx answer. */
  check?: (res: Response, s: Scope, persona: Persona, f: Fixture) => void;
}

const isMember = (p: Persona) => p === "owner" || p === "editor" || p === "viewer";

/** One status per role in the list; everyone else (non-members) gets `others`. */
function byRole(owner: number, editor: number, viewer: number, others = 404): Expect {
  return { owner, editor, viewer, invited: others, declined: others, removed: others, stranger: others, admin: others };
}
const everyone = (status: number): Expect => byRole(status, status, status, status);
const read = byRole(200, 200, 200);
const edit = (status: number) => byRole(status, status, 403);
const ownerOnly = (status: number) => byRole(status, 403, 403);
const inviteeOnly = (status: number): Expect => ({ ...byRole(404, 404, 404), invited: status });

const list = (s: Scope) => ({ id: s.list });
const task = (s: Scope) => ({ id: s.task });

const idsIn = (res: Response) => (res.json() as { id: string }[]).map((x) => x.id);

/** A non-member's collections hold nothing of the list. */
function nothingOfTheList(res: Response, _s: Scope, persona: Persona, f: Fixture): void {
  if (isMember(persona)) return;
  for (const secret of secretsOf(f)) assert.ok(!res.body.includes(secret), `${persona} sees ${secret}`);
}

/**
 * The matrix: `METHOD /template` → its cases. Expected statuses are the contract's,
 * not the implementation's: where they disagree the cell fails (see the report).
 */
const matrix: Record<string, Case[]> = {
  "GET /api/lists": [
    {
      expect: everyone(200),
      check: (res, s, persona, f) => {
        if (isMember(persona)) assert.ok(idsIn(res).includes(s.list), "a member has the list among theirs");
        else nothingOfTheList(res, s, persona, f);
      },
    },
  ],
  "POST /api/lists": [{ body: () => ({ name: "Another list" }), expect: everyone(201) }],
  "GET /api/lists/:id": [
    { params: list, expect: read, check: (res, _s, persona) => assert.equal((res.json() as { role: string }).role, persona) },
  ],
  // Contract: a non-owner member's PATCH or DELETE of the list is a 403. As merged (integ14 51e9632) lists/service.ts
  // still answers them issue 13's 404 ("owners only"): those four cells fail until it is mended.
  "PATCH /api/lists/:id": [{ params: list, body: () => ({ color: "#aabbcc" }), expect: ownerOnly(200) }],
  "POST /api/lists/:id/move": [{ params: list, body: (s) => ({ after: s.inbox }), expect: read }],
  "GET /api/lists/:id/members": [{ params: list, expect: read }],
  "PATCH /api/lists/:id/members/:user_id": [
    { name: "a member", params: (s) => ({ id: s.list, user_id: s.member }), body: () => ({ role: "editor" }), expect: ownerOnly(200) },
    {
      name: "the owner",
      params: (s) => ({ id: s.list, user_id: s.owner }),
      body: () => ({ role: "editor" }),
      expect: byRole(409, 403, 403),
    },
    {
      name: "not a member",
      params: (s) => ({ id: s.list, user_id: s.outsider }),
      body: () => ({ role: "editor" }),
      missing: ["outsider"],
      expect: byRole(404, 403, 403),
    },
  ],
  "POST /api/lists/:id/invitations": [
    { params: list, body: () => ({ email: uniqueEmail("newcomer"), role: "viewer" }), expect: ownerOnly(202) },
  ],
  "GET /api/lists/:id/invitations": [{ params: list, expect: ownerOnly(200) }],
  "GET /api/lists/:id/activity": [{ params: list, expect: read }],
  "GET /api/invitations": [
    {
      expect: everyone(200),
      check: (res, s, persona, f) => {
        if (persona === "invited") assert.ok(idsIn(res).includes(s.invitation), "the invitee sees the invitation");
        else nothingOfTheList(res, s, persona, f);
        if (isMember(persona)) assert.ok(!idsIn(res).includes(s.invitation), "nobody but the invitee sees it");
      },
    },
  ],
  "GET /api/tasks": [
    { name: "every list", expect: everyone(200), check: nothingOfTheList },
    { name: "list_id", query: (s) => `list_id=${s.list}`, expect: read },
    { name: "parent_id", query: (s) => `parent_id=${s.task}`, expect: read },
  ],
  // A body's list_id or parent_id that names nothing the caller can see is a 422 naming the field (tasks/service.ts).
  "POST /api/tasks": [
    { name: "in the list", body: (s) => ({ title: "new task", list_id: s.list }), expect: byRole(201, 201, 403, 422) },
    { name: "a subtask", body: (s) => ({ title: "new subtask", parent_id: s.task }), expect: byRole(201, 201, 403, 422) },
  ],
  "GET /api/tasks/:id": [{ params: task, expect: read }],
  "PUT /api/tasks/:id": [{ params: task, body: () => ({ priority: "low" }), expect: edit(200) }],
  "PATCH /api/tasks/:id": [{ params: task, body: () => ({ priority: "high" }), expect: edit(200) }],
  "PATCH /api/tasks/:id/complete": [{ params: task, body: () => ({ completed: true }), expect: edit(200) }],
  "POST /api/tasks/:id/move": [{ params: (s) => ({ id: s.subtask }), body: () => ({}), expect: edit(200) }],
  "GET /api/tasks/:id/comments": [{ params: task, expect: read }],
  "POST /api/tasks/:id/comments": [{ params: task, body: () => ({ body: "a new comment" }), expect: byRole(201, 201, 201) }],
  // The editor wrote the comment; the owner is another member here.
  "PATCH /api/comments/:id": [
    { params: (s) => ({ id: s.comment }), body: (s) => ({ body: s.commentBody }), expect: byRole(403, 200, 403) },
  ],

  // Destructive entries: run after all others.
  "DELETE /api/lists/:id": [{ params: list, expect: ownerOnly(204), destructive: true }],
  "DELETE /api/lists/:id/members/:user_id": [
    { name: "another member", params: (s) => ({ id: s.list, user_id: s.member }), expect: ownerOnly(204), destructive: true },
    { name: "oneself", params: (s) => ({ id: s.list, user_id: s.self }), expect: byRole(409, 204, 204), destructive: true },
  ],
  "POST /api/lists/:id/transfer": [{ params: list, body: (s) => ({ user_id: s.editor }), expect: ownerOnly(200), destructive: true }],
  "DELETE /api/lists/:id/invitations/:invitation_id": [
    { params: (s) => ({ id: s.list, invitation_id: s.invitation }), expect: ownerOnly(204), destructive: true },
  ],
  "POST /api/invitations/:id/accept": [{ params: (s) => ({ id: s.ownInvitation }), expect: inviteeOnly(200), destructive: true }],
  "POST /api/invitations/:id/decline": [{ params: (s) => ({ id: s.ownInvitation }), expect: inviteeOnly(204), destructive: true }],
  "DELETE /api/tasks/:id": [{ params: task, expect: edit(204), destructive: true }],
  "DELETE /api/comments/:id": [{ params: (s) => ({ id: s.comment }), expect: byRole(403, 204, 403), destructive: true }],
};

// ------------------------------------------------------------------ the app, its routes, the users

const t = await startApp({ LOG_LEVEL: "silent" });
after(() => t.close());

const inScope = /^\/api\/(lists|tasks|comments|invitations)(\/|$)/;
const appRoutes = t.app.routeTable.filter((r) => inScope.test(r.url)).map((r) => `${r.method} ${r.url}`);
const routeSet = new Set(appRoutes);
/** The matrix entry a route's cells come from: its own, or for Fastify's HEAD of a GET route, the GET's. */
function entryKeyOf(route: string): string | undefined {
  if (matrix[route]) return route;
  const [method, url] = route.split(" ") as [string, string];
  if (method === "HEAD" && routeSet.has(`GET ${url}`)) return matrix[`GET ${url}`] ? `GET ${url}` : undefined;
  return undefined;
}
const isDestructive = (key: string | undefined) => key !== undefined && (matrix[key] ?? []).some((c) => c.destructive);
const cellRoutes = [...new Set(appRoutes)].sort((a, b) => Number(isDestructive(entryKeyOf(a))) - Number(isDestructive(entryKeyOf(b))));

type Users = Record<Persona | "member", TestUser>;
let users: Users;
const inboxes = new Map<string, string>();

interface Fixture {
  list: string;
  task: string;
  subtask: string;
  comment: string;
  invitation: string;
  invitationOf: Partial<Record<Persona, string>>;
  listName: string;
  taskTitle: string;
  subtaskTitle: string;
  commentBody: string;
}
const fixtures = new Map<Persona, Fixture>();

function ok(res: Response, status: number, what: string): Response {
  assert.equal(res.statusCode, status, `fixture: ${what}: ${res.body}`);
  return res;
}

/** One shared list of the owner's, with every persona in its place, built as users would. */
async function makeFixture(): Promise<Fixture> {
  const tag = randomBytes(4).toString("hex");
  const { app } = t;
  const owner = as(app, users.owner);
  const listName = `Secret list ${tag}`;
  const listId = (ok(await owner({ method: "POST", url: "/api/lists", payload: { name: listName } }), 201, "list").json() as { id: string })
    .id;
  const invitationOf: Partial<Record<Persona, string>> = {};
  const invite = async (who: Persona | "member", role: "editor" | "viewer") => {
    const res = ok(
      await owner({ method: "POST", url: `/api/lists/${listId}/invitations`, payload: { email: users[who].email, role } }),
      202,
      `invite ${who}`,
    );
    return (res.json() as { id: string }).id;
  };
  const respond = async (who: Persona | "member", id: string, verb: "accept" | "decline") =>
    ok(
      await as(app, users[who])({ method: "POST", url: `/api/invitations/${id}/${verb}` }),
      verb === "accept" ? 200 : 204,
      `${verb} ${who}`,
    );
  for (const [who, role] of [
    ["editor", "editor"],
    ["viewer", "viewer"],
    ["member", "viewer"],
    ["removed", "editor"],
    ["declined", "viewer"],
    ["invited", "viewer"],
  ] as const) {
    const id = await invite(who, role);
    if (who !== "member") invitationOf[who] = id;
    if (who === "declined") await respond(who, id, "decline");
    else if (who !== "invited") await respond(who, id, "accept");
  }
  ok(await owner({ method: "DELETE", url: `/api/lists/${listId}/members/${users.removed.id}` }), 204, "remove");
  const taskTitle = `Secret task ${tag}`;
  const subtaskTitle = `Secret subtask ${tag}`;
  const commentBody = `Secret comment ${tag}`;
  const taskId = (
    ok(await owner({ method: "POST", url: "/api/tasks", payload: { title: taskTitle, list_id: listId } }), 201, "task").json() as {
      id: string;
    }
  ).id;
  const subtaskId = (
    ok(await owner({ method: "POST", url: "/api/tasks", payload: { title: subtaskTitle, parent_id: taskId } }), 201, "subtask").json() as {
      id: string;
    }
  ).id;
  const commentId = (
    ok(
      await as(app, users.editor)({ method: "POST", url: `/api/tasks/${taskId}/comments`, payload: { body: commentBody } }),
      201,
      "comment",
    ).json() as { id: string }
  ).id;
  return {
    list: listId,
    task: taskId,
    subtask: subtaskId,
    comment: commentId,
    invitation: invitationOf.invited as string,
    invitationOf,
    listName,
    taskTitle,
    subtaskTitle,
    commentBody,
  };
}

function scopeOf(f: Fixture, persona: Persona): Scope {
  const self = users[persona];
  return {
    list: f.list,
    task: f.task,
    subtask: f.subtask,
    comment: f.comment,
    invitation: f.invitation,
    ownInvitation: f.invitationOf[persona] ?? f.invitation,
    commentBody: f.commentBody,
    member: users.member.id,
    owner: users.owner.id,
    editor: users.editor.id,
    outsider: users.stranger.id,
    self: self.id,
    inbox: inboxes.get(self.id) as string,
  };
}

/** The same scope with ids that name nothing. */
function missingScope(s: Scope, which: readonly Replaceable[] = fixtureIds): Scope {
  const out = { ...s };
  for (const key of which) out[key] = key === "member" || key === "outsider" ? randomBytes(16).toString("hex") : randomUUID();
  return out;
}

/** What must never reach someone refused: names, titles, the comment, member emails, the fixture's ids. */
function secretsOf(f: Fixture): string[] {
  const emails = (["owner", "editor", "viewer", "member", "invited"] as const).map((p) => users[p].email);
  const ids = [f.list, f.task, f.subtask, f.comment, ...Object.values(f.invitationOf)];
  return [f.listName, f.taskTitle, f.subtaskTitle, f.commentBody, ...emails, ...ids];
}

/** Everything stored about the fixture's list: equal snapshots mean a request changed nothing of it. */
async function snapshot(f: Fixture): Promise<string> {
  const rows = await t.app.ctx.db.query<{ j: string }>(
    `SELECT json_build_object(
       'list', (SELECT row_to_json(l) FROM lists l WHERE l.id = $1::uuid),
       'members', (SELECT json_agg(m ORDER BY m.user_id) FROM list_members m WHERE m.list_id = $1::uuid),
       'tasks', (SELECT json_agg(x ORDER BY x.id) FROM tasks x WHERE x.list_id = $1::uuid OR x.id = ANY($2::uuid[])),
       'comments', (SELECT json_agg(c ORDER BY c.id) FROM comments c WHERE c.id = $3::uuid
                      OR c.task_id IN (SELECT x.id FROM tasks x WHERE x.list_id = $1::uuid)),
       'invitations', (SELECT json_agg(i ORDER BY i.id) FROM invitations i WHERE i.list_id = $1::uuid),
       'activity', (SELECT json_agg(a ORDER BY a.id) FROM activity a WHERE a.list_id = $1::uuid))::text AS j`,
    [f.list, [f.task, f.subtask], f.comment],
  );
  return rows[0]?.j ?? "";
}

before(async () => {
  const made: Partial<Users> = {};
  for (const p of [...personas, "member"] as const) made[p] = await createUser(t.app, { email: uniqueEmail(p) });
  made.admin = await promote(t.app, made.admin as TestUser);
  users = made as Users;
  for (const u of Object.values(users)) inboxes.set(u.id, await inboxId(t.app, u.id));
  for (const p of personas) fixtures.set(p, await makeFixture());
});

// ------------------------------------------------------------------ the cells

function urlOf(template: string, c: Case, s: Scope): string {
  const params = c.params?.(s) ?? {};
  const used = new Set<string>();
  const path = template.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
    const value = params[name];
    assert.ok(value !== undefined, `the case gives no value for :${name} of ${template}`);
    used.add(name);
    return encodeURIComponent(value);
  });
  assert.deepEqual(Object.keys(params).sort(), [...used].sort(), `the case's parameters are those of ${template}`);
  const query = c.query?.(s);
  return query ? `${path}?${query}` : path;
}

async function send(
  persona: Persona,
  method: string,
  template: string,
  c: Case,
  s: Scope,
  requestId: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return as(
    t.app,
    users[persona],
  )({
    method: method as "GET",
    url: urlOf(template, c, s),
    headers: { ...headers, "x-request-id": requestId },
    ...(c.body ? { payload: c.body(s) } : {}),
  });
}

const withoutDate = (res: Response) => Object.fromEntries(Object.entries(res.headers).filter(([name]) => name !== "date"));
const problemKeys = ["code", "detail", "request_id", "status", "title", "type"];

async function cell(route: string, key: string, c: Case, persona: Persona): Promise<void> {
  const [method, template] = route.split(" ") as [string, string];
  const expected = c.expect[persona];
  const fresh = c.destructive === true && expected < 300;
  const f = fresh ? await makeFixture() : (fixtures.get(persona) as Fixture);
  const s = scopeOf(f, persona);
  const requestId = `matrix-${randomBytes(6).toString("hex")}`;
  const refused = expected >= 400;
  const before = refused ? await snapshot(f) : "";
  const res = await send(persona, method, template, c, s, requestId);
  const where = `${persona} ${route}${c.name ? ` (${c.name})` : ""} [${key}]: ${res.statusCode} ${res.body}`;
  if (refused && (await snapshot(f)) !== before) {
    fixtures.set(persona, await makeFixture());
    assert.fail(`${where}: a refused request changed what is stored about the list`);
  }
  assert.equal(res.statusCode, expected, where);
  if (expected === 404 || (refused && expected !== 403 && !isMember(persona))) {
    const absent = missingScope(s, c.missing);
    const missing = await send(persona, method, template, c, absent, requestId);
    assert.equal(missing.statusCode, expected, `${where}: the same request for missing ids gave ${missing.statusCode}`);
    assert.equal(res.body, missing.body, `${where}: the body differs from that of missing ids`);
    assert.deepEqual(withoutDate(res), withoutDate(missing), `${where}: the headers differ from those of missing ids`);
    if (!["GET", "HEAD"].includes(method)) {
      // No 412 oracle: a stale If-Match on what the caller cannot see is the same refusal.
      const stale = { "if-match": '"999"' };
      const theirs = await send(persona, method, template, c, s, requestId, stale);
      const nobodys = await send(persona, method, template, c, absent, requestId, stale);
      if ((await snapshot(f)) !== before) {
        fixtures.set(persona, await makeFixture());
        assert.fail(`${where}: a refused request with a stale If-Match changed what is stored about the list`);
      }
      assert.equal(theirs.statusCode, expected, `${where}: with a stale If-Match: ${theirs.statusCode} ${theirs.body}`);
      assert.equal(theirs.body, nobodys.body, `${where}: with a stale If-Match, the body differs from that of missing ids`);
    }
  }
  if (refused) {
    for (const header of ["etag", "location", "link"]) assert.equal(res.headers[header], undefined, `${where}: ${header}`);
    const headers = JSON.stringify(res.headers);
    for (const secret of secretsOf(f)) {
      assert.ok(!res.body.includes(secret), `${where}: the body names ${secret}`);
      assert.ok(!headers.includes(secret), `${where}: the headers name ${secret}`);
    }
  }
  if (expected === 403 && method !== "HEAD") {
    assert.match(String(res.headers["content-type"]), /^application\/problem\+json/, where);
    const problem = res.json() as Record<string, unknown>;
    assert.deepEqual(Object.keys(problem).sort(), problemKeys, where);
    assert.equal(problem.code, "forbidden", where);
    assert.equal(problem.request_id, requestId, where);
  }
  if (!refused && method !== "HEAD") c.check?.(res, s, persona, f);
}

describe("the route table", () => {
  test("every route under /api/lists, /api/tasks, /api/comments and /api/invitations has an entry in the matrix, and every entry a route", () => {
    assert.ok(appRoutes.length >= 15, `only ${appRoutes.length} routes found: ${appRoutes.join(", ")}`);
    const withoutEntry = appRoutes.filter((r) => entryKeyOf(r) === undefined);
    const withoutRoute = Object.keys(matrix).filter((k) => !routeSet.has(k));
    assert.deepEqual({ withoutEntry, withoutRoute }, { withoutEntry: [], withoutRoute: [] });
  });

  test("every case gives each persona a status", () => {
    for (const [key, cases] of Object.entries(matrix)) {
      for (const c of cases) assert.deepEqual(Object.keys(c.expect).sort(), [...personas].sort(), key);
    }
  });

  test("each persona stands where its name says, in every persona's fixture", async () => {
    for (const f of fixtures.values()) {
      const rows = await t.app.ctx.db.query<{ user_id: string; role: string | null; invitation: string | null; admin: boolean }>(
        `SELECT u.id AS user_id, m.role, i.status AS invitation, u.role = 'admin' AS admin
           FROM "user" u
           LEFT JOIN list_members m ON m.list_id = $1::uuid AND m.user_id = u.id
           LEFT JOIN invitations i ON i.list_id = $1::uuid AND i.email = lower(u.email)
          WHERE u.id = ANY($2::text[])`,
        [f.list, personas.map((p) => users[p].id)],
      );
      const standing = Object.fromEntries(
        personas.map((p) => {
          const row = rows.find((r) => r.user_id === users[p].id);
          return [p, { role: row?.role ?? null, invitation: row?.invitation ?? null, admin: row?.admin ?? false }];
        }),
      );
      assert.deepEqual(standing, {
        owner: { role: "owner", invitation: null, admin: false },
        editor: { role: "editor", invitation: "accepted", admin: false },
        viewer: { role: "viewer", invitation: "accepted", admin: false },
        invited: { role: null, invitation: "pending", admin: false },
        declined: { role: null, invitation: "declined", admin: false },
        removed: { role: null, invitation: "accepted", admin: false },
        stranger: { role: null, invitation: null, admin: false },
        admin: { role: null, invitation: null, admin: true },
      });
    }
  });
});

for (const route of cellRoutes) {
  const key = entryKeyOf(route);
  describe(route, () => {
    if (key === undefined) {
      test("has an entry in the matrix", () => assert.fail(`${route} has no entry: decide who may use it`));
      return;
    }
    for (const c of matrix[key] ?? []) {
      for (const persona of personas) {
        test(`${persona}${c.name ? ` (${c.name})` : ""} → ${c.expect[persona]}`, () => cell(route, key, c, persona));
      }
    }
  });
}
