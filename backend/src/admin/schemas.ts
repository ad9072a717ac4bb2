import { type Static, Type } from "@sinclair/typebox";

const Role = Type.Union([Type.Literal("user"), Type.Literal("admin")]);
const DateTime = Type.String({ format: "date-time" });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

const userFields = {
  id: Type.String(),
  email: Type.String({ format: "email" }),
  name: Type.String(),
  role: Role,
  banned: Type.Boolean(),
  created_at: DateTime,
  task_count: Type.Integer({ minimum: 0 }),
};

export const AdminUser = Type.Object(userFields, { $id: "AdminUser", additionalProperties: false });

export const AdminUserDetail = Type.Object(
  {
    ...userFields,
    ban_reason: Type.Union([Type.String(), Type.Null()]),
    ban_expires_at: NullableDateTime,
    task_counts: Type.Object(
      { total: Type.Integer(), completed: Type.Integer(), overdue: Type.Integer() },
      { additionalProperties: false },
    ),
  },
  { $id: "AdminUserDetail", additionalProperties: false },
);

export const AdminUserListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: "^[^\\u0000]*$", description: "Text in email or name" })),
    role: Type.Optional(Role),
    banned: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type AdminUserListQuery = Static<typeof AdminUserListQuery>;

export const AdminUserUpdate = Type.Object(
  {
    role: Type.Optional(Role),
    banned: Type.Optional(Type.Boolean()),
    ban_reason: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 500, pattern: "^[^\\u0000]*$" }), Type.Null()])),
    ban_expires_at: Type.Optional(Type.Union([Type.String({ format: "date-time", description: "Must be in the future" }), Type.Null()])),
  },
  { $id: "AdminUserUpdate", additionalProperties: false, minProperties: 1 },
);
export type AdminUserUpdate = Static<typeof AdminUserUpdate>;

export const UserIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

export const Stats = Type.Object(
  {
    users: Type.Object(
      { total: Type.Integer(), admins: Type.Integer(), banned: Type.Integer(), new_last_7_days: Type.Integer() },
      { additionalProperties: false },
    ),
    tasks: Type.Object({ total: Type.Integer(), completed: Type.Integer(), overdue: Type.Integer() }, { additionalProperties: false }),
    lists: Type.Object({ total: Type.Integer({ description: "Lists of every user, Inboxes included" }) }, { additionalProperties: false }),
  },
  { $id: "Stats", additionalProperties: false },
);

export const AuditEntry = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    actor_id: Type.String(),
    actor_email: Type.Union([Type.String(), Type.Null()]),
    action: Type.String({ description: "e.g. user.update, user.delete, user.view, user.tasks.list, user.lists.read, users.list" }),
    target_user_id: Type.Union([Type.String(), Type.Null()]),
    target_task_id: Type.Union([Type.String(), Type.Null()]),
    request_id: Type.String(),
    details: Type.Object({}, { additionalProperties: true }),
    created_at: DateTime,
  },
  { $id: "AuditEntry", additionalProperties: false },
);

export const AuditQuery = Type.Object(
  {
    actor_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    target_user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
