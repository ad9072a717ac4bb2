import { type Static, Type } from "@sinclair/typebox";

export const roles = ["owner", "editor", "viewer"] as const;
export type Role = (typeof roles)[number];

const noNul = "^[^\\u0000]*$";
const DateTime = (description: string) => Type.String({ format: "date-time", description });
const color = Type.String({ pattern: "^#[0-9a-fA-F]{6}$", description: "#rrggbb (stored lower-cased)" });

/** A list as the caller sees it (SPEC §7): `position` and `role` are the caller's membership's. */
export const List = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    color: Type.Union([Type.String({ pattern: "^#[0-9a-f]{6}$" }), Type.Null()]),
    position: Type.String({ description: "Opaque key of the list in the caller's own order" }),
    is_inbox: Type.Boolean(),
    archived: Type.Boolean(),
    owner_id: Type.String(),
    role: Type.Union(
      roles.map((r) => Type.Literal(r)),
      { description: "The caller's role in this list" },
    ),
    member_count: Type.Integer({ minimum: 1, description: "Members, the owner included" }),
    task_count: Type.Integer({ minimum: 0, description: "All tasks of the list, subtasks included" }),
    open_task_count: Type.Integer({ minimum: 0 }),
    created_at: DateTime("RFC 3339 UTC with milliseconds"),
    updated_at: DateTime("RFC 3339 UTC with milliseconds"),
  },
  { $id: "List", additionalProperties: false },
);

const name = Type.String({ minLength: 1, maxLength: 100, pattern: noNul, description: "Stored trimmed; 1–100 characters" });

export const ListCreate = Type.Object(
  { name, color: Type.Optional(Type.Union([color, Type.Null()])) },
  { $id: "ListCreate", additionalProperties: false },
);
export type ListCreate = Static<typeof ListCreate>;

export const ListUpdate = Type.Object(
  {
    name: Type.Optional(name),
    color: Type.Optional(Type.Union([color, Type.Null()])),
    archived: Type.Optional(Type.Boolean({ description: "The Inbox cannot be archived (409)" })),
  },
  { $id: "ListUpdate", additionalProperties: false, minProperties: 1, description: "The fields to change; others are kept." },
);
export type ListUpdate = Static<typeof ListUpdate>;

const listRef = (description: string) => Type.String({ maxLength: 200, description });

export const ListMove = Type.Object(
  {
    before: Type.Optional(listRef("Place the list just before this one of yours")),
    after: Type.Optional(listRef("Place the list just after this one of yours")),
  },
  { $id: "ListMove", additionalProperties: false, description: "Exactly one of before and after." },
);
export type ListMove = Static<typeof ListMove>;

export const ListsQuery = Type.Object(
  {
    archived: Type.Optional(
      Type.Union([Type.Literal("false"), Type.Literal("true"), Type.Literal("all")], {
        default: "false",
        description: "false: active lists (default); true: archived ones; all: both",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListsQuery = Static<typeof ListsQuery>;

export const ListIdParams = Type.Object({ id: Type.String({ maxLength: 200, description: "List id (a malformed id is a 404)" }) });

export const listHeaders = {
  etag: { type: "string", description: "Strong validator of this list's current state" },
} as const;
