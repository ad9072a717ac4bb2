import { uuidv7 } from "uuidv7";
import type { Clock } from "../clock.ts";
import type { Database, Queryable } from "../db/client.ts";
import { conflict, forbidden, limitExceeded, notFound, validationFailed } from "../domain/errors.ts";
import { retryOnPositionCollision } from "../domain/positions.ts";
import { selectList } from "../lists/queries.ts";
import { type ListResult, listId } from "../lists/service.ts";
import * as queries from "./queries.ts";
import type { InvitationCreate, MemberUpdate, Transfer } from "./schemas.ts";

/** What every sharing operation runs with. */
export interface SharingContext {
  db: Database;
  /** The caller. */
  userId: string;
  /** The app's clock: invitations' times and expiry. */
  clock: Clock;
  /** Where "invitation created" goes until there is mail to send (issue 17): ids only, never the address. */
  log: { info(fields: Record<string, unknown>, message: string): void };
}

/** How long an invitation waits for an answer (SPEC §8). */
export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Pending, unexpired invitations a list may have at once. */
export const MAX_PENDING_INVITATIONS = 100;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const missingInvitation = () => notFound("No such invitation.");
const missingMember = () => notFound("No such member.");
const missingList = () => notFound("No such list.");
const ownerOnly = (what: string) => forbidden(`Only the list's owner can ${what}.`);

function invitationId(raw: string): string {
  if (!uuidPattern.test(raw)) throw missingInvitation();
  return raw.toLowerCase();
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A removal locks the list, then un-assigns tasks; a task write locks the task,
 * then (its trigger) the list: the two can deadlock, and PostgreSQL ends one of
 * them (40P01). The removal is then simply made again.
 */
async function retryOnDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if ((err as { code?: string })?.code !== "40P01" || attempt >= 3) throw err;
    }
  }
}

/**
 * After an owner-only write matched nothing: the 404 of a list the caller is
 * not a member of, the 409 of an Inbox (when the rule applies), the 403 of a
 * member who is not the owner; undefined when the caller is the owner (the
 * write's own target decides).
 */
async function ownerRefusal(q: Queryable, ctx: SharingContext, id: string, what: string, inboxRule?: string): Promise<void> {
  const s = await queries.standing(q, ctx.userId, id);
  if (!s) throw missingList();
  if (inboxRule !== undefined && s.isInbox) throw conflict(inboxRule);
  if (s.role !== "owner") throw ownerOnly(what);
}

// Invitations

/**
 * Invites an address to a list the caller owns, or renews its pending
 * invitation. The same path whatever the address: it is stored, never looked
 * up, so the answer says nothing about who has an account.
 */
export async function invite(ctx: SharingContext, rawListId: string, input: InvitationCreate): Promise<string> {
  const id = listId(rawListId);
  const now = ctx.clock();
  const invitation = {
    id: uuidv7(),
    listId: id,
    ownerId: ctx.userId,
    email: input.email.trim().toLowerCase(),
    role: input.role,
    now: iso(now),
    expiresAt: iso(now + INVITATION_TTL_MS),
  };
  const stored = await ctx.db.transaction(async (tx) => {
    const row = await queries.upsertInvitation(tx, invitation, MAX_PENDING_INVITATIONS);
    if (row)
      await queries.insertActivity(tx, { listId: id, actorId: ctx.userId, action: "invitation.created", data: { role: input.role } });
    return row;
  });
  if (stored) {
    ctx.log.info({ invitation_id: stored.id, list_id: id }, "invitation created");
    return stored.json;
  }
  await ownerRefusal(ctx.db, ctx, id, "invite people", "The Inbox cannot be shared.");
  if ((await queries.pendingCount(ctx.db, id, invitation.now)) >= MAX_PENDING_INVITATIONS) {
    throw limitExceeded(`A list can have at most ${MAX_PENDING_INVITATIONS} pending invitations.`);
  }
  // The list went away, or the caller stopped owning it, between the two statements.
  throw missingList();
}

export async function listInvitations(ctx: SharingContext, rawListId: string): Promise<string> {
  const id = listId(rawListId);
  const json = await queries.selectListInvitations(ctx.db, ctx.userId, id, iso(ctx.clock()));
  if (json !== undefined) return json;
  await ownerRefusal(ctx.db, ctx, id, "see its invitations");
  throw missingList();
}

export async function revokeInvitation(ctx: SharingContext, rawListId: string, rawInvitationId: string): Promise<void> {
  const id = listId(rawListId);
  const invitation = uuidPattern.test(rawInvitationId) ? rawInvitationId.toLowerCase() : null;
  if (invitation !== null && (await queries.revokeInvitation(ctx.db, ctx.userId, id, invitation, iso(ctx.clock())))) return;
  await ownerRefusal(ctx.db, ctx, id, "revoke invitations");
  throw missingInvitation();
}

export async function incomingInvitations(ctx: SharingContext): Promise<string> {
  return queries.selectIncoming(ctx.db, ctx.userId, iso(ctx.clock()));
}

/**
 * Accepts an invitation addressed to the caller: they join the list at the
 * end of their order with the invitation's role (an invitee who already is a
 * member keeps their membership; the invitation is answered all the same).
 * Returns the list as the caller now sees it.
 */
export async function accept(ctx: SharingContext, rawId: string): Promise<ListResult> {
  const id = invitationId(rawId);
  const row = await retryOnPositionCollision(() =>
    ctx.db.transaction(async (tx) => {
      const answered = await queries.respondToInvitation(tx, ctx.userId, id, "accepted", iso(ctx.clock()));
      if (!answered) return undefined;
      await queries.joinList(tx, ctx.userId, answered.listId, answered.role);
      return selectList(tx, ctx.userId, answered.listId);
    }),
  );
  if (!row) throw missingInvitation();
  return { json: row.j, version: row.version };
}

export async function decline(ctx: SharingContext, rawId: string): Promise<void> {
  const id = invitationId(rawId);
  if (!(await queries.respondToInvitation(ctx.db, ctx.userId, id, "declined", iso(ctx.clock())))) throw missingInvitation();
}

// Members

export async function listMembers(ctx: SharingContext, rawListId: string): Promise<string> {
  const json = await queries.selectMembers(ctx.db, ctx.userId, listId(rawListId));
  if (json === undefined) throw missingList();
  return json;
}

/**
 * A user id from a path, as SQL can take it: PostgreSQL text cannot hold NUL, and such an id names
 * nobody, so it becomes one that names nobody either and takes the same path as any unknown id.
 */
const userIdOf = (raw: string): string => (raw.includes("\u0000") ? "" : raw);

export async function changeRole(ctx: SharingContext, rawListId: string, rawMemberId: string, input: MemberUpdate): Promise<string> {
  const id = listId(rawListId);
  const memberId = userIdOf(rawMemberId);
  return ctx.db.transaction(async (tx) => {
    await queries.lockList(tx, ctx.userId, id);
    const json = await queries.setMemberRole(tx, ctx.userId, id, memberId, input.role);
    if (json !== undefined) return json;
    await ownerRefusal(tx, ctx, id, "change roles");
    const target = await queries.memberRole(tx, id, memberId);
    if (target === "owner") throw conflict("The owner's role changes only by a transfer of the list.");
    throw missingMember();
  });
}

/**
 * Ends a membership: the owner removes another member, or a member leaves.
 * The membership, the member's assignments in the list and the activity entry
 * change in one transaction, so the next request already sees them gone.
 */
export async function removeMember(ctx: SharingContext, rawListId: string, rawMemberId: string): Promise<void> {
  const id = listId(rawListId);
  const memberId = userIdOf(rawMemberId);
  await retryOnDeadlock(() =>
    ctx.db.transaction(async (tx) => {
      await queries.lockList(tx, ctx.userId, id);
      if (await queries.removeMember(tx, ctx.userId, id, memberId)) {
        await queries.unassign(tx, ctx.userId, id, memberId);
        return;
      }
      const s = await queries.standing(tx, ctx.userId, id);
      if (!s) throw missingList();
      if (memberId === ctx.userId) throw conflict("The owner cannot leave the list: transfer the list first.");
      if (s.role !== "owner") throw ownerOnly("remove other members");
      throw missingMember();
    }),
  );
}

/** Hands the list to another member; returns it as the caller now sees it (an editor). */
export async function transfer(ctx: SharingContext, rawListId: string, input: Transfer): Promise<ListResult> {
  const id = listId(rawListId);
  const row = await ctx.db.transaction(async (tx) => {
    await queries.lockList(tx, ctx.userId, id);
    if (await queries.transferList(tx, ctx.userId, id, userIdOf(input.user_id))) return selectList(tx, ctx.userId, id);
    await ownerRefusal(tx, ctx, id, "transfer it", "The Inbox cannot be transferred.");
    const message = input.user_id === ctx.userId ? "must be another member of the list" : "is not a member of the list";
    throw validationFailed([{ field: "user_id", message }]);
  });
  if (!row) throw missingList();
  return { json: row.j, version: row.version };
}
