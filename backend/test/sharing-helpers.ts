import assert from "node:assert/strict";
import type { App } from "../src/app.ts";
import type { TestUser } from "./helpers.ts";
import { as } from "./tasks-helpers.ts";

/** A list as the API returns it (SPEC §7). */
export interface ListJson {
  id: string;
  name: string;
  position: string;
  is_inbox: boolean;
  owner_id: string;
  role: string;
  member_count: number;
  task_count: number;
}

export interface InvitationJson {
  id: string;
  list_id: string;
  email: string;
  role: string;
  status: string;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
}

export interface MemberJson {
  user_id: string;
  name: string;
  email: string;
  image: string | null;
  role: string;
  joined_at: string;
}

export const missingId = "0193a000-0000-7000-8000-0000000000aa";

export async function createList(app: App, user: TestUser, name = "Shared"): Promise<ListJson> {
  const res = await as(app, user)({ method: "POST", url: "/api/lists", payload: { name } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as ListJson;
}

export async function invite(app: App, owner: TestUser, listId: string, email: string, role = "editor"): Promise<InvitationJson> {
  const res = await as(app, owner)({ method: "POST", url: `/api/lists/${listId}/invitations`, payload: { email, role } });
  assert.equal(res.statusCode, 202, res.body);
  return res.json() as InvitationJson;
}

export async function accept(app: App, user: TestUser, invitationId: string): Promise<ListJson> {
  const res = await as(app, user)({ method: "POST", url: `/api/invitations/${invitationId}/accept` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as ListJson;
}

/** Makes `member` a member of the list with `role`, the way people do: an invitation and its acceptance. */
export async function share(app: App, owner: TestUser, listId: string, member: TestUser, role = "editor"): Promise<ListJson> {
  const invitation = await invite(app, owner, listId, member.email, role);
  return accept(app, member, invitation.id);
}

export async function membersOf(app: App, user: TestUser, listId: string): Promise<MemberJson[]> {
  const res = await as(app, user)({ method: "GET", url: `/api/lists/${listId}/members` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as MemberJson[];
}

export async function listIdsOf(app: App, user: TestUser): Promise<string[]> {
  const res = await as(app, user)({ method: "GET", url: "/api/lists" });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as ListJson[]).map((l) => l.id);
}

/** The list's activity as stored (the activity routes are another part of issue 14). */
export async function activityOf(
  app: App,
  listId: string,
): Promise<{ action: string; actor_id: string | null; subject_user_id: string | null; data: Record<string, unknown> }[]> {
  return app.ctx.db.query(
    "SELECT action, actor_id, subject_user_id, data FROM activity WHERE list_id = $1 AND task_id IS NULL ORDER BY id",
    [listId],
  );
}
