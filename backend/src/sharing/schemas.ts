import { type Static, Type } from "@sinclair/typebox";

/** The roles an owner hands out; `owner` itself only changes hands by a transfer. */
export const grantedRoles = ["editor", "viewer"] as const;
export type GrantedRole = (typeof grantedRoles)[number];

const DateTime = (description: string) => Type.String({ format: "date-time", description });
const grantedRole = (description: string) =>
  Type.Union(
    grantedRoles.map((r) => Type.Literal(r)),
    { description },
  );

/** An invitation as its list's owner sees it (SPEC §8). */
export const Invitation = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    list_id: Type.String({ format: "uuid" }),
    email: Type.String({ description: "The invited address, lower-cased and trimmed" }),
    role: grantedRole("The role the invitee gets on accepting"),
    status: Type.Union([Type.Literal("pending"), Type.Literal("accepted"), Type.Literal("declined"), Type.Literal("revoked")]),
    invited_by: Type.Union([Type.String(), Type.Null()], { description: "The inviting owner (null once their account is deleted)" }),
    created_at: DateTime("RFC 3339 UTC with milliseconds"),
    expires_at: DateTime("14 days after the invitation was made or last renewed"),
  },
  { $id: "Invitation", additionalProperties: false },
);

/** A pending invitation as its invitee sees it. */
export const IncomingInvitation = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    list_id: Type.String({ format: "uuid" }),
    list_name: Type.String(),
    role: grantedRole("The role accepting gives you"),
    invited_by: Type.Union([Type.String(), Type.Null()]),
    inviter_name: Type.Union([Type.String(), Type.Null()], { description: "Null once the inviter's account is deleted" }),
    created_at: DateTime("RFC 3339 UTC with milliseconds"),
    expires_at: DateTime("RFC 3339 UTC with milliseconds"),
  },
  { $id: "IncomingInvitation", additionalProperties: false },
);

export const InvitationCreate = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 254, description: "Stored trimmed and lower-cased" }),
    role: grantedRole("editor: changes tasks; viewer: reads and comments"),
  },
  { $id: "InvitationCreate", additionalProperties: false },
);
export type InvitationCreate = Static<typeof InvitationCreate>;

/** A member of a list as every member sees them. */
export const Member = Type.Object(
  {
    user_id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    image: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union([Type.Literal("owner"), Type.Literal("editor"), Type.Literal("viewer")]),
    joined_at: DateTime("When they became a member (RFC 3339 UTC with milliseconds)"),
  },
  { $id: "Member", additionalProperties: false },
);

export const MemberUpdate = Type.Object(
  { role: grantedRole("The member's new role (the owner's own role changes only by a transfer)") },
  { $id: "MemberUpdate", additionalProperties: false },
);
export type MemberUpdate = Static<typeof MemberUpdate>;

export const Transfer = Type.Object(
  { user_id: Type.String({ maxLength: 200, description: "A current member, who becomes the owner (you become an editor)" }) },
  { $id: "Transfer", additionalProperties: false },
);
export type Transfer = Static<typeof Transfer>;

const id = (description: string) => Type.String({ maxLength: 200, description });

export const ListIdParams = Type.Object({ id: id("List id (a malformed id is a 404)") });
export const ListInvitationParams = Type.Object({
  id: id("List id (a malformed id is a 404)"),
  invitation_id: id("Invitation id (a malformed id is a 404)"),
});
export const InvitationIdParams = Type.Object({ id: id("Invitation id (a malformed id is a 404)") });
export const MemberParams = Type.Object({ id: id("List id (a malformed id is a 404)"), user_id: id("The member's user id") });
