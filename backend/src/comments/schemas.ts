import { type Static, Type } from "@sinclair/typebox";

const noNul = "^[^\\u0000]*$";
const DateTime = (description: string) => Type.String({ format: "date-time", description });

/** A comment on a task (SPEC §8), visible to every member of the task's list. */
export const Comment = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "UUIDv7, assigned by the server" }),
    task_id: Type.String({ format: "uuid", description: "The task commented on (comments move with it)" }),
    author_id: Type.Union([Type.String(), Type.Null()], { description: "The author; null once their account is deleted" }),
    body: Type.String({ minLength: 1, maxLength: 10_000 }),
    created_at: DateTime("RFC 3339 UTC with milliseconds"),
    updated_at: DateTime("RFC 3339 UTC with milliseconds"),
  },
  { $id: "Comment", additionalProperties: false },
);

/** The text of a comment, stored as given: 1–10,000 characters, not blank. */
export const CommentBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 10_000, pattern: noNul, description: "Stored as given; 1–10,000 characters, not blank" }),
  },
  { $id: "CommentBody", additionalProperties: false },
);
export type CommentBody = Static<typeof CommentBody>;

export const CommentListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: "Opaque; from the Link header of the previous page" })),
  },
  { additionalProperties: false },
);
export type CommentListQuery = Static<typeof CommentListQuery>;

export const TaskIdParams = Type.Object({ id: Type.String({ maxLength: 200, description: "Task id (a malformed id is a 404)" }) });
export const CommentIdParams = Type.Object({ id: Type.String({ maxLength: 200, description: "Comment id (a malformed id is a 404)" }) });
