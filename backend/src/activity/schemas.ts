import { type Static, Type } from "@sinclair/typebox";

/** One entry of a list's activity (SPEC §8): who did what, and when. */
export const Activity = Type.Object(
  {
    id: Type.String({ pattern: "^[1-9][0-9]*$", description: "Increasing with time within the service (a bigint, as text)" }),
    list_id: Type.String({ format: "uuid" }),
    actor_id: Type.Union([Type.String(), Type.Null()], { description: "Who did it; null when unknown or the account is deleted" }),
    action: Type.String({
      description:
        "task.created, task.completed, task.reopened, task.updated, task.moved, task.deleted, comment.created, member.joined, member.left, member.removed, member.role_changed, list.transferred, invitation.created",
    }),
    task_id: Type.Union([Type.String({ format: "uuid" }), Type.Null()], { description: "The task it is about, if any" }),
    user_id: Type.Union([Type.String(), Type.Null()], {
      description:
        "The member it is about (joined, left, removed, new role, new owner, new assignee); null when none or the account is deleted",
    }),
    data: Type.Object({}, { additionalProperties: true, description: "Details: the task's title, the fields changed, a role" }),
    created_at: Type.String({ format: "date-time", description: "RFC 3339 UTC with milliseconds" }),
  },
  { $id: "Activity", additionalProperties: false },
);

export const ActivityQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: "Opaque; from the Link header of the previous page" })),
  },
  { additionalProperties: false },
);
export type ActivityQuery = Static<typeof ActivityQuery>;

export const ListIdParams = Type.Object({ id: Type.String({ maxLength: 200, description: "List id (a malformed id is a 404)" }) });
