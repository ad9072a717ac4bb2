import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/*
 * Better Auth's tables are exactly Better Auth's default schema for Doable's
 * plugins (admin, jwt, bearer): its table names and its camelCase columns, so
 * that another Better Auth instance — a Next.js front end, say — can share
 * this database unchanged (test/better-auth-schema.test.ts compares them with
 * what Better Auth itself generates). Doable adds only defaults, NOT NULLs
 * where Better Auth fills the column anyway, the role check and indexes.
 * Doable's own tables, below them, are snake_case.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Order keys (fractional-indexing, base 62) compare correctly only byte-wise. */
const orderKey = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

export const user = pgTable(
  "user",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    email: text("email").notNull().unique(),
    emailVerified: boolean("emailVerified").notNull().default(false),
    image: text("image"),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
    role: text("role").notNull().default("user"),
    banned: boolean("banned").notNull().default(false),
    banReason: text("banReason"),
    banExpires: ts("banExpires"),
  },
  (t) => [
    check("user_role_check", sql`${t.role} in ('user', 'admin')`),
    // Admin user list: newest first, keyset on (createdAt, id).
    index("user_createdAt_id_idx").on(t.createdAt, t.id),
    index("user_role_idx").on(t.role),
  ],
);

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: ts("expiresAt").notNull(),
    token: text("token").notNull().unique(),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
    ipAddress: text("ipAddress"),
    userAgent: text("userAgent"),
    userId: text("userId")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    impersonatedBy: text("impersonatedBy"),
  },
  (t) => [index("session_userId_idx").on(t.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("accountId").notNull(),
    providerId: text("providerId").notNull(),
    userId: text("userId")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("accessToken"),
    refreshToken: text("refreshToken"),
    idToken: text("idToken"),
    accessTokenExpiresAt: ts("accessTokenExpiresAt"),
    refreshTokenExpiresAt: ts("refreshTokenExpiresAt"),
    scope: text("scope"),
    password: text("password"),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
  },
  (t) => [index("account_userId_idx").on(t.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: ts("expiresAt").notNull(),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

export const jwks = pgTable("jwks", {
  id: text("id").primaryKey(),
  publicKey: text("publicKey").notNull(),
  privateKey: text("privateKey").notNull(),
  createdAt: ts("createdAt").notNull(),
  expiresAt: ts("expiresAt"),
  alg: text("alg"),
  crv: text("crv"),
});

/*
 * Lists (SPEC §7, migration 0005). A list's members are rows of list_members,
 * the owner's among them (role owner); every access check reads that table.
 * `version` is the list's ETag; `tasks_version` and the two counters are kept
 * by the statement triggers on tasks (the per-list page-cache validator).
 */
export const lists = pgTable(
  "lists",
  {
    id: uuid("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    color: text("color"),
    isInbox: boolean("is_inbox").notNull().default(false),
    archived: boolean("archived").notNull().default(false),
    /** Set when a second member first joins or a move brings another creator's task in; never cleared: tasks of other creators may be here. */
    shared: boolean("shared").notNull().default(false),
    version: integer("version").notNull().default(1),
    tasksVersion: bigint("tasks_version", { mode: "number" }).notNull().default(1),
    taskCount: integer("task_count").notNull().default(0),
    openTaskCount: integer("open_task_count").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("lists_name_length_check", sql`char_length(${t.name}) between 1 and 100`),
    check("lists_color_check", sql`${t.color} ~ '^#[0-9a-f]{6}$'`),
    check("lists_inbox_not_archived_check", sql`NOT (${t.isInbox} AND ${t.archived})`),
    uniqueIndex("lists_owner_inbox_idx").on(t.ownerId).where(sql`${t.isInbox}`),
    index("lists_owner_idx").on(t.ownerId, t.createdAt, t.id),
  ],
);

export const listMembers = pgTable(
  "list_members",
  {
    listId: uuid("list_id")
      .notNull()
      .references(() => lists.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    /** The member's own order of their lists. */
    position: orderKey("position").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "list_members_pk", columns: [t.listId, t.userId] }),
    check("list_members_role_check", sql`${t.role} in ('owner', 'editor', 'viewer')`),
    uniqueIndex("list_members_user_position_idx").on(t.userId, t.position),
  ],
);

/** Doable's per-user settings; not columns of "user", which is Better Auth's table. */
export const userPreferences = pgTable("user_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  timezone: text("timezone").notNull().default("UTC"),
});

/*
 * Tasks. `priority` is stored as 0..3 (none..high) so that it sorts by rank;
 * `due_sort` puts undated tasks after dated ones (ascending) with a plain
 * row comparison, which keeps keyset pagination on one index; a floating day
 * (`due_date`) counts as its last millisecond in UTC.
 * Trigram and tag indexes are added in a hand-written migration (extensions);
 * the triggers (doc, counters, versions) in hand-written migrations too.
 */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    listId: uuid("list_id")
      .notNull()
      .references(() => lists.id, { onDelete: "cascade" }),
    parentId: uuid("parent_id").references((): AnyPgColumn => tasks.id, { onDelete: "cascade" }),
    /** Order among siblings (same list and parent): a fractional-indexing key. */
    position: orderKey("position").notNull(),
    title: text("title").notNull(),
    description: text("description"),
    completed: boolean("completed").notNull().default(false),
    completedAt: ts("completed_at"),
    priority: smallint("priority").notNull().default(0),
    dueAt: ts("due_at"),
    dueDate: date("due_date"),
    dueSort: ts("due_sort")
      .notNull()
      .generatedAlwaysAs(
        sql`coalesce(due_at, ((due_date + 1)::timestamp - interval '1 millisecond') AT TIME ZONE 'UTC', 'infinity'::timestamptz)`,
      ),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /**
     * Who created the task: `user_id` too, until that account is deleted and a trigger on "user"
     * (migration 0006) hands the task to its list's owner and sets this null. Always user_id or
     * null, hence no foreign key (nor the index one would need).
     */
    createdBy: text("created_by"),
    /** A member of the task's list, or null. */
    assigneeId: text("assignee_id").references(() => user.id, { onDelete: "set null" }),
    subtaskCount: integer("subtask_count").notNull().default(0),
    openSubtaskCount: integer("open_subtask_count").notNull().default(0),
    version: integer("version").notNull().default(1),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    /** The task as the API's JSON, kept by a BEFORE trigger (migrations 0003, 0005): reads never build it. */
    doc: text("doc").notNull(),
  },
  (t) => [
    check("tasks_priority_check", sql`${t.priority} between 0 and 3`),
    check("tasks_title_length_check", sql`char_length(${t.title}) between 1 and 255`),
    check("tasks_description_length_check", sql`char_length(${t.description}) <= 10000`),
    check("tasks_tags_count_check", sql`cardinality(${t.tags}) <= 20`),
    check("tasks_due_one_kind_check", sql`${t.dueAt} IS NULL OR ${t.dueDate} IS NULL`),
    check("tasks_not_own_parent_check", sql`${t.parentId} <> ${t.id}`),
    index("tasks_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("tasks_user_updated_idx").on(t.userId, t.updatedAt, t.id),
    index("tasks_user_due_idx").on(t.userId, t.dueSort, t.id),
    index("tasks_user_priority_idx").on(t.userId, t.priority, t.id),
    index("tasks_user_title_idx").on(t.userId, sql`lower(${t.title})`, t.id),
    // Admin stats: overdue = open tasks whose due date has passed.
    index("tasks_open_due_idx").on(t.dueAt).where(sql`not ${t.completed}`),
    // Siblings never share a position; also sort=position within a list's level.
    unique("tasks_sibling_position_key").on(t.listId, t.parentId, t.position).nullsNotDistinct(),
    index("tasks_list_position_idx").on(t.listId, t.position, t.id),
    index("tasks_list_created_idx").on(t.listId, t.createdAt, t.id),
    index("tasks_parent_idx").on(t.parentId, t.position, t.id).where(sql`${t.parentId} IS NOT NULL`),
    index("tasks_user_due_date_idx").on(t.userId, t.dueDate).where(sql`${t.dueDate} IS NOT NULL`),
    index("tasks_assignee_idx").on(t.assigneeId, t.createdAt, t.id).where(sql`${t.assigneeId} IS NOT NULL`),
  ],
);

/*
 * Sharing (SPEC §8, migration 0006). An invitation names an email address,
 * never an account: creating one looks nobody up, so its answer cannot tell
 * whether the address has an account. The invitee's pending invitations are
 * those addressed to their account's email.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey(),
    listId: uuid("list_id")
      .notNull()
      .references(() => lists.id, { onDelete: "cascade" }),
    /** Trimmed and lower-cased. */
    email: text("email").notNull(),
    role: text("role").notNull(),
    invitedBy: text("invited_by").references(() => user.id, { onDelete: "set null" }),
    status: text("status").notNull().default("pending"),
    createdAt: ts("created_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    respondedAt: ts("responded_at"),
  },
  (t) => [
    check("invitations_role_check", sql`${t.role} in ('editor', 'viewer')`),
    check("invitations_status_check", sql`${t.status} in ('pending', 'accepted', 'declined', 'revoked')`),
    uniqueIndex("invitations_pending_idx").on(t.listId, t.email).where(sql`${t.status} = 'pending'`),
    index("invitations_email_idx").on(t.email, t.createdAt, t.id).where(sql`${t.status} = 'pending'`),
    index("invitations_list_idx").on(t.listId, t.createdAt, t.id),
  ],
);

export const comments = pgTable(
  "comments",
  {
    id: uuid("id").primaryKey(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    authorId: text("author_id").references(() => user.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("comments_body_length_check", sql`char_length(${t.body}) between 1 and 10000`),
    index("comments_task_idx").on(t.taskId, t.createdAt, t.id),
    index("comments_author_idx").on(t.authorId),
  ],
);

/**
 * Who did what in a list, newest first (GET /api/lists/{id}/activity). Task
 * entries are written by a statement trigger on tasks (migration 0006) with
 * the actor the writing statement names (set_config('doable.actor', …)); the
 * others by the services, through activity_record().
 */
export const activity = pgTable(
  "activity",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    listId: uuid("list_id")
      .notNull()
      .references(() => lists.id, { onDelete: "cascade" }),
    /** No foreign key: read through a join with "user", a deleted account reads as null. */
    actorId: text("actor_id"),
    action: text("action").notNull(),
    taskId: uuid("task_id"),
    /** The member an entry is about (joined, left, removed, role changed, new owner). */
    subjectUserId: text("subject_user_id"),
    data: jsonb("data").notNull().default(sql`'{}'::jsonb`),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("activity_list_idx").on(t.listId, t.id), index("activity_task_idx").on(t.taskId).where(sql`${t.taskId} IS NOT NULL`)],
);

/** Idempotency-Key records for POST /api/tasks, kept 24 hours. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    taskId: uuid("task_id"),
    responseBody: text("response_body"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_keys_created_at_idx").on(t.createdAt)],
);

/**
 * Tokens of `user_id` issued at or before `revoked_before` are refused. No
 * foreign key: the row must outlive a deleted user.
 */
export const tokenRevocations = pgTable(
  "token_revocations",
  {
    userId: text("user_id").primaryKey(),
    revokedBefore: ts("revoked_before").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [index("token_revocations_revoked_before_idx").on(t.revokedBefore)],
);

/**
 * A counter per owner, raised by statement triggers on every write to their
 * tasks (migration 0002): the list-page cache (tasks/list-cache.ts) serves a
 * stored page only while the counter it was read with is still current. No
 * foreign key (the triggers also run inside the cascade that deletes a user);
 * a trigger on "user" removes a deleted user's row.
 */
export const taskListVersions = pgTable("task_list_versions", {
  userId: text("user_id").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull(),
});

/** Every admin write and every admin read of another user's data. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetUserId: text("target_user_id"),
    targetTaskId: uuid("target_task_id"),
    requestId: text("request_id").notNull(),
    details: jsonb("details").notNull().default(sql`'{}'::jsonb`),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_id_idx").on(t.createdAt, t.id),
    index("audit_log_actor_idx").on(t.actorId, t.createdAt, t.id),
    index("audit_log_target_idx").on(t.targetUserId, t.createdAt, t.id),
  ],
);

export const schema = {
  user,
  session,
  account,
  verification,
  jwks,
  lists,
  listMembers,
  userPreferences,
  tasks,
  invitations,
  comments,
  activity,
  idempotencyKeys,
  tokenRevocations,
  taskListVersions,
  auditLog,
};
