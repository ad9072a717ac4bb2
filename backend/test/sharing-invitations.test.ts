/**
 * Invitations (SPEC §8): inviting, the invitee's view, accepting (the member
 * then sees the list and its tasks), declining, revoking, expiry on the app's
 * clock, renewal, the Inbox's rule, owner-only access, and no account
 * enumeration (the same answer for an address with or without an account).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { INVITATION_TTL_MS } from "../src/sharing/service.ts";
import { assertProblem, createUser, startApp, type TestApp, type TestUser, tokenFor } from "./helpers.ts";
import {
  accept,
  activityOf,
  createList,
  type InvitationJson,
  invite,
  type ListJson,
  listIdsOf,
  membersOf,
  missingId,
  share,
} from "./sharing-helpers.ts";
import { as, createTask, inboxId, isoMillisUtc, type TaskJson, uuidV7 } from "./tasks-helpers.ts";

let t: TestApp;
before(async () => {
  t = await startApp();
});
after(() => t.close());

type Incoming = {
  id: string;
  list_id: string;
  list_name: string;
  role: string;
  invited_by: string | null;
  inviter_name: string | null;
  created_at: string;
  expires_at: string;
};

async function incoming(user: TestUser): Promise<Incoming[]> {
  const res = await as(t.app, user)({ method: "GET", url: "/api/invitations" });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Incoming[];
}

async function pendingOf(owner: TestUser, listId: string): Promise<InvitationJson[]> {
  const res = await as(t.app, owner)({ method: "GET", url: `/api/lists/${listId}/invitations` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as InvitationJson[];
}

/** `user` with a token minted at the app clock's current time (after the clock was moved). */
async function fresh(user: TestUser): Promise<TestUser> {
  const jwt = await tokenFor(t.app, user.sessionToken);
  return { ...user, jwt, auth: { authorization: `Bearer ${jwt}` } };
}

describe("invite and accept", () => {
  test("the invitee sees the invitation, accepts it, and then sees the list and its tasks", async () => {
    const owner = await createUser(t.app, { name: "Olive Owner" });
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner, "Groceries");
    const task = await createTask(t.app, owner, { title: "Milk", list_id: list.id });

    // Not yet a member: the list and its tasks are the 404 of a missing list.
    assertProblem(await as(t.app, bob)({ method: "GET", url: `/api/lists/${list.id}` }), 404, "not_found");
    assertProblem(await as(t.app, bob)({ method: "GET", url: `/api/tasks?list_id=${list.id}` }), 404, "not_found");

    const before = await as(t.app, owner)({ method: "GET", url: `/api/lists/${list.id}` });
    const invitation = await invite(t.app, owner, list.id, bob.email, "editor");
    assert.match(invitation.id, uuidV7);
    assert.deepEqual(
      { ...invitation, id: "", created_at: "", expires_at: "" },
      {
        id: "",
        list_id: list.id,
        email: bob.email,
        role: "editor",
        status: "pending",
        invited_by: owner.id,
        created_at: "",
        expires_at: "",
      },
    );
    assert.match(invitation.created_at, isoMillisUtc);
    assert.equal(Date.parse(invitation.expires_at) - Date.parse(invitation.created_at), INVITATION_TTL_MS);

    assert.deepEqual(await pendingOf(owner, list.id), [invitation]);
    assert.deepEqual(await incoming(bob), [
      {
        id: invitation.id,
        list_id: list.id,
        list_name: "Groceries",
        role: "editor",
        invited_by: owner.id,
        inviter_name: "Olive Owner",
        created_at: invitation.created_at,
        expires_at: invitation.expires_at,
      },
    ]);

    const res = await as(t.app, bob)({ method: "POST", url: `/api/invitations/${invitation.id}/accept` });
    assert.equal(res.statusCode, 200, res.body);
    const joined = res.json() as ListJson;
    assert.equal(joined.id, list.id);
    assert.equal(joined.role, "editor");
    assert.equal(joined.owner_id, owner.id);
    assert.equal(joined.member_count, 2);
    assert.equal(joined.task_count, 1);
    // At the end of Bob's own order: after his Inbox.
    const bobsLists = await as(t.app, bob)({ method: "GET", url: "/api/lists" });
    const ids = (bobsLists.json() as ListJson[]).map((l) => l.id);
    assert.deepEqual(ids, [await inboxId(t.app, bob.id), list.id]);
    assert.equal(res.headers.etag, (await as(t.app, bob)({ method: "GET", url: `/api/lists/${list.id}` })).headers.etag);

    const tasks = await as(t.app, bob)({ method: "GET", url: `/api/tasks?list_id=${list.id}` });
    assert.equal(tasks.statusCode, 200, tasks.body);
    assert.deepEqual(
      (tasks.json() as TaskJson[]).map((x) => x.id),
      [task.id],
    );

    // The owner's view changed with it: two members, a new ETag.
    const after = await as(t.app, owner)({ method: "GET", url: `/api/lists/${list.id}` });
    assert.equal((after.json() as ListJson).member_count, 2);
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.deepEqual(
      (await membersOf(t.app, bob, list.id)).map((m) => [m.user_id, m.role]),
      [
        [owner.id, "owner"],
        [bob.id, "editor"],
      ],
    );

    // Answered: no longer pending for either side, and not again.
    assert.deepEqual(await pendingOf(owner, list.id), []);
    assert.deepEqual(await incoming(bob), []);
    assertProblem(await as(t.app, bob)({ method: "POST", url: `/api/invitations/${invitation.id}/accept` }), 404, "not_found");
    const [stored] = await t.app.ctx.db.query<{ status: string; shared: boolean }>(
      "SELECT i.status, l.shared FROM invitations i JOIN lists l ON l.id = i.list_id WHERE i.id = $1",
      [invitation.id],
    );
    assert.deepEqual(stored, { status: "accepted", shared: true });

    // Activity: the invitation (its role, never the address) and the joining.
    assert.deepEqual(await activityOf(t.app, list.id), [
      { action: "invitation.created", actor_id: owner.id, subject_user_id: null, data: { role: "editor" } },
      { action: "member.joined", actor_id: bob.id, subject_user_id: bob.id, data: { role: "editor" } },
    ]);
  });

  test("only the invitee accepts; a malformed or unknown id is the same 404", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const eve = await createUser(t.app);
    const list = await createList(t.app, owner);
    const invitation = await invite(t.app, owner, list.id, bob.email);
    for (const [user, id] of [
      [eve, invitation.id],
      [owner, invitation.id],
      [bob, missingId],
      [bob, "not-a-uuid"],
    ] as const) {
      assertProblem(await as(t.app, user)({ method: "POST", url: `/api/invitations/${id}/accept` }), 404, "not_found");
      assertProblem(await as(t.app, user)({ method: "POST", url: `/api/invitations/${id}/decline` }), 404, "not_found");
    }
    assert.deepEqual(await incoming(eve), []);
    assert.deepEqual(await listIdsOf(t.app, eve), [await inboxId(t.app, eve.id)]);
    await accept(t.app, bob, invitation.id);
  });

  test("an address is matched however it was typed (trimmed, lower-cased)", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner);
    const invitation = await invite(t.app, owner, list.id, `  ${bob.email.toUpperCase()} `, "viewer");
    assert.equal(invitation.email, bob.email);
    assert.deepEqual(
      (await incoming(bob)).map((i) => i.id),
      [invitation.id],
    );
    assert.equal((await accept(t.app, bob, invitation.id)).role, "viewer");
  });

  test("an invitation to an address without an account waits for whoever signs up with it", async () => {
    const owner = await createUser(t.app);
    const list = await createList(t.app, owner);
    const email = `later-${randomBytes(4).toString("hex")}@example.com`;
    const invitation = await invite(t.app, owner, list.id, email);
    const later = await createUser(t.app, { email });
    assert.deepEqual(
      (await incoming(later)).map((i) => i.id),
      [invitation.id],
    );
    assert.equal((await accept(t.app, later, invitation.id)).id, list.id);
  });

  test("an existing member's acceptance changes nothing but the invitation", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner);
    await share(t.app, owner, list.id, bob, "viewer");
    const again = await invite(t.app, owner, list.id, bob.email, "editor");
    const seen = await accept(t.app, bob, again.id);
    assert.equal(seen.role, "viewer");
    assert.equal(seen.member_count, 2);
    assert.equal((await activityOf(t.app, list.id)).filter((a) => a.action === "member.joined").length, 1);
  });
});

describe("no account enumeration", () => {
  test("an address with an account and one without get the same answer, and the log names no address", async () => {
    const owner = await createUser(t.app);
    const list = await createList(t.app, owner);
    const tag = randomBytes(4).toString("hex");
    const known = await createUser(t.app, { email: `known-${tag}@example.com` });
    const unknownEmail = `nobod-${tag}@example.com`;
    const logStart = t.logs.length;

    const answers = [];
    for (const email of [known.email, unknownEmail]) {
      answers.push(
        await as(t.app, owner)({ method: "POST", url: `/api/lists/${list.id}/invitations`, payload: { email, role: "viewer" } }),
      );
    }
    const [a, b] = answers as [(typeof answers)[0], (typeof answers)[0]];
    assert.equal(a.statusCode, 202);
    assert.equal(b.statusCode, 202);
    const shape = (res: typeof a) => {
      const body = res.json() as Record<string, unknown>;
      return {
        keys: Object.keys(body),
        body: { ...body, id: "", email: "", created_at: "", expires_at: "" },
        headers: Object.fromEntries(Object.entries(res.headers).filter(([name]) => name !== "date" && name !== "x-request-id")),
      };
    };
    assert.deepEqual(shape(a), shape(b));
    assert.equal((a.json() as InvitationJson).email, known.email);
    assert.equal((b.json() as InvitationJson).email, unknownEmail);

    const lines = t.logs.slice(logStart);
    const created = lines.filter((l) => l.includes('"invitation created"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      created.map((l) => [l.invitation_id, l.list_id]),
      [
        [(a.json() as InvitationJson).id, list.id],
        [(b.json() as InvitationJson).id, list.id],
      ],
    );
    for (const line of lines) {
      assert.ok(!line.includes(known.email) && !line.includes(unknownEmail), `a log line names the address: ${line}`);
    }
    // Activity is visible to every member: it keeps the role only.
    for (const entry of await activityOf(t.app, list.id)) assert.deepEqual(entry.data, { role: "viewer" });
  });
});

describe("decline, revoke, renew, expire", () => {
  test("declining answers the invitation: gone for both sides, no membership", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner);
    const invitation = await invite(t.app, owner, list.id, bob.email);
    const res = await as(t.app, bob)({ method: "POST", url: `/api/invitations/${invitation.id}/decline` });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, "");
    assert.deepEqual(await incoming(bob), []);
    assert.deepEqual(await pendingOf(owner, list.id), []);
    assertProblem(await as(t.app, bob)({ method: "POST", url: `/api/invitations/${invitation.id}/accept` }), 404, "not_found");
    assertProblem(await as(t.app, bob)({ method: "POST", url: `/api/invitations/${invitation.id}/decline` }), 404, "not_found");
    assertProblem(await as(t.app, bob)({ method: "GET", url: `/api/lists/${list.id}` }), 404, "not_found");
    const [stored] = await t.app.ctx.db.query<{ status: string }>("SELECT status FROM invitations WHERE id = $1", [invitation.id]);
    assert.equal(stored?.status, "declined");
    // A new invitation can follow.
    const second = await invite(t.app, owner, list.id, bob.email);
    assert.notEqual(second.id, invitation.id);
    await accept(t.app, bob, second.id);
  });

  test("the owner revokes a pending invitation; the invitee can no longer accept it", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner);
    const invitation = await invite(t.app, owner, list.id, bob.email);
    const url = `/api/lists/${list.id}/invitations/${invitation.id}`;
    const res = await as(t.app, owner)({ method: "DELETE", url });
    assert.equal(res.statusCode, 204);
    assert.deepEqual(await pendingOf(owner, list.id), []);
    assert.deepEqual(await incoming(bob), []);
    assertProblem(await as(t.app, bob)({ method: "POST", url: `/api/invitations/${invitation.id}/accept` }), 404, "not_found");
    assertProblem(await as(t.app, owner)({ method: "DELETE", url }), 404, "not_found");
    assertProblem(await as(t.app, owner)({ method: "DELETE", url: `/api/lists/${list.id}/invitations/${missingId}` }), 404, "not_found");
    assertProblem(await as(t.app, owner)({ method: "DELETE", url: `/api/lists/${list.id}/invitations/nope` }), 404, "not_found");
    // Another list of the owner's does not reach it.
    const other = await createList(t.app, owner, "Other");
    const third = await invite(t.app, owner, list.id, bob.email);
    assertProblem(await as(t.app, owner)({ method: "DELETE", url: `/api/lists/${other.id}/invitations/${third.id}` }), 404, "not_found");
  });

  test("re-inviting a pending address renews it: the same invitation, the new role, a later expiry", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner);
    t.clock.freeze(Date.now());
    const first = await invite(t.app, owner, list.id, bob.email, "viewer");
    t.clock.advance(60_000);
    const second = await invite(t.app, owner, list.id, bob.email, "editor");
    assert.equal(second.id, first.id);
    assert.equal(second.role, "editor");
    assert.equal(second.created_at, first.created_at);
    assert.equal(Date.parse(second.expires_at) - Date.parse(first.expires_at), 60_000);
    assert.deepEqual(await pendingOf(owner, list.id), [second]);
    assert.deepEqual(
      (await incoming(bob)).map((i) => [i.id, i.role]),
      [[first.id, "editor"]],
    );
    assert.equal((await accept(t.app, bob, first.id)).role, "editor");
  });

  test("an invitation expires 14 days after it was made, by the app's clock", async () => {
    const owner = await createUser(t.app);
    const bob = await createUser(t.app);
    const list = await createList(t.app, owner);
    const start = Date.now();
    t.clock.freeze(start);
    const invitation = await invite(t.app, owner, list.id, bob.email);
    const renewed = await invite(t.app, owner, list.id, (await createUser(t.app)).email);

    t.clock.freeze(start + INVITATION_TTL_MS - 1);
    let [b, o] = [await fresh(bob), await fresh(owner)];
    assert.deepEqual(
      (await incoming(b)).map((i) => i.id),
      [invitation.id],
    );
    assert.equal((await pendingOf(o, list.id)).length, 2);

    t.clock.freeze(start + INVITATION_TTL_MS + 1);
    [b, o] = [await fresh(bob), await fresh(owner)];
    assert.deepEqual(await incoming(b), []);
    assert.deepEqual(await pendingOf(o, list.id), []);
    assertProblem(await as(t.app, b)({ method: "POST", url: `/api/invitations/${invitation.id}/accept` }), 404, "not_found");
    assertProblem(await as(t.app, b)({ method: "POST", url: `/api/invitations/${invitation.id}/decline` }), 404, "not_found");
    assertProblem(await as(t.app, b)({ method: "GET", url: `/api/lists/${list.id}` }), 404, "not_found");

    // Inviting the address again makes it pending once more, with a new expiry.
    const again = await invite(t.app, o, list.id, bob.email);
    assert.equal(Date.parse(again.expires_at), start + 2 * INVITATION_TTL_MS + 1);
    assert.equal((await accept(t.app, b, again.id)).id, list.id);
    assert.ok(renewed.id);
  });
});

describe("who may invite", () => {
  test("the Inbox cannot be shared: 409", async () => {
    const owner = await createUser(t.app);
    const inbox = await inboxId(t.app, owner.id);
    const res = await as(
      t.app,
      owner,
    )({
      method: "POST",
      url: `/api/lists/${inbox}/invitations`,
      payload: { email: "someone@example.com", role: "editor" },
    });
    assertProblem(res, 409, "conflict");
    assert.equal((await t.app.ctx.db.query("SELECT 1 FROM invitations WHERE list_id = $1", [inbox])).length, 0);
  });

  test("a member who is not the owner gets 403 on the owner's routes; a non-member 404 on all of them", async () => {
    const owner = await createUser(t.app);
    const editor = await createUser(t.app);
    const viewer = await createUser(t.app);
    const stranger = await createUser(t.app);
    const list = await createList(t.app, owner);
    await share(t.app, owner, list.id, editor, "editor");
    await share(t.app, owner, list.id, viewer, "viewer");
    const pending = await invite(t.app, owner, list.id, "pending@example.com");
    const routes = [
      { method: "POST", url: `/api/lists/${list.id}/invitations`, payload: { email: "x@example.com", role: "viewer" } },
      { method: "GET", url: `/api/lists/${list.id}/invitations` },
      { method: "DELETE", url: `/api/lists/${list.id}/invitations/${pending.id}` },
    ] as const;
    for (const route of routes) {
      for (const member of [editor, viewer]) assertProblem(await as(t.app, member)(route), 403, "forbidden");
      const miss = await as(t.app, stranger)(route);
      assertProblem(miss, 404, "not_found");
      const absent = await as(t.app, stranger)({ ...route, url: route.url.replace(list.id, missingId) });
      assert.deepEqual({ ...(miss.json() as object), request_id: "" }, { ...(absent.json() as object), request_id: "" });
    }
    assert.deepEqual(
      (await pendingOf(owner, list.id)).map((i) => i.id),
      [pending.id],
    );
  });

  test("a body that is not an invitation is a 422 naming the field", async () => {
    const owner = await createUser(t.app);
    const list = await createList(t.app, owner);
    for (const payload of [
      { email: "not an address", role: "editor" },
      { email: "a@example.com", role: "owner" },
      { email: "a@example.com" },
    ]) {
      assertProblem(
        await as(t.app, owner)({ method: "POST", url: `/api/lists/${list.id}/invitations`, payload }),
        422,
        "validation_failed",
      );
    }
    assert.deepEqual(await pendingOf(owner, list.id), []);
  });

  test("at most 100 pending invitations per list; renewing one still passes", async () => {
    const owner = await createUser(t.app);
    const list = await createList(t.app, owner);
    await t.app.ctx.db.query(
      `INSERT INTO invitations (id, list_id, email, role, invited_by, expires_at)
       SELECT gen_random_uuid(), $1, 'bulk-' || n || '@example.com', 'viewer', $2, now() + interval '100 days' FROM generate_series(1, 100) n`,
      [list.id, owner.id],
    );
    const res = await as(
      t.app,
      owner,
    )({
      method: "POST",
      url: `/api/lists/${list.id}/invitations`,
      payload: { email: "one-more@example.com", role: "viewer" },
    });
    assertProblem(res, 422, "limit_exceeded");
    await invite(t.app, owner, list.id, "bulk-7@example.com", "editor");
    assert.equal((await pendingOf(owner, list.id)).length, 100);
  });
});
