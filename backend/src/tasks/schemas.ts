import { type Static, Type } from "@sinclair/typebox";
import { jsonContent, linkHeader } from "../http/reply.ts";

export const priorities = ["none", "low", "medium", "high"] as const;
export type Priority = (typeof priorities)[number];

export const sortKeys = ["created_at", "updated_at", "due_at", "priority", "title", "position"] as const;
export type SortKey = (typeof sortKeys)[number];
export const sortValues = sortKeys.flatMap((k) => [k, `-${k}`]);

export const views = ["today", "upcoming", "overdue"] as const;
export type View = (typeof views)[number];

const noNul = "^[^\\u0000]*$";
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = (description: string) => Type.String({ format: "date-time", description });
const Day = (description: string) => Type.String({ format: "date", description });
const Uuid = (description: string) => Type.String({ format: "uuid", description });

export const Task = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "UUIDv7, time-ordered, assigned by the server" }),
    title: Type.String({ minLength: 1, maxLength: 255 }),
    description: Nullable(Type.String({ maxLength: 10_000 })),
    completed: Type.Boolean(),
    completed_at: Nullable(DateTime("When the task was completed; null while open")),
    priority: Type.Union(priorities.map((p) => Type.Literal(p))),
    due_at: Nullable(DateTime("RFC 3339 with offset; returned in UTC")),
    due_date: Nullable(Day("A calendar day (YYYY-MM-DD), floating: that day in the reader's time zone")),
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 }),
    user_id: Type.String(),
    list_id: Uuid("The list the task is in"),
    parent_id: Nullable(Uuid("The parent task (same list), or null for a top-level task")),
    position: Type.String({ description: "Opaque key of the task's manual order among its siblings" }),
    subtask_count: Type.Integer({ minimum: 0, description: "Direct subtasks" }),
    open_subtask_count: Type.Integer({ minimum: 0, description: "Direct subtasks not completed" }),
    created_by: Type.Union([Type.String(), Type.Null()], { description: "Who created the task; null once their account is deleted" }),
    assignee_id: Type.Union([Type.String(), Type.Null()], { description: "The member of the task's list it is assigned to, or null" }),
    created_at: DateTime("RFC 3339 UTC with milliseconds"),
    updated_at: DateTime("RFC 3339 UTC with milliseconds"),
  },
  { $id: "Task", additionalProperties: false },
);

const writable = {
  title: Type.String({ minLength: 1, maxLength: 255, pattern: noNul, description: "Stored trimmed; 1–255 characters" }),
  description: Type.Union([Type.String({ maxLength: 10_000, pattern: noNul }), Type.Null()]),
  priority: Type.Union(priorities.map((p) => Type.Literal(p))),
  due_at: Type.Union([
    Type.String({ format: "date-time", description: "RFC 3339 with an offset; a task never has both due_at and due_date" }),
    Type.Null(),
  ]),
  due_date: Type.Union([
    Type.String({ format: "date", description: "YYYY-MM-DD; a task never has both due_at and due_date" }),
    Type.Null(),
  ]),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: noNul }), {
    maxItems: 20,
    description: "Lower-cased and de-duplicated; up to 20 tags of 1–40 characters",
  }),
  completed: Type.Boolean(),
  assignee_id: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
    description: "A member of the task's list (user id); null: nobody",
  }),
};

export const TaskCreate = Type.Object(
  {
    title: writable.title,
    description: Type.Optional(writable.description),
    priority: Type.Optional(writable.priority),
    due_at: Type.Optional(writable.due_at),
    due_date: Type.Optional(writable.due_date),
    tags: Type.Optional(writable.tags),
    completed: Type.Optional(writable.completed),
    assignee_id: Type.Optional(writable.assignee_id),
    list_id: Type.Optional(Type.String({ maxLength: 200, description: "One of your lists; default: your Inbox (or the parent's list)" })),
    parent_id: Type.Optional(
      Type.String({ maxLength: 200, description: "A task of that list; the new task goes last among its subtasks (depth ≤ 4)" }),
    ),
  },
  { $id: "TaskCreate", additionalProperties: false, description: "A new task goes last among its siblings." },
);
export type TaskCreate = Static<typeof TaskCreate>;

export const TaskUpdate = Type.Object(
  {
    title: Type.Optional(writable.title),
    description: Type.Optional(writable.description),
    priority: Type.Optional(writable.priority),
    due_at: Type.Optional(writable.due_at),
    due_date: Type.Optional(writable.due_date),
    tags: Type.Optional(writable.tags),
    completed: Type.Optional(writable.completed),
    assignee_id: Type.Optional(writable.assignee_id),
  },
  { $id: "TaskUpdate", additionalProperties: false, minProperties: 1, description: "The fields to change; others are kept." },
);
export type TaskUpdate = Static<typeof TaskUpdate>;

export const CompletionBody = Type.Object(
  { completed: Type.Optional(Type.Boolean()) },
  { $id: "CompletionBody", additionalProperties: false, description: "Set the state; without a body (or with {}) the state is toggled." },
);

const taskRef = (description: string) => Type.String({ maxLength: 200, description });

export const TaskMove = Type.Object(
  {
    list_id: Type.Optional(
      Type.String({ maxLength: 200, description: "The list to move to (default: the parent's, else the task's own)" }),
    ),
    parent_id: Type.Optional(
      Type.Union([taskRef("The new parent, a task of the destination list (subtasks nest at most 4 levels)"), Type.Null()], {
        description: "null: the top level; absent: the current parent (in another list: the top level)",
      }),
    ),
    before: Type.Optional(taskRef("Place the task just before this sibling at the destination")),
    after: Type.Optional(taskRef("Place the task just after this sibling at the destination (with before: the two must be adjacent)")),
  },
  {
    $id: "TaskMove",
    additionalProperties: false,
    description: "Where the task goes, with all its subtasks; without before and after, to the end of its new siblings.",
  },
);
export type TaskMove = Static<typeof TaskMove>;

export const TaskListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal("all"), Type.Literal("pending"), Type.Literal("completed")], { default: "all" })),
    priority: Type.Optional(
      Type.String({
        pattern: `^(${priorities.join("|")})(,(${priorities.join("|")}))*$`,
        description: "Any of these, comma-separated: none,low,medium,high",
      }),
    ),
    tag: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: noNul }), {
        maxItems: 20,
        description: "Tasks having all of these tags (repeat the parameter)",
      }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: noNul,
        description: "Case-insensitive text in title or description; % and _ match literally",
      }),
    ),
    due_before: Type.Optional(Type.String({ format: "date-time", description: "due_at earlier than this (exclusive)" })),
    due_after: Type.Optional(Type.String({ format: "date-time", description: "due_at at or after this (inclusive)" })),
    overdue: Type.Optional(
      Type.Boolean({
        description: "true: open tasks whose due_at has passed or whose due_date is before today (your time zone); false: all others",
      }),
    ),
    list_id: Type.Optional(Type.String({ maxLength: 200, description: "Only this list's tasks (a list you cannot see is a 404)" })),
    parent_id: Type.Optional(
      Type.String({
        maxLength: 200,
        description: "`none`: top-level tasks only; a task id: that task's direct subtasks (404 if you cannot see it)",
      }),
    ),
    assignee: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: noNul,
        description: "`me`: tasks assigned to you; `none`: unassigned tasks; a user id: tasks assigned to that user",
      }),
    ),
    view: Type.Optional(
      Type.Union(
        views.map((v) => Type.Literal(v)),
        {
          description:
            "In your time zone: today = due today or overdue and open; upcoming = due today through the 6th day after; overdue = open and past due",
        },
      ),
    ),
    sort: Type.Optional(
      Type.Union(
        sortValues.map((s) => Type.Literal(s)),
        { default: "-created_at", description: "Prefix with - for descending; position needs list_id or parent_id" },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    // Room for a title key of 255 characters of any kind (base64url of JSON-escaped UTF-8).
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: "Opaque; from the Link header of the previous page" })),
  },
  { additionalProperties: false },
);
export type TaskListQuery = Static<typeof TaskListQuery>;

export const TaskIdParams = Type.Object({ id: Type.String({ maxLength: 200, description: "Task id (a malformed id is a 404)" }) });

export const taskHeaders = {
  etag: { type: "string", description: "Strong validator of this task's current state" },
} as const;

/** A page of tasks, as `GET /api/tasks` and the admin's view of a user's tasks send it. */
export const taskListResponse = jsonContent("The tasks, in the requested order", Type.Array(Type.Ref(Task)), linkHeader);
